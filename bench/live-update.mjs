#!/usr/bin/env node
// Save → served through live update: the time from saving a file of the seed
// example (with live_update=[sync('.', '/var/www/app')]) to the new content
// being served at the forwarded port, against the same copy done by hand in
// the same run: `tar -c FILE | docker exec -i CONTAINER tar -x -C DIR` into a
// container of the same image, then polling its published port.
// Uses the built code (npm run build first) and the local Docker engine.
//
// Usage: node bench/live-update.mjs [--samples N]

import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './lib/net.mjs';
import { docker, median, seedCopy, summary, tiltSaveTimes, untilServed } from './lib/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const samples = Number(args[args.indexOf('--samples') + 1] || 15) || 15;

// Saves a second apart, as a developer makes them. (@parcel/watcher hands over the first event
// of a burst at once only after 500 ms without events; saves 100 ms apart each wait ~50 ms more.)
const PAUSE_MS = 1000;

execFileSync('bash', [join(root, 'scripts/busybox-image.sh')], { stdio: 'inherit' });

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
      await untilServed(url, marker, 60_000, 5);
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
const tilt = await tiltSaveTimes({
  samples,
  pauseMs: PAUSE_MS,
  pollMs: 5,
  editTiltfile: (t) =>
    t.replace(
      "ignore=['base.Dockerfile'])",
      "ignore=['base.Dockerfile'],\n    live_update=[sync('.', '/var/www/app')])",
    ),
});
console.log(`save → served with live update, ${samples} samples each`);
console.log(`  by hand (tar -c | docker exec -i tar -x):  ${summary(manual)}`);
console.log(`  tilt up (watch, live update, port-forward): ${summary(tilt)}`);
console.log(`  ratio tilt/by hand: ${(median(tilt) / median(manual)).toFixed(2)}`);
