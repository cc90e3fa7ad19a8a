#!/usr/bin/env node
// Log store throughput and memory. Appends N log lines spread over 30 resources (each with a
// runtime span and a new build span now and then) with the default budgets (4 MiB per resource,
// 32 MiB in all), and compares with pushing the same strings into a plain array in the same
// process. Each size runs in a fresh child process so that its peak RSS is its own. Memory should
// stay flat as N grows with the store, and grow with N with the array. Uses the built code
// (npx tsc -p . first).
//
// Usage: node bench/logstore.mjs [--lines N] [--resources R]   (default 2000000 lines, 30 resources)

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), '..');

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const total = flag('--lines', 2_000_000);
const nres = flag('--resources', 30);
const MB = 1024 * 1024;

if (args.includes('--child')) {
  console.log(JSON.stringify(await child(flag('--child', total))));
} else {
  parent();
}

function parent() {
  const sizes = [...new Set([Math.round(total / 4), total])];
  const rows = sizes.map((n) =>
    JSON.parse(
      execFileSync(process.execPath, [here, '--child', String(n), '--resources', String(nres)], {
        encoding: 'utf8',
      }),
    ),
  );
  const mb = (b) => (b / MB).toFixed(1).padStart(9);
  const rate = (r) => `${(r / 1e6).toFixed(2)}M/s`.padStart(9);
  console.log(
    `${nres} resources; heap and rss figures are above the baseline measured before each run`,
  );
  console.log('');
  console.log(
    '    lines   store rate  array rate  store/array   store live heap: peak  end   peak rss   array live heap   store MB  segments',
  );
  for (const r of rows) {
    console.log(
      `${String(r.lines).padStart(9)} ${rate(r.store.rate)}  ${rate(r.array.rate)} ${(r.store.rate / r.array.rate).toFixed(2).padStart(11)}x ${mb(r.store.peakLive).padStart(22)} ${mb(r.store.endLive).padStart(5)} ${mb(r.store.peakRss - r.rssBase).padStart(10)} ${mb(r.array.endLive).padStart(17)} ${mb(r.store.bytes).padStart(10)} ${String(r.store.segments).padStart(9)}`,
    );
  }
  const [a, b] = [rows[0], rows[rows.length - 1]];
  console.log('');
  console.log(
    `growth ${a.lines} -> ${b.lines} lines: store peak live heap x${(b.store.peakLive / a.store.peakLive).toFixed(2)}, array x${(b.array.endLive / a.array.endLive).toFixed(2)}`,
  );
  console.log(
    `baseline before the runs: heap ${mb(b.heapBase).trim()} MB, rss ${mb(b.rssBase).trim()} MB`,
  );
  console.log(`${b.sample}`);
}

async function child(lines) {
  const { LogStore } = await import(join(root, 'dist', 'logs', 'index.js'));
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const live = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const names = Array.from({ length: nres }, (_, r) => `svc-${r}`);

  // The i-th line and where it goes: mostly runtime output, 2% build output in numbered builds.
  const entry = (i) => {
    const r = i % nres;
    const n = (i / nres) | 0;
    const build = n % 500 < 10;
    return {
      resource: names[r],
      spanId: build ? `build:${names[r]}:${(n / 500) | 0}` : `pod:${names[r]}:web`,
      source: build ? 'build' : 'runtime',
      level: n % 97 === 0 ? 'WARN' : 'INFO',
      text: `2024-05-01T12:00:00.${String(i % 1000).padStart(3, '0')}Z ${names[r]} GET /api/items/${i} 200 ${i % 89}ms\n`,
    };
  };
  const timed = (n, sink) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink(entry(i));
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };

  const heapBase = live();
  const rssBase = process.memoryUsage().rss;
  // Warm both paths up so that neither pays for compilation in its measured run.
  (() => {
    const s = new LogStore();
    timed(100_000, (e) => s.append(e));
    const arr = [];
    timed(100_000, (e) => arr.push(e.text));
  })();

  // Throughput, then peak RSS before anything else runs.
  let store = new LogStore();
  const storeRate = timed(lines, (e) => store.append(e));
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const endLive = live() - heapBase;
  const st = store.stats();
  const kept = store.since(0, { resources: ['svc-7'] });
  const first = kept.segments.find((s) => s.spanId === 'pod:svc-7:web');
  const sample = `svc-7 after ${lines} lines: ${kept.segments.length} segments, ${kept.dropped} lines dropped, first line still there: ${first?.text.trim()}`;
  store = null;

  // Live heap sampled along the way, in a separate pass so that the collections are not timed.
  live();
  let peakLive = 0;
  store = new LogStore();
  const every = Math.max(1, Math.floor(lines / 20));
  for (let i = 0; i < lines; i++) {
    store.append(entry(i));
    if (i % every === every - 1) peakLive = Math.max(peakLive, live() - heapBase);
  }
  store = null;
  live();

  // The baseline in the same process: the same strings into an array, which keeps them all.
  let arr = [];
  const arrayRate = timed(lines, (e) => arr.push(e.text));
  const arrayLive = live() - heapBase;
  arr = null;

  return {
    lines,
    heapBase,
    rssBase,
    sample,
    store: { rate: storeRate, peakRss, endLive, peakLive, bytes: st.bytes, segments: st.segments },
    array: { rate: arrayRate, endLive: arrayLive },
  };
}
