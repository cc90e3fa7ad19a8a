// Formatting and parsing conventions that Tilt's messages follow: Go's %q,
// %v of a string slice, %T of a Starlark value, time.ParseDuration.

import { quote } from '../../starlark/lib/quote.js';
import { Struct } from '../../starlark/values/struct.js';
import {
  Builtin,
  Bytes,
  Dict,
  Float,
  List,
  NoneType,
  Range,
  StarSet,
  Tuple,
  repr,
  typeOf,
  type Value,
} from '../../starlark/values/value.js';
import { fromHost, toHost } from '../args.js';

/** Go's strconv.Quote of host text. */
export function goQuote(s: string): string {
  return toHost(quote(fromHost(s)));
}

/** Go's %v of a []string: `[a b c]`. */
export function goList(xs: readonly string[]): string {
  return `[${xs.join(' ')}]`;
}

/** Types of Tiltfile values whose Go type name differs from their Starlark type name. */
const hostGoTypes = new Map<string, string>();

/** Registers the Go type name (as %T prints it in Tilt) of a Tiltfile value type. */
export function registerGoType(starlarkType: string, goType: string): void {
  hostGoTypes.set(starlarkType, goType);
}

/** Go's %T of a Starlark value, as Tilt's messages print it (e.g. `starlark.String`). */
export function goType(v: Value): string {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 'starlark.Int';
    case 'string':
      return 'starlark.String';
    case 'boolean':
      return 'starlark.Bool';
  }
  const hosted = hostGoTypes.get(v.type);
  if (hosted) return hosted;
  if (v instanceof NoneType) return 'starlark.NoneType';
  if (v instanceof Float) return 'starlark.Float';
  if (v instanceof Bytes) return 'starlark.Bytes';
  if (v instanceof List) return '*starlark.List';
  if (v instanceof Tuple) return 'starlark.Tuple';
  if (v instanceof Dict) return '*starlark.Dict';
  if (v instanceof StarSet) return '*starlark.Set';
  if (v instanceof Range) return 'starlark.rangeValue';
  if (v instanceof Builtin) return '*starlark.Builtin';
  if (v.type === 'function') return '*starlark.Function';
  if (v instanceof Struct) return '*starlarkstruct.Struct';
  return typeOf(v);
}

/**
 * The elements of a value that may be one value or a sequence of them: a list,
 * tuple, set or dict (its keys) gives its elements, None gives none.
 */
export function valueOrSequence(v: Value | undefined): Value[] {
  if (v === undefined || v instanceof NoneType) return [];
  if (v instanceof List || v instanceof Tuple) return v.elems.slice();
  if (v instanceof Dict) return v.keys();
  if (v instanceof StarSet) return v.elems();
  return [v];
}

const NS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3, // micro sign
  '\u03bcs': 1e3, // Greek small letter mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** 2^63 ns: Go's durations are int64 nanoseconds. */
const DURATION_LIMIT_NS = 2 ** 63;

/**
 * Parses a duration as Go's time.ParseDuration does ("1h30m", "300ms", "-1.5s"),
 * returning milliseconds. Throws an Error with Go's message when invalid.
 */
export function parseGoDuration(orig: string): number {
  const invalid = () => new Error(`time: invalid duration ${goQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    let i = 0;
    while (isDigit(s[i])) i++;
    const whole = s.slice(0, i);
    let frac = '';
    s = s.slice(i);
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (isDigit(s[j])) j++;
      frac = s.slice(0, j);
      s = s.slice(j);
    }
    if (whole === '' && frac === '') throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    const unit = s.slice(0, k);
    s = s.slice(k);
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(orig)}`);
    const scale = NS_PER_UNIT[unit];
    if (scale === undefined) {
      throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`);
    }
    const value = Number(whole === '' ? '0' : whole) * scale + Number(`0.${frac || '0'}`) * scale;
    if (!Number.isFinite(value) || value >= DURATION_LIMIT_NS) throw invalid();
    total += value;
    if (total >= DURATION_LIMIT_NS) throw invalid();
  }
  const ns = neg ? -total : total;
  return ns / 1e6;
}

/**
 * The strings of a list of Starlark values, as Tilt's SequenceToStringSlice
 * gives them; a non-string throws `'<value>' is a <Go type>, not a string`.
 */
export function goStringSlice(elems: Value[]): string[] {
  return elems.map((e) => {
    if (typeof e !== 'string')
      throw new Error(`'${toHost(repr(e))}' is a ${goType(e)}, not a string`);
    return toHost(e);
  });
}
