#!/usr/bin/env node
// Save → served: the time from saving a file of the seed example to the new
// content being served at the forwarded port, through tilt up's full rebuild
// path (watch, build of the app image FROM the base, pod replacement,
// port-forward), against the same done by hand in the same run: `docker
// build`, `docker rm -f`, `docker run -p`, then polling the published port.
// Uses the built code (npm run build first) and the local Docker engine.
//
// Usage: node bench/up-loop.mjs [--samples N]

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, get } from './lib/net.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const samples = Number(args[args.indexOf('--samples') + 1] || 8) || 8;

execFileSync('bash', [join(root, 'scripts/busybox-image.sh')], { stdio: 'inherit' });

async function untilServed(url, marker, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await get(url)).includes(marker)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} never served ${marker}`);
}

const docker = (...a) =>
  execFileSync('docker', a, { stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function tiltLoop(builderEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-up-'));
  cpSync(join(root, 'examples/seed'), dir, { recursive: true });
  const port = await freePort();
  const tf = join(dir, 'Tiltfile');
  writeFileSync(
    tf,
    readFileSync(tf, 'utf8').replace('port_forwards=3000', `port_forwards='${port}:3000'`),
  );
  const webPort = await freePort();
  const child = spawn(
    process.execPath,
    [join(root, 'bin/tilt'), 'up', '-f', tf, '--port', String(webPort), '--stream'],
    {
      stdio: 'ignore',
      env: { ...process.env, ...builderEnv },
    },
  );
  const url = `http://127.0.0.1:${port}/`;
  const times = [];
  try {
    await untilServed(url, 'Hello from tilt-ts');
    for (let i = 0; i < samples; i++) {
      const marker = `tilt-${i}-${Date.now()}`;
      const t0 = performance.now();
      writeFileSync(join(dir, 'public/index.html'), `<h1>${marker}</h1>\n`);
      await untilServed(url, marker);
      times.push(performance.now() - t0);
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    execFileSync(process.execPath, [join(root, 'bin/tilt'), 'down', '-f', tf], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

async function manualLoop() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-manual-'));
  cpSync(join(root, 'examples/seed'), dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const name = `bench-manual-${process.pid}`;
  docker(
    'build',
    '-q',
    '-t',
    'example-base-image',
    '-f',
    join(dir, 'base.Dockerfile'),
    '--build-arg',
    'node_env=development',
    dir,
  );
  const times = [];
  try {
    for (let i = 0; i < samples; i++) {
      const marker = `manual-${i}-${Date.now()}`;
      const t0 = performance.now();
      writeFileSync(join(dir, 'public/index.html'), `<h1>${marker}</h1>\n`);
      docker('build', '-q', '-t', 'bench-manual-app', '-f', join(dir, 'app.Dockerfile'), dir);
      docker('rm', '-f', name);
      docker('run', '-d', '--name', name, '-p', `127.0.0.1:${port}:3000`, 'bench-manual-app');
      await untilServed(url, marker);
      times.push(performance.now() - t0);
    }
  } finally {
    try {
      docker('rm', '-f', name);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

const manual = await manualLoop();
const tiltBuildKit = await tiltLoop({});
const tiltClassic = await tiltLoop({ DOCKER_BUILDKIT: '0' });
const fmt = (xs) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(`save → served, ${samples} samples each`);
console.log(`  by hand (docker build, rm, run; CLI classic builder): ${fmt(manual)}`);
console.log(`  tilt up (BuildKit when the engine offers it):        ${fmt(tiltBuildKit)}`);
console.log(`  tilt up (DOCKER_BUILDKIT=0, classic builder):        ${fmt(tiltClassic)}`);
console.log(
  `  ratio tilt/by hand: ${(median(tiltBuildKit) / median(manual)).toFixed(2)} (BuildKit), ${(median(tiltClassic) / median(manual)).toFixed(2)} (classic, like for like)`,
);
