#!/usr/bin/env node
// Memory while streaming a large build context: peak RSS against a baseline measured in the
// same process just before streaming. The context is tarred while it is read, one file chunk
// at a time, so the peak should not grow with the size of the context (target: under 150 MB).
//
// A context of --files files making --size-mb MB in all (default 16 files, 1024 MB) is made once
// in the temp directory, by a child process so that writing it does not count, and reused by
// later runs. It is then streamed through contextTar into a sink that reads at --rate MB/s
// (default 400, about what a local Docker daemon takes in; 0 for as fast as possible), or with
// --docker into a real `docker build` when a daemon answers at /var/run/docker.sock
// (--buildkit to build with BuildKit there).
// RSS is sampled every 50 ms. Uses the built code (npm run build first).
//
// Usage: node bench/context-rss.mjs [--size-mb N] [--files N] [--rate MBPS] [--docker [--buildkit]] [--dir D]

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const sizeMb = Number(opt('--size-mb', 1024));
const files = Number(opt('--files', 16));
const rate = Number(opt('--rate', 400));
const useDocker = args.includes('--docker');
const useBuildkit = args.includes('--buildkit');
const ctxDir = opt('--dir', join(tmpdir(), `tilt-ts-bench-context-${sizeMb}m-${files}f`));
const fileBytes = Math.floor((sizeMb * MB) / files);

// Child mode: write the context, 1 MB at a time.
if (args.includes('--generate')) {
  mkdirSync(ctxDir, { recursive: true });
  const block = randomBytes(MB);
  for (let f = 0; f < files; f++) {
    const p = join(ctxDir, 'data', `part-${String(f).padStart(3, '0')}.bin`);
    mkdirSync(dirname(p), { recursive: true });
    const fd = openSync(p, 'w');
    for (let off = 0; off < fileBytes; off += MB) {
      // Vary each block so that no two are alike.
      block.writeUInt32LE(f, 0);
      block.writeUInt32LE(off / MB, 4);
      writeSync(fd, block, 0, Math.min(MB, fileBytes - off));
    }
    closeSync(fd);
  }
  writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM scratch\nLABEL bench=context-rss\n');
  writeFileSync(join(ctxDir, 'READY'), `${sizeMb} ${files}\n`);
  process.exit(0);
}

function contextReady() {
  if (!existsSync(join(ctxDir, 'READY'))) return false;
  for (let f = 0; f < files; f++) {
    const p = join(ctxDir, 'data', `part-${String(f).padStart(3, '0')}.bin`);
    if (!existsSync(p) || statSync(p).size !== fileBytes) return false;
  }
  return true;
}

if (!contextReady()) {
  console.log(`making a ${sizeMb} MB context of ${files} files in ${ctxDir} ...`);
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args, '--generate'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const { contextTar } = await import(join(root, 'dist', 'build', 'context.js'));

const mb = (n) => `${(n / MB).toFixed(1)} MB`;
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// Baseline: the process with everything loaded, idle.
await sleep(200);
let baseline = 0;
for (let i = 0; i < 5; i++) {
  baseline = Math.max(baseline, process.memoryUsage().rss);
  await sleep(50);
}

let peak = baseline;
let peakHeap = 0;
let peakExternal = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
}, 50);

/** A sink that takes `rate` MB/s (no limit when 0). */
function throttledSink(mbPerSec) {
  let taken = 0;
  const start = process.hrtime.bigint();
  return new Writable({
    highWaterMark: 64 * 1024,
    write(chunk, _enc, cb) {
      taken += chunk.length;
      if (!mbPerSec) return cb();
      const due = (taken / (mbPerSec * MB)) * 1000;
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (due > elapsed + 1) setTimeout(cb, due - elapsed);
      else cb();
    },
  });
}

async function viaDocker(t) {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  await docker.ping();
  const res = await docker.buildImage(t.stream, {
    t: 'tilt-ts-bench-context-rss',
    dockerfile: t.dockerfileName,
    rm: true,
    version: useBuildkit ? '2' : '1',
  });
  const out = await new Promise((resolve, reject) =>
    docker.modem.followProgress(res, (err, o) => (err ? reject(err) : resolve(o))),
  );
  const failed = out.find((o) => o.error);
  if (failed) throw new Error(failed.error);
  await docker
    .getImage('tilt-ts-bench-context-rss')
    .remove()
    .catch(() => {});
}

let sinkName = rate ? `a sink taking ${rate} MB/s` : 'a sink taking all it gets';
if (useDocker) {
  if (existsSync('/var/run/docker.sock'))
    sinkName = `docker build (dockerode, ${useBuildkit ? 'BuildKit' : 'classic'})`;
  else console.log('no daemon at /var/run/docker.sock: using the throttled sink');
}

const t0 = process.hrtime.bigint();
const t = contextTar(ctxDir, {
  dockerfile: join(ctxDir, 'Dockerfile'),
  dockerfileContents: 'FROM scratch\nLABEL bench=context-rss\n',
  ignore: [],
  only: [],
});
if (sinkName.startsWith('docker')) await viaDocker(t);
else await pipeline(t.stream, throttledSink(rate));
const stats = await t.done;
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
clearInterval(sampler);

console.log(`context: ${ctxDir}: ${stats.files} files, ${mb(stats.fileBytes)}`);
console.log(`streamed: ${mb(stats.tarBytes)} of tar into ${sinkName} in ${secs.toFixed(1)} s`);
console.log(`  (${(stats.tarBytes / MB / secs).toFixed(0)} MB/s)`);
console.log(`baseline RSS: ${mb(baseline)}`);
console.log(`peak RSS:     ${mb(peak)}  (+${mb(peak - baseline)} over baseline)`);
console.log(`peak heap used: ${mb(peakHeap)}; peak external + array buffers: ${mb(peakExternal)}`);
console.log(`target peak RSS < 150 MB: ${peak < 150 * MB ? 'met' : 'NOT met'}`);
