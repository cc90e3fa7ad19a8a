// `tilt alpha starlark`: run Starlark files, or conformance files with --conformance.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runConformance } from './conformance/runner.js';
import { EvalError, StarlarkSyntaxError, StarlarkSyntaxErrors } from './errors.js';
import { Thread } from './eval/thread.js';
import { execFile } from './interp.js';
import { jsonModule } from './lib/json.js';
import { mathModule } from './lib/math.js';
import { structBuiltin } from './lib/universe.js';
import { TILT_DIALECT } from './resolve/resolver.js';
import type { Value } from './values/value.js';

/** Beyond the universe, files run here see Tilt's `struct` and the json and math modules. */
const RUNNER_PREDECLARED: [string, Value][] = [
  ['struct', structBuiltin],
  ['json', jsonModule],
  ['math', mathModule],
];

export interface StarlarkCommandOptions {
  files: string[];
  conformance: boolean;
  lib?: string;
}

export async function runStarlarkCommand(opts: StarlarkCommandOptions): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  if (opts.conformance) return runConformance(opts.files, opts.lib, out);
  for (const file of opts.files) {
    const code = runFile(file, opts.lib);
    if (code !== 0) return code;
  }
  return 0;
}

/** Executes one file in the Tilt dialect; load() paths are relative to --lib or the loading file. */
function runFile(file: string, lib: string | undefined): number {
  const cache = new Map<string, Map<string, Value>>();
  const loading = new Set<string>();
  const exec = (thread: Thread, path: string): Map<string, Value> => {
    const abs = resolve(path);
    const hit = cache.get(abs);
    if (hit) return hit;
    if (loading.has(abs)) throw new EvalError(`cycle in load graph`);
    loading.add(abs);
    try {
      const globals = execFile(thread, path, readFileSync(path), {
        dialect: TILT_DIALECT,
        predeclared: new Map<string, Value>([...RUNNER_PREDECLARED, ['__file__', abs]]),
      });
      cache.set(abs, globals);
      return globals;
    } finally {
      loading.delete(abs);
    }
  };
  const thread = new Thread({
    load: (t, module) => exec(t, resolve(lib ?? dirname(file), module)),
  });
  try {
    exec(thread, file);
    return 0;
  } catch (e) {
    process.stderr.write(describeError(e) + '\n');
    return 1;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof EvalError) return Buffer.from(e.backtrace(), 'latin1').toString('utf8');
  if (e instanceof StarlarkSyntaxError || e instanceof StarlarkSyntaxErrors) return e.message;
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
