// Starlark int and float arithmetic, conversions and parsing, with
// go.starlark.net's results and error messages.
//
// An int is a JS number when it is a safe integer and a bigint otherwise (see
// normInt). Every function here takes and returns ints in that form. JS
// bitwise operators work on 32 bits, so they are used only on int32 values.

import { EvalError } from '../errors.js';
import { Float, normInt, toBig, typeOf, type Value } from '../values/value.js';

export type Int = number | bigint;

const isInt32 = (v: number) => (v | 0) === v;

// ---- int arithmetic ----

export function intAdd(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normInt(toBig(a) + toBig(b));
}

export function intSub(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return normInt(toBig(a) - toBig(b));
}

export function intMul(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    // A product whose rounded value is safe was computed exactly.
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return normInt(toBig(a) * toBig(b));
}

export function intNeg(a: Int): Int {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return normInt(-a);
}

/** a // b, rounding towards negative infinity. */
export function intFloorDiv(a: Int, b: Int): Int {
  if (b === 0) throw new EvalError('floored division by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a % b; // exact
    let q = (a - r) / b; // an exact integer quotient
    if (r !== 0 && r < 0 !== b < 0) q -= 1;
    return q === 0 ? 0 : q;
  }
  const x = toBig(a);
  const y = toBig(b);
  let q = x / y;
  const r = x % y;
  if (r !== 0n && r < 0n !== y < 0n) q -= 1n;
  return normInt(q);
}

/** a % b, with the sign of b. */
export function intMod(a: Int, b: Int): Int {
  if (b === 0) throw new EvalError('integer modulo by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    let r = a % b;
    if (r !== 0 && r < 0 !== b < 0) r += b;
    return r === 0 ? 0 : r;
  }
  const y = toBig(b);
  let r = toBig(a) % y;
  if (r !== 0n && r < 0n !== y < 0n) r += y;
  return normInt(r);
}

/** a / b between ints: a float. */
export function intTrueDiv(a: Int, b: Int): number {
  const x = intToFloat(a);
  const y = intToFloat(b);
  if (y === 0) throw new EvalError('floating-point division by zero');
  return x / y;
}

export function intAnd(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number' && isInt32(a) && isInt32(b)) return a & b;
  return normInt(toBig(a) & toBig(b));
}

export function intOr(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number' && isInt32(a) && isInt32(b)) return a | b;
  return normInt(toBig(a) | toBig(b));
}

export function intXor(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number' && isInt32(a) && isInt32(b)) return a ^ b;
  return normInt(toBig(a) ^ toBig(b));
}

export function intNot(a: Int): Int {
  if (typeof a === 'number' && isInt32(a)) return ~a;
  return normInt(~toBig(a));
}

/** The shift count y as Go's AsInt32 reads it, with the shift operators' checks. */
function shiftCount(y: Value, left: boolean): number {
  if (typeof y === 'bigint' || (typeof y === 'number' && !isInt32(y))) {
    throw new EvalError(`${String(y)} out of range`);
  }
  if (typeof y !== 'number') throw new EvalError(`got ${typeOf(y)}, want int`);
  if (y < 0) throw new EvalError(`negative shift count: ${y}`);
  if (left && y >= 512) throw new EvalError(`shift count too large: ${y}`);
  return y;
}

/** x << y; y may be any value (non-ints fail as in go.starlark.net). */
export function intShl(x: Int, y: Value): Int {
  const n = shiftCount(y, true);
  if (typeof x === 'number') {
    const r = x * 2 ** n; // exact while safe
    if (Number.isSafeInteger(r)) return r;
  }
  return normInt(toBig(x) << BigInt(n));
}

/** x >> y, an arithmetic shift. */
export function intShr(x: Int, y: Value): Int {
  const n = shiftCount(y, false);
  if (typeof x === 'number') {
    if (n >= 64) return x < 0 ? -1 : 0;
    return Math.floor(x / 2 ** n);
  }
  return normInt(x >> BigInt(n));
}

// ---- float arithmetic ----

export function floatDiv(x: number, y: number): number {
  if (y === 0) throw new EvalError('floating-point division by zero');
  return x / y;
}

/** x // y for floats. */
export function floatFloorDiv(x: number, y: number): number {
  if (y === 0) throw new EvalError('floored division by zero');
  return Math.floor(x / y);
}

/** x % y for floats, with the sign of y (unlike C's fmod). */
export function floatMod(x: number, y: number): number {
  if (y === 0) throw new EvalError('floating-point modulo by zero');
  let z = x % y;
  if (x < 0 !== y < 0 && z !== 0) z += y;
  return z;
}

// ---- conversions ----

/** The float nearest i; fails if that is infinite. */
export function intToFloat(i: Int): number {
  if (typeof i === 'number') return i;
  const f = Number(i); // rounds to nearest, ties to even
  if (!Number.isFinite(f)) throw new EvalError('int too large to convert to float');
  return f;
}

/** Truncates a float towards zero, exactly. The message has no "int:" prefix. */
export function floatToInt(f: number): Int {
  if (f !== f) throw new EvalError('cannot convert float NaN to integer');
  if (!Number.isFinite(f)) throw new EvalError('cannot convert float infinity to integer');
  const t = Math.trunc(f);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  return normInt(BigInt(t));
}

/** go.starlark.net's NumberToInt: an int as is, a float truncated. */
export function numberToInt(v: Value): Int {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Float) return floatToInt(v.v);
  throw new EvalError(`cannot convert ${typeOf(v)} to int`);
}

// ---- operators on numbers ----

function asFloat(v: Value): number | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return intToFloat(v);
  if (v instanceof Float) return v.v;
  return undefined;
}

/**
 * x op y when it is an int or float operation, as go.starlark.net's Binary
 * computes it; undefined when the operands are not numbers of a kind that op
 * takes (the caller then tries other types or reports "unknown binary op").
 * op is one of + - * / // % | & ^ << >>.
 */
export function binaryNumeric(op: string, x: Value, y: Value): Value | undefined {
  const xi = typeof x === 'number' || typeof x === 'bigint';
  const yi = typeof y === 'number' || typeof y === 'bigint';
  if (xi && yi) {
    const a = x as Int;
    const b = y as Int;
    switch (op) {
      case '+':
        return intAdd(a, b);
      case '-':
        return intSub(a, b);
      case '*':
        return intMul(a, b);
      case '/':
        return new Float(intTrueDiv(a, b));
      case '//':
        return intFloorDiv(a, b);
      case '%':
        return intMod(a, b);
      case '|':
        return intOr(a, b);
      case '&':
        return intAnd(a, b);
      case '^':
        return intXor(a, b);
    }
  }
  if (xi && (op === '<<' || op === '>>')) {
    return op === '<<' ? intShl(x as Int, y) : intShr(x as Int, y);
  }
  if (!(xi || x instanceof Float) || !(yi || y instanceof Float)) return undefined;
  if (op === '%' && yi && y === 0) throw new EvalError('floating-point modulo by zero');
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '//':
    case '%': {
      const a = asFloat(x)!; // may fail: int too large to convert to float
      const b = asFloat(y)!;
      switch (op) {
        case '+':
          return new Float(a + b);
        case '-':
          return new Float(a - b);
        case '*':
          return new Float(a * b);
        case '/':
          return new Float(floatDiv(a, b));
        case '//':
          return new Float(floatFloorDiv(a, b));
        default:
          return new Float(floatMod(a, b));
      }
    }
  }
  return undefined;
}

/** op x for op in - + ~ on numbers; undefined when x does not take op. */
export function unaryNumeric(op: string, x: Value): Value | undefined {
  if (typeof x === 'number' || typeof x === 'bigint') {
    if (op === '-') return intNeg(x);
    if (op === '+') return x;
    if (op === '~') return intNot(x);
  } else if (x instanceof Float) {
    if (op === '-') return new Float(-x.v);
    if (op === '+') return x;
  }
  return undefined;
}

// ---- parsing ----

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20; // lower case
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  return 99;
}

/** Unsigned digits in base 2..36 (Go's big.Int SetString, no sign, no '_'); undefined if invalid. */
function parseDigits(s: string, base: number): Int | undefined {
  if (s.length === 0) return undefined;
  for (let i = 0; i < s.length; i++) if (digitValue(s.charCodeAt(i)) >= base) return undefined;
  // Chunks of n digits are exact in a number: base^n < 2^53.
  const n = base <= 10 ? 15 : 10;
  if (s.length <= n) return parseInt(s, base);
  const chunkBase = BigInt(base) ** BigInt(n);
  let i = s.length % n || n;
  let acc = BigInt(parseInt(s.slice(0, i), base));
  for (; i < s.length; i += n) acc = acc * chunkBase + BigInt(parseInt(s.slice(i, i + n), base));
  return normInt(acc);
}

/**
 * int(s, base) for a string s: optional sign, then a 0b/0o/0x prefix honoured
 * when base is 0 or matches it; base 0 infers the base from the prefix and
 * otherwise requires decimal (with a leading 0 only for zero). base undefined
 * means 10.
 */
export function parseIntLiteral(s: string, base: number | undefined, fnName = 'int'): Int {
  const b = base ?? 10;
  if (b !== 0 && (b < 2 || b > 36))
    throw new EvalError(`${fnName}: base must be an integer >= 2 && <= 36`);
  const r = parseIntString(s, b);
  if (r === undefined) throw new EvalError(`${fnName}: invalid literal with base ${b}: ${s}`);
  return r;
}

function parseIntString(s: string, base: number): Int | undefined {
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s.length > 1 && s[0] === '0') {
    let prefix = 0;
    if (s.length > 2) {
      const c = s[1].toLowerCase();
      prefix = c === 'o' ? 8 : c === 'x' ? 16 : c === 'b' ? 2 : 0;
    }
    if (prefix !== 0) {
      if (base === 0 || base === prefix) {
        base = prefix;
        s = s.slice(2);
      }
    } else if (base === 0) {
      // Base inference accepts a leading zero only in zero itself ("0755" fails).
      for (let i = 1; i < s.length; i++) if (s[i] !== '0') return undefined;
      return 0;
    }
  }
  if (base === 0) base = 10;
  const r = parseDigits(s, base);
  return r === undefined || !neg ? r : intNeg(r);
}

const DEC = '[0-9]+(?:_[0-9]+)*';
const HEX = '[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*';
// Go float syntax; '_' only between digits (or right after a 0x prefix).
const decFloat = new RegExp(`^[+-]?(?:${DEC}(?:\\.(?:${DEC})?)?|\\.${DEC})(?:[eE][+-]?${DEC})?$`);
const hexFloat = new RegExp(
  `^([+-]?)0[xX](?:_?(${HEX})(?:\\.(${HEX})?)?|\\.(${HEX}))[pP]([+-]?${DEC})$`,
);

/**
 * Go's strconv.ParseFloat(s, 64): the nearest float, ±Infinity when out of
 * range, undefined on a syntax error. The words inf, infinity and nan are
 * left to the callers that accept them.
 */
export function goParseFloat(s: string): number | undefined {
  if (decFloat.test(s)) return Number(s.includes('_') ? s.replace(/_/g, '') : s);
  const m = hexFloat.exec(s);
  if (!m) return undefined;
  const intPart = (m[2] ?? '').replace(/_/g, '');
  const fracPart = (m[3] ?? m[4] ?? '').replace(/_/g, '');
  const mant = BigInt('0x' + (intPart + fracPart || '0'));
  const exp = Number(m[5].replace(/_/g, '')) - 4 * fracPart.length;
  const v = mant === 0n ? 0 : binaryToFloat(mant, exp);
  return m[1] === '-' ? -v : v;
}

/** mant × 2^exp rounded once, to nearest even. */
function binaryToFloat(mant: bigint, exp: number): number {
  const bits = mant.toString(2).length;
  if (bits + exp - 1 < -1022) {
    // Below the normal range: round to a multiple of 2^-1074 directly.
    const k = -1074 - exp;
    const q = k > bits + 1 ? 0n : shiftRound(mant, k);
    return Number(q) * 2 ** -1074;
  }
  if (bits > 64) {
    // 64 bits and a sticky bit round to 53 bits as the full value would.
    const drop = bits - 64;
    const sticky = mant & ((1n << BigInt(drop)) - 1n) ? 1n : 0n;
    mant = (mant >> BigInt(drop)) | sticky;
    exp += drop;
  }
  return scalbn(Number(mant), exp);
}

/** m / 2^k rounded half to even (k may be negative). */
function shiftRound(m: bigint, k: number): bigint {
  if (k <= 0) return m << BigInt(-k);
  const K = BigInt(k);
  const q = m >> K;
  const rem = m & ((1n << K) - 1n);
  const half = 1n << (K - 1n);
  return rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
}

/** x × 2^n, exact while the result is normal. */
function scalbn(x: number, n: number): number {
  if (n > 1023) {
    x *= 2 ** 1023;
    n -= 1023;
    if (n > 1023) {
      x *= 2 ** 1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    x *= 2 ** -969;
    n += 969;
    if (n < -1022) {
      x *= 2 ** -969;
      n += 969;
      if (n < -1022) n = -1022;
    }
  }
  return x * 2 ** n;
}

/** float(s) for a string s, with go.starlark.net's messages. */
export function parseFloatLiteral(s: string): number {
  if (s === '') throw new EvalError('float: empty string');
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
  const f = goParseFloat(s);
  if (f !== undefined && !Number.isFinite(f))
    throw new EvalError('floating-point number too large');
  if (f === undefined) throw new EvalError(`invalid float literal: ${s}`);
  return f;
}
