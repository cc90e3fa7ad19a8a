// Helpers for running Starlark programs in tests and observing what a user
// would see: printed lines, loaded modules, globals and errors.

import { expect } from 'vitest';
import { EvalError, StarlarkSyntaxError, StarlarkSyntaxErrors } from '../../src/starlark/errors.js';
import { Thread } from '../../src/starlark/eval/thread.js';
import { execFile } from '../../src/starlark/interp.js';
import { jsonModule } from '../../src/starlark/lib/json.js';
import { mathModule } from '../../src/starlark/lib/math.js';
import { structBuiltin } from '../../src/starlark/lib/universe.js';
import { STANDARD_DIALECT, type DialectOptions } from '../../src/starlark/resolve/resolver.js';
import {
  Dict,
  Float,
  List,
  None,
  Tuple,
  repr,
  str,
  type Value,
} from '../../src/starlark/values/value.js';

/** The file name programs run under, as it appears in positions and backtraces. */
export const FILE = 'x.star';

/** A Starlark byte string as the text a user sees (its bytes decoded as UTF-8). */
export function text(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Names predeclared for every program, as `tilt alpha starlark` does. */
const RUNNER_PREDECLARED: [string, Value][] = [
  ['struct', structBuiltin],
  ['json', jsonModule],
  ['math', mathModule],
];

export interface RunOptions {
  dialect?: DialectOptions;
  /** Extra predeclared names (in addition to struct, json and math). */
  predeclared?: Record<string, Value>;
  /** Module sources that load() can find, by module name. */
  modules?: Record<string, string>;
  maxSteps?: number;
  maxDepth?: number;
  file?: string;
}

export interface Outcome {
  /** Lines passed to print(), decoded as UTF-8. */
  printed: string[];
  /** Module names requested through load(), in request order (repeats included). */
  loaded: string[];
  thread: Thread;
  globals?: Map<string, Value>;
  error?: unknown;
}

/** Runs a program and records what happened, whether or not it failed. */
export function attempt(src: string | Uint8Array, opts: RunOptions = {}): Outcome {
  const printed: string[] = [];
  const loaded: string[] = [];
  const dialect = opts.dialect ?? STANDARD_DIALECT;
  const predeclared = new Map<string, Value>(RUNNER_PREDECLARED);
  for (const [k, v] of Object.entries(opts.predeclared ?? {})) predeclared.set(k, v);
  const modules = opts.modules ?? {};
  const cache = new Map<string, Map<string, Value>>();
  const thread = new Thread({
    print: (_t, msg) => printed.push(text(msg)),
    load: (t, module) => {
      loaded.push(module);
      const hit = cache.get(module);
      if (hit) return hit;
      const source = modules[module];
      if (source === undefined) throw new EvalError(`no module named ${module}`);
      const globals = execFile(t, module, source, { dialect, predeclared });
      cache.set(module, globals);
      return globals;
    },
    maxSteps: opts.maxSteps,
    maxDepth: opts.maxDepth,
  });
  const outcome: Outcome = { printed, loaded, thread };
  try {
    outcome.globals = execFile(thread, opts.file ?? FILE, src, { dialect, predeclared });
  } catch (e) {
    outcome.error = e;
  }
  return outcome;
}

/** Runs a program that must succeed; returns its globals and printed lines. */
export function run(
  src: string | Uint8Array,
  opts: RunOptions = {},
): { globals: Map<string, Value>; printed: string[]; loaded: string[] } {
  const o = attempt(src, opts);
  if (o.error !== undefined) throw o.error;
  return { globals: o.globals!, printed: o.printed, loaded: o.loaded };
}

/** The lines a successful program prints. */
export function printed(src: string, opts: RunOptions = {}): string[] {
  return run(src, opts).printed;
}

/** Runs a program that must fail; returns what it threw. */
export function runError(src: string | Uint8Array, opts: RunOptions = {}): unknown {
  const o = attempt(src, opts);
  expect(o.error, 'the program should have failed').toBeDefined();
  return o.error;
}

/** Runs a program that must fail at run time; returns the EvalError. */
export function evalError(src: string | Uint8Array, opts: RunOptions = {}): EvalError {
  const e = runError(src, opts);
  expect(e).toBeInstanceOf(EvalError);
  return e as EvalError;
}

/** The backtrace of a failing program, as text. */
export function backtrace(src: string | Uint8Array, opts: RunOptions = {}): string {
  return text(evalError(src, opts).backtrace());
}

/** Runs a program that must be rejected with exactly one syntax or resolve error. */
export function syntaxError(src: string | Uint8Array, opts: RunOptions = {}): StarlarkSyntaxError {
  const e = runError(src, opts);
  expect(e).toBeInstanceOf(StarlarkSyntaxError);
  return e as StarlarkSyntaxError;
}

/** The messages (`file:line:col: msg`) of all static errors of a rejected program. */
export function staticErrors(src: string | Uint8Array, opts: RunOptions = {}): string[] {
  const e = runError(src, opts);
  if (e instanceof StarlarkSyntaxErrors) return e.errors.map((x) => text(x.message));
  expect(e).toBeInstanceOf(StarlarkSyntaxError);
  return [text((e as StarlarkSyntaxError).message)];
}

/** A host value for assertions: ints, floats, strings (decoded), lists, tuples, dicts. */
export type HostValue =
  null | boolean | number | bigint | string | HostValue[] | Map<HostValue, HostValue>;

export function hostValue(v: Value): HostValue {
  switch (typeof v) {
    case 'number':
    case 'bigint':
    case 'boolean':
      return v;
    case 'string':
      return text(v);
  }
  if (v === None) return null;
  if (v instanceof Float) return v.v;
  if (v instanceof List || v instanceof Tuple) return v.elems.map(hostValue);
  if (v instanceof Dict) {
    return new Map(v.entries().map(({ k, v: x }) => [hostValue(k), hostValue(x)]));
  }
  return text(repr(v));
}

/** The value of a global of a successful program, as a host value. */
export function global(src: string, name: string, opts: RunOptions = {}): HostValue {
  const v = run(src, opts).globals.get(name);
  expect(v, `global ${name}`).toBeDefined();
  return hostValue(v!);
}

/** str(x) of a value, decoded. */
export function strOf(v: Value): string {
  return text(str(v));
}

/** repr(x) of a value, decoded. */
export function reprOf(v: Value): string {
  return text(repr(v));
}
