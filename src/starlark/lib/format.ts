// String formatting: the `%` interpolation operator and str.format, with
// go.starlark.net's behaviour and messages.

import { EvalError } from '../errors.js';
import { decodeRune, encodeRune } from '../values/utf8.js';
import {
  Dict,
  Float,
  repr,
  StarObject,
  Tuple,
  typeOf,
  type Kwargs,
  type ThreadLike,
  type Value,
} from '../values/value.js';
import { formatFloatConv } from './floatfmt.js';
import { quote } from './quote.js';

// ---- % interpolation ----

/** go.starlark.net's NumberToInt: ints unchanged, floats truncated toward zero. */
function numberToInt(v: Value): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Float) {
    const f = v.v;
    if (f !== f) throw new Error('cannot convert float NaN to integer');
    if (!Number.isFinite(f)) throw new Error('cannot convert float infinity to integer');
    const t = Math.trunc(f);
    return Number.isSafeInteger(t) ? t + 0 : BigInt(t); // + 0 turns -0 into 0
  }
  throw new Error(`cannot convert ${typeOf(v)} to int`);
}

/** A value as a Go float64 (AsFloat), or undefined if it is not a number. */
function asFloat(v: Value): number | undefined {
  if (v instanceof Float) return v.v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

type HostMapping = StarObject & { getKey(k: Value): Value | undefined };

function isMapping(v: Value): v is Dict | HostMapping {
  return (
    v instanceof Dict ||
    (v instanceof StarObject && typeof (v as HostMapping).getKey === 'function')
  );
}

/** m[key] for the %(key)s form, or undefined if absent. */
function mappingGet(m: Value, key: string): Value | undefined {
  if (!isMapping(m)) throw new EvalError('format requires a mapping');
  return m instanceof Dict ? m.get(key) : m.getKey(key);
}

/** `format % arg`: Starlark string interpolation. */
export function percentFormat(format: string, arg: Value): string {
  const tuple = arg instanceof Tuple ? arg.elems : undefined;
  const nargs = tuple ? tuple.length : 1;
  let out = '';
  let index = 0;
  let i = 0;
  for (;;) {
    const p = format.indexOf('%', i);
    if (p < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, p);
    i = p + 1;
    if (format[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    let x: Value;
    if (format[i] === '(') {
      // %(name)s takes its value from a mapping
      const j = format.indexOf(')', i + 1);
      if (j < 0) throw new EvalError('incomplete format key');
      const key = format.slice(i + 1, j);
      const v = mappingGet(arg, key);
      if (v === undefined) throw new EvalError(`key not found: ${key}`);
      x = v;
      i = j + 1;
    } else {
      if (index >= nargs) throw new EvalError('not enough arguments for format string');
      x = tuple ? tuple[index] : arg;
    }
    if (i >= format.length) throw new EvalError('incomplete format');
    const c = format[i];
    out += convert(c, x);
    i++;
    index++;
  }
  if (index < nargs && !isMapping(arg)) {
    throw new EvalError('too many arguments for format string');
  }
  return out;
}

function convert(c: string, x: Value): string {
  switch (c) {
    case 's':
      return typeof x === 'string' ? x : repr(x);
    case 'r':
      return repr(x);
    case 'd':
    case 'i':
    case 'o':
    case 'x':
    case 'X': {
      let n: number | bigint;
      try {
        n = numberToInt(x);
      } catch (e) {
        throw new EvalError(`%${c} format requires integer: ${(e as Error).message}`);
      }
      if (c === 'o') return n.toString(8);
      if (c === 'x') return n.toString(16);
      if (c === 'X') return n.toString(16).toUpperCase();
      return n.toString();
    }
    case 'e':
    case 'f':
    case 'g':
    case 'E':
    case 'F':
    case 'G': {
      const f = asFloat(x);
      if (f === undefined) throw new EvalError(`%${c} format requires float, not ${typeOf(x)}`);
      return formatFloatConv(f, c);
    }
    case 'c':
      if (typeof x === 'number' || typeof x === 'bigint') {
        if (typeof x === 'bigint' || x < 0 || x > 0x10ffff) {
          throw new EvalError(`%c format requires a valid Unicode code point, got ${x}`);
        }
        return encodeRune(x);
      }
      if (typeof x === 'string') {
        const [r, size] = decodeRune(x, 0);
        if (size !== x.length || x.length === 0) {
          throw new EvalError('%c format requires a single-character string');
        }
        return encodeRune(r);
      }
      throw new EvalError(`%c format requires int or single-character string, not ${typeOf(x)}`);
    case '%':
      return '%';
    default:
      // c is one byte; Go prints it as the rune of that value
      throw new EvalError(`unknown conversion %${encodeRune(c.charCodeAt(0))}`);
  }
}

// ---- str.format ----

/** A run of decimal digits as an index (Go's `decimal`), or -1. */
function decimal(s: string): number {
  if (!/^[0-9]*$/.test(s)) return -1;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Appends the literal text, turning "}}" into "}" and refusing a lone '}'. */
function literal(text: string): string {
  if (!text.includes('}')) return text;
  let out = '';
  for (;;) {
    const j = text.indexOf('}');
    if (j < 0) return out + text;
    if (text[j + 1] !== '}') throw new EvalError("format: single '}' in format");
    out += text.slice(0, j + 1);
    text = text.slice(j + 2);
  }
}

/** `format.format(*args, **kwargs)`. */
export function strFormat(
  _thread: ThreadLike,
  format: string,
  args: Value[],
  kwargs: Kwargs,
): string {
  let auto = false;
  let manual = false;
  let index = 0;
  let out = '';
  for (;;) {
    const i = format.indexOf('{');
    out += literal(i < 0 ? format : format.slice(0, i));
    if (i < 0) break;
    if (format[i + 1] === '{') {
      out += '{';
      format = format.slice(i + 2);
      continue;
    }
    format = format.slice(i + 1);
    const j = format.indexOf('}');
    if (j < 0) throw new EvalError("format: unmatched '{' in format");
    let field = format.slice(0, j);
    format = format.slice(j + 1);

    let name: string;
    let conv = 's';
    let spec = '';
    const bang = field.indexOf('!');
    if (bang < 0) {
      const colon = field.indexOf(':');
      name = colon < 0 ? field : field.slice(0, colon);
      if (colon >= 0) spec = field.slice(colon + 1);
    } else {
      name = field.slice(0, bang);
      field = field.slice(bang + 1);
      const colon = field.indexOf(':');
      conv = colon < 0 ? field : field.slice(0, colon);
      if (colon >= 0) spec = field.slice(colon + 1);
    }

    let arg: Value | undefined;
    const num = name === '' ? -1 : decimal(name);
    if (name === '') {
      if (manual) {
        throw new EvalError(
          'format: cannot switch from manual field specification to automatic field numbering',
        );
      }
      auto = true;
      if (index >= args.length) throw new EvalError('format: tuple index out of range');
      arg = args[index++];
    } else if (num >= 0) {
      if (auto) {
        throw new EvalError(
          'format: cannot switch from automatic field numbering to manual field specification',
        );
      }
      manual = true;
      if (num >= args.length) throw new EvalError('format: tuple index out of range');
      arg = args[num];
    } else {
      for (const [k, v] of kwargs) {
        if (k === name) {
          arg = v;
          break;
        }
      }
      if (arg === undefined) {
        // Python's x.y, a[i] and nested {...} are not supported
        if (name.includes('.')) {
          throw new EvalError(
            `format: attribute syntax x.y is not supported in replacement fields: ${name}`,
          );
        }
        if (name.includes('[')) {
          throw new EvalError(
            `format: element syntax a[i] is not supported in replacement fields: ${name}`,
          );
        }
        if (name.includes('{'))
          throw new EvalError('format: nested replacement fields not supported');
        throw new EvalError(`format: keyword ${name} not found`);
      }
    }

    if (spec !== '') {
      throw new EvalError(`format spec features not supported in replacement fields: ${spec}`);
    }
    if (conv === 's') out += typeof arg === 'string' ? arg : repr(arg);
    else if (conv === 'r') out += repr(arg);
    else throw new EvalError(`format: unknown conversion ${quote(conv)}`);
  }
  return out;
}
