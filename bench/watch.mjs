#!/usr/bin/env node
// File watcher benchmarks. Uses the built code (npm run build first).
//
// 1. Latency from writing a file to the batch callback, against a baseline measured in the same
//    run: the raw @parcel/watcher event latency plus the configured quiet period.
// 2. Idle cost: a tree of 10,000 files in 500 directories watched for 10 s with no change: CPU
//    time of the whole process (all threads) and RSS, for tilt's watcher and for a bare
//    @parcel/watcher subscription of the same tree.
// 3. Bursts: whether 1,000 and 5,000 files written one after another, a `cp -r` of a tree, a
//    `git checkout` of another branch and an editor's save sequence each arrive as one batch,
//    with a quiet period of 50 ms and of 200 ms.
//
// Usage: node bench/watch.mjs [--samples N] [--idle-seconds S] [--runs R] [--quiet 50,200]

import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import parcelWatcher from '@parcel/watcher';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { FileWatcher } = await import(join(root, 'dist', 'watch', 'index.js'));

const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}
const samples = opt('--samples', 15);
const idleSeconds = opt('--idle-seconds', 10);
const runs = opt('--runs', 3);
const qi = args.indexOf('--quiet');
const quiets = qi >= 0 ? args[qi + 1].split(',').map(Number) : [50, 200];

const temps = [];
function tempDir(label) {
  const d = realpathSync(mkdtempSync(join(tmpdir(), `tilt-watch-bench-${label}-`)));
  temps.push(d);
  return d;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
function run(cmd, argv, cwd) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { cwd, stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}
async function waitUntil(cond, timeoutMs, what) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// Parcel notifies the first event after a pause at once and later ones after 50 ms; samples are
// spaced beyond its 500 ms window so that every write is a first event, for both measurements.
const GAP_MS = 650;

// For each write: the first and the last native event naming the file. A write is an
// IN_CREATE and an IN_MODIFY; parcel may deliver them in two callbacks, the second 50 ms after the
// first (its debounce), and the quiet period runs from the last.
async function rawLatency() {
  const dir = tempDir('raw');
  let want = null;
  const sub = await parcelWatcher.subscribe(dir, (err, events) => {
    if (want && events.some((e) => e.path === want.path)) want.times.push(performance.now());
  });
  const first = [];
  const last = [];
  for (let i = 0; i < samples; i++) {
    await sleep(GAP_MS);
    const path = join(dir, `f${i}`);
    want = { path, times: [] };
    const t0 = performance.now();
    await writeFile(path, 'x');
    await waitUntil(() => want.times.length > 0, 10_000, 'the event');
    await sleep(300);
    first.push(want.times[0] - t0);
    last.push(want.times[want.times.length - 1] - t0);
  }
  await sub.unsubscribe();
  return { first, last };
}

async function ourLatency(quietMs) {
  const dir = tempDir(`lat${quietMs}`);
  const w = new FileWatcher({ quietMs });
  let want = null;
  await w.watch({ name: 'bench', paths: [dir] }, (b) => {
    if (want && b.paths.includes(want.path)) want.resolve(performance.now());
  });
  const out = [];
  for (let i = 0; i < samples; i++) {
    await sleep(GAP_MS);
    const path = join(dir, `f${i}`);
    const seen = new Promise((resolve) => (want = { path, resolve }));
    const t0 = performance.now();
    await writeFile(path, 'x');
    out.push((await seen) - t0);
  }
  await w.close();
  return out;
}

function inotifyWatches() {
  // Watches held by this process, from /proc (Linux only).
  try {
    let n = 0;
    for (const fd of readdirSync('/proc/self/fd')) {
      let link;
      try {
        link = readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        continue;
      }
      if (link !== 'anon_inode:inotify') continue;
      const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
      n += info.split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    }
    return n;
  } catch {
    return NaN;
  }
}

function makeTree(dir, dirs, filesPerDir) {
  const files = [];
  for (let d = 0; d < dirs; d++) {
    const sub = join(dir, `pkg${d % 25}`, `mod${d}`);
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < filesPerDir; f++) {
      const p = join(sub, `file${f}.ts`);
      writeFileSync(p, `export const x${f} = ${f};\n`);
      files.push(p);
    }
  }
  return files;
}

async function idle(kind, dir) {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let close;
  if (kind === 'tilt') {
    const w = new FileWatcher();
    await w.watch({ name: 'bench', paths: [dir] }, () => {});
    close = () => w.close();
  } else {
    const sub = await parcelWatcher.subscribe(dir, () => {});
    close = () => sub.unsubscribe();
  }
  const setupMs = performance.now() - t0;
  const watches = inotifyWatches();
  await sleep(1000);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await sleep(idleSeconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const rss = process.memoryUsage().rss;
  await close();
  return {
    setupMs,
    watches,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    rssMB: rss / 2 ** 20,
    rssDeltaMB: (rss - rss0) / 2 ** 20,
  };
}

// One burst: start watching `dir`, run `act`, wait until every expected path was delivered and
// then long enough for stragglers, and count the batches.
async function burst(quietMs, dir, act, expected) {
  const w = new FileWatcher({ quietMs });
  const batches = [];
  await w.watch({ name: 'bench', paths: [dir] }, (b) => batches.push(b));
  const t0 = performance.now();
  await act();
  const seen = new Set();
  await waitUntil(
    () => {
      for (const b of batches.splice(0)) {
        seen.add(b);
      }
      const got = new Set([...seen].flatMap((b) => b.paths));
      return expected.every((p) => got.has(p));
    },
    60_000,
    'the whole burst',
  );
  const lastMs = performance.now() - t0;
  await sleep(quietMs * 3 + 700);
  for (const b of batches.splice(0)) seen.add(b);
  await w.close();
  const paths = new Set([...seen].flatMap((b) => b.paths));
  return { batches: seen.size, paths: paths.size, ms: lastMs };
}

async function writeLoop(quietMs, n) {
  const dir = tempDir('write');
  for (let d = 0; d < 10; d++) mkdirSync(join(dir, `d${d}`));
  const files = [];
  for (let i = 0; i < n; i++) files.push(join(dir, `d${i % 10}`, `f${i}.txt`));
  return burst(
    quietMs,
    dir,
    async () => {
      for (const f of files) await writeFile(f, 'x');
    },
    files,
  );
}

async function copyTree(quietMs) {
  const src = tempDir('cpsrc');
  const dir = tempDir('cp');
  const files = makeTree(src, 50, 20).map((f) => join(dir, 'copy', relative(src, f)));
  return burst(quietMs, dir, () => run('cp', ['-r', src, join(dir, 'copy')]), files);
}

async function gitCheckout(quietMs) {
  const dir = tempDir('git');
  const git = (...a) => run('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...a], dir);
  await git('init', '-q', '-b', 'main');
  const files = makeTree(dir, 50, 20);
  await git('add', '-A');
  await git('commit', '-q', '-m', 'a');
  await git('checkout', '-q', '-b', 'other');
  const changed = [];
  for (let i = 0; i < files.length; i += 2) {
    writeFileSync(files[i], 'changed\n');
    changed.push(files[i]);
  }
  for (let d = 0; d < 10; d++) {
    const p = join(dir, 'added', `n${d}`, 'deep', 'x.ts');
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, 'new\n');
    changed.push(p);
  }
  await git('add', '-A');
  await git('commit', '-q', '-m', 'b');
  await git('checkout', '-q', 'main');
  return burst(quietMs, dir, () => git('checkout', '-q', 'other'), changed);
}

async function editorSave(quietMs) {
  // vim with backupcopy=no: probe the directory with 4913, move the file to a backup, write the
  // new file, delete the backup; plus the swap file being written.
  const dir = tempDir('vim');
  const file = join(dir, 'main.go');
  writeFileSync(file, 'package main\n');
  return burst(
    quietMs,
    dir,
    async () => {
      await writeFile(join(dir, '.main.go.swp'), 'swap');
      await writeFile(join(dir, '4913'), '');
      await unlink(join(dir, '4913'));
      await rename(file, `${file}~`);
      await writeFile(file, 'package main\n// edited\n');
      await unlink(`${file}~`);
      await writeFile(join(dir, '.main.go.swp'), 'swap2');
    },
    [file],
  );
}

try {
  console.log('# Latency: write -> batch callback (ms)');
  const raw = await rawLatency();
  const row = (label, xs) =>
    `${label.padEnd(34)} median ${quantile(xs, 0.5).toFixed(1).padStart(6)}   p90 ${quantile(xs, 0.9).toFixed(1).padStart(6)}`;
  console.log(row('raw @parcel/watcher, first event', raw.first));
  console.log(row('raw @parcel/watcher, last event', raw.last));
  const rawMed = quantile(raw.last, 0.5);
  for (const q of [...quiets].reverse()) {
    const ours = await ourLatency(q);
    const med = quantile(ours, 0.5);
    console.log(
      `${row(`tilt watcher, quiet ${q} ms`, ours)}   baseline (last + quiet) ${(rawMed + q).toFixed(1).padStart(6)}   ratio ${(med / (rawMed + q)).toFixed(3)}`,
    );
  }

  console.log(`\n# Idle: 10,000 files in 500 directories, ${idleSeconds} s without changes`);
  const tree = tempDir('idle');
  makeTree(tree, 500, 20);
  for (const kind of ['tilt', 'parcel']) {
    const r = await idle(kind, tree);
    console.log(
      `${kind === 'tilt' ? 'tilt watcher      ' : 'bare @parcel/watcher'}  setup ${r.setupMs.toFixed(0).padStart(5)} ms   inotify watches ${String(r.watches).padStart(4)}   CPU ${r.cpuMs.toFixed(1).padStart(6)} ms (${r.cpuPct.toFixed(3)}%)   RSS ${r.rssMB.toFixed(0)} MB (+${r.rssDeltaMB.toFixed(1)})`,
    );
  }

  console.log(`\n# Bursts: batches per burst (1 = coalesced), ${runs} runs each`);
  const cases = [
    ['1,000 files written in a loop', (q) => writeLoop(q, 1000)],
    ['5,000 files written in a loop', (q) => writeLoop(q, 5000)],
    ['cp -r of 1,000 files in 50 dirs', copyTree],
    ['git checkout: 500 changed, 10 new dirs', gitCheckout],
    ['vim save (4913, backup, swap)', editorSave],
  ];
  for (const [label, fn] of cases) {
    for (const q of quiets) {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await fn(q));
      console.log(
        `${label.padEnd(40)} quiet ${String(q).padStart(3)} ms   batches ${results.map((r) => r.batches).join(' ')}   paths ${results.map((r) => r.paths).join(' ')}   last path after ${results.map((r) => r.ms.toFixed(0)).join(' ')} ms`,
      );
    }
  }
} finally {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
}
