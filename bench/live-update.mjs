#!/usr/bin/env node
// Save → served through live update: the time from saving a file of the seed
// example (with live_update=[sync('.', '/var/www/app')]) to the new content
// being served at the forwarded port, against the same copy done by hand in
// the same run: `tar -c FILE | docker exec -i CONTAINER tar -x -C DIR` into a
// container of the same image, then polling its published port.
// Uses the built code (npm run build first) and the local Docker engine.
//
// Usage: node bench/live-update.mjs [--samples N]

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, get } from './lib/net.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const samples = Number(args[args.indexOf('--samples') + 1] || 15) || 15;

// Saves a second apart, as a developer makes them. (@parcel/watcher hands over the first event
// of a burst at once only after 500 ms without events; saves 100 ms apart each wait ~50 ms more.)
const PAUSE_MS = 1000;

execFileSync('bash', [join(root, 'scripts/busybox-image.sh')], { stdio: 'inherit' });

async function untilServed(url, marker, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await get(url)).includes(marker)) return;
    await new Promise((r) => setTimeout(r, 5));
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

function seedCopy(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(root, 'examples/seed'), dir, { recursive: true });
  return dir;
}

async function tiltLoop() {
  const dir = seedCopy('bench-lu-');
  const port = await freePort();
  const tf = join(dir, 'Tiltfile');
  writeFileSync(
    tf,
    readFileSync(tf, 'utf8')
      .replace('port_forwards=3000', `port_forwards='${port}:3000'`)
      .replace(
        "ignore=['base.Dockerfile'])",
        "ignore=['base.Dockerfile'],\n    live_update=[sync('.', '/var/www/app')])",
      ),
  );
  const webPort = await freePort();
  const child = spawn(
    process.execPath,
    [join(root, 'bin/tilt'), 'up', '-f', tf, '--port', String(webPort), '--stream'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/`;
  const times = [];
  try {
    await untilServed(url, 'Hello from tilt-ts', 180_000);
    for (let i = 0; i < samples; i++) {
      const marker = `tilt-${i}-${Date.now()}`;
      const t0 = performance.now();
      writeFileSync(join(dir, 'public/index.html'), `<h1>${marker}</h1>\n`);
      await untilServed(url, marker);
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, PAUSE_MS));
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
  const dir = seedCopy('bench-lu-manual-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const name = `bench-lu-manual-${process.pid}`;
  docker('build', '-q', '-t', 'example-base-image', '-f', join(dir, 'base.Dockerfile'), dir);
  docker('build', '-q', '-t', 'bench-lu-manual-app', '-f', join(dir, 'app.Dockerfile'), dir);
  docker('run', '-d', '--name', name, '-p', `127.0.0.1:${port}:3000`, 'bench-lu-manual-app');
  const times = [];
  try {
    await untilServed(url, 'Hello from tilt-ts');
    for (let i = 0; i < samples; i++) {
      const marker = `manual-${i}-${Date.now()}`;
      const t0 = performance.now();
      writeFileSync(join(dir, 'public/index.html'), `<h1>${marker}</h1>\n`);
      execFileSync('sh', [
        '-c',
        `tar -c -C "${dir}" public/index.html | docker exec -i ${name} tar -x -C /var/www/app`,
      ]);
      await untilServed(url, marker);
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  } finally {
    docker('rm', '-f', name);
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

const manual = await manualLoop();
const tilt = await tiltLoop();
const fmt = (xs) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(`save → served with live update, ${samples} samples each`);
console.log(`  by hand (tar -c | docker exec -i tar -x):  ${fmt(manual)}`);
console.log(`  tilt up (watch, live update, port-forward): ${fmt(tilt)}`);
console.log(`  ratio tilt/by hand: ${(median(tilt) / median(manual)).toFixed(2)}`);
