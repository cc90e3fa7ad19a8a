// Float formatting as go.starlark.net does it, on top of Go's strconv rules.
//
// str(float) is strconv.FormatFloat(f, 'g', -1, 64): the shortest digits that
// round-trip, in exponent form when the decimal exponent is < -4 or >= 6, with
// ".0" appended when the result shows neither a point nor an exponent.
// Non-finite values print as +inf, -inf and nan.

import { setFloatFormatter } from '../values/value.js';

/** Decimal digits d (no leading or trailing zeros) with value 0.d × 10^dp. */
interface Digits {
  d: string;
  dp: number;
}

/** The shortest digits that identify f (f finite, > 0). */
function shortestDigits(f: number): Digits {
  // toExponential() without an argument gives the shortest round-tripping
  // digits, choosing the closest candidate as Go's Ryu does.
  const s = f.toExponential();
  const e = s.indexOf('e');
  const d = s.slice(0, e).replace('.', '');
  return { d, dp: Number(s.slice(e + 1)) + 1 };
}

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of f (f finite, > 0). */
function exactDigits(f: number): Digits {
  f64.setFloat64(0, f);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    // m / 2^k == m * 5^k / 10^k
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  return { d: s.replace(/0+$/, ''), dp };
}

/** Rounds to nd digits, half to even on exact ties (Go's decimal.Round). */
function roundDigits(x: Digits, nd: number): Digits {
  const { d, dp } = x;
  if (nd < 0 || nd >= d.length) return x;
  const c = d.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 /* '5' */ && nd + 1 === d.length) {
    up = nd > 0 && (d.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  } else {
    up = c >= 0x35;
  }
  if (!up) return { d: d.slice(0, nd).replace(/0+$/, ''), dp };
  for (let i = nd - 1; i >= 0; i--) {
    if (d[i] !== '9') return { d: d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1), dp };
  }
  return { d: '1', dp: dp + 1 };
}

function fmtE(neg: boolean, x: Digits, prec: number, e: string): string {
  let out = neg ? '-' : '';
  out += x.d.length > 0 ? x.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const frac = x.d.slice(1, 1 + prec);
    out += frac + '0'.repeat(prec - frac.length);
  }
  const exp = x.d.length === 0 ? 0 : x.dp - 1;
  const a = Math.abs(exp);
  return out + e + (exp < 0 ? '-' : '+') + (a < 10 ? '0' + a : String(a));
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  const { d, dp } = x;
  let out = neg ? '-' : '';
  if (dp > 0) {
    const int = d.slice(0, dp);
    out += int + '0'.repeat(dp - int.length);
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = dp + i - 1;
      out += j >= 0 && j < d.length ? d[j] : '0';
    }
  }
  return out;
}

/**
 * Go's strconv.FormatFloat(f, verb, prec, 64): verbs e E f g G, prec -1 for the
 * shortest representation. Non-finite values give "+Inf", "-Inf", "NaN"; an
 * unknown verb gives "%" + verb, as Go does.
 */
export function goFormatFloat(f: number, verb: string, prec: number): string {
  if (f !== f) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  const shortest = prec < 0;
  let x: Digits;
  if (shortest) {
    x = a === 0 ? { d: '', dp: 0 } : shortestDigits(a);
    switch (verb) {
      case 'e':
      case 'E':
        prec = x.d.length - 1;
        break;
      case 'f':
        prec = Math.max(x.d.length - x.dp, 0);
        break;
      case 'g':
      case 'G':
        prec = x.d.length;
        break;
    }
  } else {
    x = a === 0 ? { d: '', dp: 0 } : exactDigits(a);
    switch (verb) {
      case 'e':
      case 'E':
        x = roundDigits(x, prec + 1);
        break;
      case 'f':
        x = roundDigits(x, x.dp + prec);
        break;
      case 'g':
      case 'G':
        if (prec === 0) prec = 1;
        x = roundDigits(x, prec);
        break;
    }
  }
  switch (verb) {
    case 'e':
    case 'E':
      return fmtE(neg, x, prec, verb);
    case 'f':
      return fmtF(neg, x, prec);
    case 'g':
    case 'G': {
      let eprec = prec;
      if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
      // The shortest form switches to an exponent as %e would at precision 6.
      if (shortest) eprec = 6;
      const exp = x.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > x.d.length) prec = x.d.length;
        return fmtE(neg, x, prec - 1, verb === 'g' ? 'e' : 'E');
      }
      if (prec > x.dp) prec = x.d.length;
      return fmtF(neg, x, Math.max(prec - x.dp, 0));
    }
  }
  return '%' + verb;
}

/**
 * go.starlark.net's Float.format: the form of f under the % conversions
 * e f g E F G (str uses g). %g is the shortest form with ".0" added when it has
 * neither point nor exponent; the others use precision 6 (Go has no 'F' verb,
 * so "%F" prints as "%F", exactly as go.starlark.net does).
 */
export function formatFloatConv(f: number, conv: string): string {
  if (f !== f) return 'nan';
  if (f === Infinity) return '+inf';
  if (f === -Infinity) return '-inf';
  if (conv === 'g' || conv === 'G') {
    const s = goFormatFloat(f, conv, -1);
    return s.includes(conv === 'g' ? 'e' : 'E') || s.includes('.') ? s : s + '.0';
  }
  return goFormatFloat(f, conv, 6);
}

/** str(f) and repr(f). */
export function formatFloatStr(f: number): string {
  return formatFloatConv(f, 'g');
}

setFloatFormatter(formatFloatStr);
