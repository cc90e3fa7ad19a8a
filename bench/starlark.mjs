#!/usr/bin/env node
// Starlark execution speed against CPython, measured in the same run.
//
// Each workload (the bench_* functions of the conformance suite's
// benchmark.star, and a Tiltfile-shaped program of our own) is written in the
// common subset of Starlark and Python. It runs under `tilt alpha starlark`
// and under python3, alternately, several times; the best wall time of each is
// kept. Process start-up (an empty program) is measured the same way and
// subtracted, so the ratio compares execution, not interpreter launch.
//
// Usage: node bench/starlark.mjs [--runs N] [--scale X] [--target MS] [filter]
//   ratio = tilt time / python time; below 1.0 means faster than CPython.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suite =
  process.env.STARLARK_CONFORMANCE_DIR ?? join(root, '..', 'shared', 'conformance', 'starlark');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return Number(v);
};
const runs = opt('--runs', 3);
const scale = opt('--scale', 1);
const filter = args[0] ?? '';

// Upstream's file ends with a function that has no body; keep what precedes it.
const upstream = readFileSync(join(suite, 'benchmark.star'), 'utf8');
const benchmarkStar = upstream.slice(0, upstream.indexOf('def bench_string_startswith'));
const tiltfileShaped = readFileSync(
  join(root, 'bench', 'starlark', 'tiltfile_shaped.star'),
  'utf8',
);

// Starting repetitions; each is scaled up until CPython runs the workload for
// about --target ms (default 400), so that start-up noise stays small.
const target = opt('--target', 400);
const workloads = [
  ['range_construction', benchmarkStar, 300000],
  ['range_iteration', benchmarkStar, 20000],
  ['calling', benchmarkStar, 40],
  ['builtin_method', benchmarkStar, 3000],
  ['int', benchmarkStar, 5000],
  ['bigint', benchmarkStar, 5000],
  ['gauss', benchmarkStar, 60],
  ['mix', benchmarkStar, 3000],
  ['dict_equal', benchmarkStar, 5000],
  ['set_equal', benchmarkStar, 10000],
  ['to_json_flat_mixed', benchmarkStar, 50000],
  ['to_json_flat_big', benchmarkStar, 1000],
  ['to_json_deep', benchmarkStar, 50000],
  ['issubset_unique_large_small', benchmarkStar, 5000],
  ['issubset_unique_small_large', benchmarkStar, 1000],
  ['issubset_duplicate_same', benchmarkStar, 10000],
  ['tiltfile', tiltfileShaped, 40],
].filter(([name]) => name.includes(filter));

const starlarkPrelude = 'def mkbench(n):\n    return struct(n = n)\n';
const pythonPrelude = [
  'import json as _json',
  'class json:',
  '    encode = staticmethod(lambda x: _json.dumps(x, separators=(",", ":")))',
  'class mkbench:',
  '    def __init__(self, n):',
  '        self.n = n',
  'def fail(*args):',
  '    raise Exception(" ".join([str(a) for a in args]))',
  '',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'starlark-bench-'));
// The interpreter binary itself, not a version manager's shell shim.
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).trim();
const tilt = join(root, 'bin', 'tilt');

function timeOnce(cmd, argv) {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Best of `runs` alternating runs: [tilt ms, python ms]. */
function measure(name, body, times = runs) {
  const star = join(dir, `${name}.star`);
  const py = join(dir, `${name}.py`);
  writeFileSync(star, starlarkPrelude + body);
  writeFileSync(py, pythonPrelude + body);
  let bestT = Infinity;
  let bestP = Infinity;
  for (let i = 0; i < times; i++) {
    bestT = Math.min(bestT, timeOnce('node', [tilt, 'alpha', 'starlark', star]));
    bestP = Math.min(bestP, timeOnce(python, [py]));
  }
  return [bestT, bestP];
}

const [startT, startP] = measure('empty', 'x = 1\n');
console.log(
  `start-up: tilt ${startT.toFixed(0)} ms, python3 ${startP.toFixed(0)} ms (subtracted below)`,
);
console.log('workload                          tilt ms   python ms   ratio');

let logSum = 0;
let totalT = 0;
let totalP = 0;
const program = (source, name, reps) => `${source}\nbench_${name}(mkbench(${reps}))\n`;
for (const [name, source, n] of workloads) {
  let reps = Math.max(1, Math.round(n * scale));
  const py = join(dir, `${name}.py`);
  writeFileSync(py, pythonPrelude + program(source, name, reps));
  const once = Math.max(1, timeOnce(python, [py]) - startP);
  reps = Math.max(reps, Math.round((reps * target) / once));
  const [t, p] = measure(name, program(source, name, reps));
  const et = Math.max(1, t - startT);
  const ep = Math.max(1, p - startP);
  totalT += et;
  totalP += ep;
  logSum += Math.log(et / ep);
  console.log(
    `${name.padEnd(32)} ${et.toFixed(0).padStart(8)} ${ep.toFixed(0).padStart(11)} ${(et / ep).toFixed(2).padStart(7)}`,
  );
}
console.log(`geometric mean ratio: ${Math.exp(logSum / workloads.length).toFixed(2)}`);
console.log(
  `total ratio: ${(totalT / totalP).toFixed(2)} (${totalT.toFixed(0)} ms vs ${totalP.toFixed(0)} ms)`,
);
