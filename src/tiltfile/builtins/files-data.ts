// Structured data exchanged with JSON and YAML: the plain values Tilt
// converts Starlark values to before encoding, and back after decoding.
// Only dicts with string keys, lists, strings, ints, floats, bools and None
// convert; anything else fails with Tilt's messages.

import { EvalError } from '../../starlark/errors.js';
import { Dict, Float, List, None, normInt, repr, type Value } from '../../starlark/values/value.js';
import { fromHost, toHost } from '../args.js';

/** A float, kept apart from ints (which are bigints). */
export class GoFloat {
  constructor(readonly v: number) {}
}

/** Structured data; map keys and strings are host text. */
export type Data = null | boolean | string | bigint | GoFloat | Data[] | DataMap;
export type DataMap = Map<string, Data>;

export function isDataMap(d: Data): d is DataMap {
  return d instanceof Map;
}

/** The Go type a value of this data has after Tilt's conversion (for messages). */
export function goTypeOfData(d: Data): string {
  if (d === null) return '<nil>';
  if (typeof d === 'boolean') return 'bool';
  if (typeof d === 'string') return 'string';
  if (typeof d === 'bigint') return 'int64';
  if (d instanceof GoFloat) return 'float64';
  if (Array.isArray(d)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** The Go type Tilt reports for a Starlark value it cannot convert. */
function goTypeOfValue(v: Value): string {
  if (typeof v !== 'object') return typeof v;
  switch (v.type) {
    case 'tuple':
      return 'starlark.Tuple';
    case 'set':
      return '*starlark.Set';
    case 'function':
      return '*starlark.Function';
    case 'builtin_function_or_method':
      return '*starlark.Builtin';
    case 'struct':
      return '*starlarkstruct.Struct';
    case 'module':
      return '*starlarkstruct.Module';
    case 'range':
      return 'starlark.rangeValue';
    case 'bytes':
      return 'starlark.Bytes';
    case 'blob':
      return 'io.Blob';
    default:
      return v.type;
  }
}

/** Converts a Starlark value to data; errors read `error converting object from starlark: ...`. */
export function toData(v: Value): Data {
  const path: Value[] = [];
  const conv = (x: Value): Data => {
    switch (typeof x) {
      case 'boolean':
        return x;
      case 'string':
        return toHost(x);
      case 'number':
        return BigInt(x);
      case 'bigint':
        return x;
    }
    if (x === None) return null;
    if (x instanceof Float) return new GoFloat(x.v);
    if (x instanceof List || x instanceof Dict) {
      if (path.includes(x))
        throw convError('unable to convert from starlark value, cycle detected');
      path.push(x);
      try {
        if (x instanceof List) return x.elems.map(conv);
        const out: DataMap = new Map();
        for (const { k, v: val } of x.entries()) {
          const kk = conv(k);
          if (typeof kk !== 'string') {
            throw convError(
              `only string keys are supported in maps. found key '${toHost(repr(k))}' of type ${goTypeOfData(kk)}`,
            );
          }
          out.set(kk, conv(val));
        }
        return out;
      } finally {
        path.pop();
      }
    }
    throw convError(`unable to convert from starlark value, unsupported type ${goTypeOfValue(x)}`);
  };
  return conv(v);
}

class ConvError extends EvalError {}

function convError(msg: string): EvalError {
  return new ConvError(`error converting object from starlark: ${msg}`);
}

/** Converts data to a fresh Starlark value. */
export function fromData(d: Data): Value {
  if (d === null) return None;
  switch (typeof d) {
    case 'boolean':
      return d;
    case 'string':
      return fromHost(d);
    case 'bigint':
      return normInt(d);
  }
  if (d instanceof GoFloat) return new Float(d.v);
  if (Array.isArray(d)) return new List(d.map(fromData));
  const out = new Dict();
  for (const [k, v] of d) out.setUnchecked(fromHost(k), fromData(v));
  return out;
}

/**
 * Go's JSON text of a float64 (encoding/json): the shortest decimal that
 * round-trips, in exponent form below 1e-6 and from 1e21 on.
 */
export function goJSONFloat(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const abs = Math.abs(f);
  if (abs < 1e-6 || abs >= 1e21) return f.toExponential();
  return String(f);
}

/** Go's strconv.FormatFloat(f, 'g', -1, bits). */
export function goFormatG(f: number, bits: 32 | 64 = 64): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const shortest = bits === 32 ? shortestFloat32(f) : f.toExponential();
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest)!;
  const sign = m[1];
  const digits = (m[2] + (m[3] ?? '')).replace(/0+$/, '') || '0';
  const exp = Number(m[4]);
  if (exp < -4 || exp >= 6) {
    // %e with the shortest digits and at least two exponent digits
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** The shortest exponent-form decimal that rounds to the same float32 as f. */
function shortestFloat32(f: number): string {
  const target = Math.fround(f);
  for (let p = 1; p <= 9; p++) {
    const s = target.toExponential(p - 1);
    if (Math.fround(Number(s)) === target) return s;
  }
  return target.toExponential(8);
}
