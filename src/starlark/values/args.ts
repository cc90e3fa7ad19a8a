// Argument unpacking for builtins, with go.starlark.net's messages.

import { EvalError } from '../errors.js';
import { nearest } from './spell.js';
import { None, typeOf, type Kwargs, type Value } from './value.js';

/**
 * Unpacks positional and keyword arguments into the named parameters.
 * A name ending in `?` is optional. Absent optional parameters are undefined.
 * With `noneIsUnset`, an explicit None also reads as undefined.
 */
export function unpackArgs(
  fn: string,
  args: Value[],
  kwargs: Kwargs,
  params: string[],
  noneIsUnset = false,
): (Value | undefined)[] {
  const n = params.length;
  const out: (Value | undefined)[] = new Array(n).fill(undefined);
  if (args.length > n)
    throw new EvalError(`${fn}: got ${args.length} arguments, want at most ${n}`);
  for (let i = 0; i < args.length; i++) out[i] = args[i];
  if (kwargs.length > 0) {
    for (const [name, v] of kwargs) {
      let found = -1;
      for (let i = 0; i < n; i++) {
        if (paramName(params[i]) === name) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        let msg = `${fn}: unexpected keyword argument ${name}`;
        const near = nearest(name, params.map(paramName));
        if (near) msg += ` (did you mean ${near}?)`;
        throw new EvalError(msg);
      }
      if (out[found] !== undefined)
        throw new EvalError(`${fn}: got multiple values for keyword argument ${name}`);
      out[found] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    if (out[i] === undefined && !params[i].endsWith('?')) {
      throw new EvalError(`${fn}: missing argument for ${paramName(params[i])}`);
    }
    if (noneIsUnset && out[i] === None) out[i] = undefined;
  }
  return out;
}

function paramName(p: string): string {
  return p.endsWith('?') ? p.slice(0, -1) : p;
}

/** Positional-only arguments: at least min, at most max. */
export function unpackPositional(
  fn: string,
  args: Value[],
  kwargs: Kwargs,
  min: number,
  max: number,
): Value[] {
  if (kwargs.length > 0) throw new EvalError(`${fn}: unexpected keyword arguments`);
  if (args.length < min) {
    throw new EvalError(
      `${fn}: got ${args.length} arguments, want ${min < max ? 'at least ' : ''}${min}`,
    );
  }
  if (args.length > max) {
    throw new EvalError(
      `${fn}: got ${args.length} arguments, want ${max > min ? 'at most ' : ''}${max}`,
    );
  }
  return args;
}

/** Refuses any argument. */
export function noArgs(fn: string, args: Value[], kwargs: Kwargs): void {
  if (kwargs.length > 0) throw new EvalError(`${fn}: unexpected keyword arguments`);
  if (args.length > 0) throw new EvalError(`${fn}: got ${args.length} arguments, want 0`);
}

/** `fn: for parameter p: got T, want W` */
export function badArg(fn: string, param: string | number, v: Value, want: string): EvalError {
  return new EvalError(`${fn}: for parameter ${param}: got ${typeOf(v)}, want ${want}`);
}

export function argString(fn: string, param: string | number, v: Value): string {
  if (typeof v !== 'string') throw badArg(fn, param, v, 'string');
  return v;
}

export function argInt(fn: string, param: string | number, v: Value): number | bigint {
  if (typeof v !== 'number' && typeof v !== 'bigint') throw badArg(fn, param, v, 'int');
  return v;
}

/** An int that must fit a JS number used as a count or index (go's AsInt32). */
export function argSmallInt(fn: string, param: string | number, v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint')
    throw new EvalError(`${fn}: for parameter ${param}: ${v} out of range`);
  throw badArg(fn, param, v, 'int');
}

export function argBool(fn: string, param: string | number, v: Value): boolean {
  if (typeof v !== 'boolean') throw badArg(fn, param, v, 'bool');
  return v;
}
