#!/usr/bin/env node
// Save → served: the time from saving a file of the seed example to the new
// content being served at the forwarded port, through tilt up's full rebuild
// path (watch, build of the app image FROM the base, pod replacement,
// port-forward), against the same done by hand in the same run: `docker
// build`, `docker rm -f`, `docker run -p`, then polling the published port.
// Uses the built code (npm run build first) and the local Docker engine.
//
// Usage: node bench/up-loop.mjs [--samples N]

import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './lib/net.mjs';
import { docker, median, seedCopy, summary, tiltSaveTimes, untilServed } from './lib/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const samples = Number(args[args.indexOf('--samples') + 1] || 8) || 8;

execFileSync('bash', [join(root, 'scripts/busybox-image.sh')], { stdio: 'inherit' });

async function manualLoop() {
  const dir = seedCopy('bench-manual-');
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
const tiltBuildKit = await tiltSaveTimes({ samples });
const tiltClassic = await tiltSaveTimes({ samples, env: { DOCKER_BUILDKIT: '0' } });
console.log(`save → served, ${samples} samples each`);
console.log(`  by hand (docker build, rm, run; CLI classic builder): ${summary(manual)}`);
console.log(`  tilt up (BuildKit when the engine offers it):        ${summary(tiltBuildKit)}`);
console.log(`  tilt up (DOCKER_BUILDKIT=0, classic builder):        ${summary(tiltClassic)}`);
console.log(
  `  ratio tilt/by hand: ${(median(tiltBuildKit) / median(manual)).toFixed(2)} (BuildKit), ${(median(tiltClassic) / median(manual)).toFixed(2)} (classic, like for like)`,
);
