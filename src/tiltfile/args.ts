// Declaring Tiltfile builtins: argument unpacking with Tilt's messages and
// conversions from Starlark values to host values (paths, commands, lists).

import { isAbsolute, resolve } from 'node:path';
import { EvalError } from '../starlark/errors.js';
import type { Thread } from '../starlark/eval/thread.js';
import { nearest } from '../starlark/values/spell.js';
import { decodeUtf8, encodeUtf8 } from '../starlark/values/utf8.js';
import {
  Builtin,
  Dict,
  List,
  None,
  Tuple,
  typeOf,
  type Kwargs,
  type Value,
} from '../starlark/values/value.js';
import { Blob } from './values.js';
import type { TiltfileContext } from './context.js';

/** Host text of a Starlark string (Starlark strings hold UTF-8 bytes). */
export function toHost(s: string): string {
  return decodeUtf8(s);
}

/** A Starlark string holding host text. */
export function fromHost(s: string): string {
  return encodeUtf8(s);
}

export type TiltBuiltinFn = (a: Args, ctx: TiltfileContext, thread: Thread) => Value;

/**
 * Declares a builtin. `params` names the parameters in positional order; a
 * name ending in `?` is optional, and so is every one after it. Passing None
 * to an optional parameter counts as not passing it.
 */
export function tiltBuiltin(
  ctx: TiltfileContext,
  name: string,
  params: string[],
  fn: TiltBuiltinFn,
): Builtin {
  const names = params.map((p) => p.replace(/\?$/, ''));
  const firstOptional = params.findIndex((p) => p.endsWith('?'));
  const required = firstOptional < 0 ? params.length : firstOptional;
  return new Builtin(name, (thread, args, kwargs) => {
    const a = new Args(name, names, unpack(name, names, required, args, kwargs), ctx);
    return fn(a, ctx, thread as Thread);
  });
}

function unpack(
  fn: string,
  names: string[],
  required: number,
  args: Value[],
  kwargs: Kwargs,
): (Value | undefined)[] {
  if (args.length > names.length) {
    throw new EvalError(`${fn}: got ${args.length} arguments, want at most ${names.length}`);
  }
  const out: (Value | undefined)[] = names.map((_, i) => args[i]);
  for (const [k, v] of kwargs) {
    const i = names.indexOf(k);
    if (i < 0) {
      let msg = `${fn}: unexpected keyword argument "${toHost(k)}"`;
      const n = nearest(k, names);
      if (n) msg += ` (did you mean ${n}?)`;
      throw new EvalError(msg);
    }
    if (out[i] !== undefined)
      throw new EvalError(`${fn}: got multiple values for keyword argument ${k}`);
    out[i] = v;
  }
  for (let i = 0; i < names.length; i++) {
    if (out[i] === None && i >= required) out[i] = undefined;
    if (out[i] === undefined && i < required)
      throw new EvalError(`${fn}: missing argument for ${names[i]}`);
  }
  return out;
}

/** The arguments of one builtin call, with typed accessors. */
export class Args {
  private readonly values = new Map<string, Value | undefined>();

  constructor(
    readonly fn: string,
    names: string[],
    values: (Value | undefined)[],
    private readonly ctx: TiltfileContext,
  ) {
    names.forEach((n, i) => this.values.set(n, values[i]));
  }

  /** The raw value, or undefined when not given (or None). */
  get(name: string): Value | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.get(name) !== undefined;
  }

  error(param: string, got: Value, want: string): EvalError {
    return new EvalError(`${this.fn}: for parameter ${param}: got ${typeOf(got)}, want ${want}`);
  }

  /** A string parameter (a blob counts as its text), as host text. */
  string(name: string): string;
  string(name: string, dflt: string): string;
  string(name: string, dflt?: string): string | undefined;
  string(name: string, dflt?: string): string | undefined {
    const v = this.get(name);
    if (v === undefined) return dflt;
    if (typeof v === 'string') return toHost(v);
    if (v instanceof Blob) return v.text;
    throw this.error(name, v, 'string');
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.get(name);
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw this.error(name, v, 'bool');
    return v;
  }

  int(name: string, dflt: number): number;
  int(name: string, dflt?: number): number | undefined;
  int(name: string, dflt?: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return dflt;
    if (typeof v !== 'number') throw this.error(name, v, 'int');
    return v;
  }

  /** A list (or tuple) of strings; a single string is accepted when `orString`. */
  strings(name: string, orString = true): string[] {
    const v = this.get(name);
    if (v === undefined) return [];
    return stringList(this, name, v, orString);
  }

  /** A path relative to the directory of the Tiltfile being executed, made absolute. */
  path(name: string): string;
  path(name: string, dflt: string): string;
  path(name: string, dflt?: string): string | undefined;
  path(name: string, dflt?: string): string | undefined {
    const s = this.string(name, dflt);
    return s === undefined ? undefined : this.ctx.absPath(s);
  }

  /** A path or list of paths, each made absolute. */
  paths(name: string): string[] {
    return this.strings(name).map((p) => this.ctx.absPath(p));
  }

  /** A command: a string runs as ["sh", "-c", cmd], a list is argv as is; empty gives []. */
  command(name: string): string[] {
    const v = this.get(name);
    if (v === undefined) return [];
    if (typeof v === 'string' || v instanceof Blob) {
      const s = typeof v === 'string' ? toHost(v) : v.text;
      return s === '' ? [] : ['sh', '-c', s];
    }
    if (v instanceof List || v instanceof Tuple) return stringList(this, name, v, false);
    throw this.error(name, v, 'string or list of strings');
  }

  /** A dict of strings to strings. */
  stringDict(name: string): Record<string, string> {
    const v = this.get(name);
    if (v === undefined) return {};
    if (!(v instanceof Dict)) throw this.error(name, v, 'dict');
    const out: Record<string, string> = {};
    for (const { k, v: x } of v.entries()) {
      if (typeof k !== 'string') throw this.error(name, k, 'string keys');
      if (typeof x !== 'string') {
        throw new EvalError(
          `${this.fn}: for parameter ${name}: value of key "${toHost(k)}": got ${typeOf(x)}, want string`,
        );
      }
      out[toHost(k)] = toHost(x);
    }
    return out;
  }

  /** A value that must be a list (or tuple) of values of one Starlark type. */
  list<T extends Value>(name: string, is: (v: Value) => v is T, want: string): T[] {
    const v = this.get(name);
    if (v === undefined) return [];
    const elems = v instanceof List || v instanceof Tuple ? v.elems : [v];
    return elems.map((e) => {
      if (!is(e)) throw this.error(name, e, want);
      return e;
    });
  }
}

function stringList(a: Args, name: string, v: Value, orString: boolean): string[] {
  if (orString && typeof v === 'string') return [toHost(v)];
  if (orString && v instanceof Blob) return [v.text];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw a.error(name, v, orString ? 'string or list of strings' : 'list of strings');
  }
  return v.elems.map((e) => {
    if (typeof e === 'string') return toHost(e);
    if (e instanceof Blob) return e.text;
    throw new EvalError(`${a.fn}: for parameter ${name}: got ${typeOf(e)} in list, want string`);
  });
}

/** An absolute path from a base directory. */
export function absPath(dir: string, p: string): string {
  return isAbsolute(p) ? resolve(p) : resolve(dir, p);
}
