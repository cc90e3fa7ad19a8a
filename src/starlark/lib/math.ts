// The math module (go.starlark.net/lib/math). Functions whose Go algorithms
// differ from the JS engine's (Cephes-based trigonometry, sinh/cosh/tanh,
// pow, hypot, gamma, remainder, round) are computed the Go way so results
// agree to the last bit; exp, log, sqrt and the inverse hyperbolic functions
// use Math, which implements the same fdlibm algorithms as Go.

/* eslint-disable no-loss-of-precision -- coefficients are written as published */

import { EvalError } from '../errors.js';
import { unpackPositional } from '../values/args.js';
import { Builtin, Float, Module, typeOf, type Value } from '../values/value.js';
import { floatToInt } from './numbers.js';

const PI = Math.PI;

/** An int or float argument as a float (an int too large becomes ±Inf, as Int.Float does). */
function floatArg(fn: string, i: number, v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Float) return v.v;
  throw new EvalError(`${fn}: for parameter ${i}: got ${typeOf(v)}, want float or int`);
}

function unary(name: string, f: (x: number) => number): [string, Builtin] {
  return [
    name,
    new Builtin(name, (_t, args, kwargs) => {
      const [x] = unpackPositional(name, args, kwargs, 1, 1);
      return new Float(f(floatArg(name, 1, x)));
    }),
  ];
}

function binary(name: string, f: (x: number, y: number) => number): [string, Builtin] {
  return [
    name,
    new Builtin(name, (_t, args, kwargs) => {
      const [x, y] = unpackPositional(name, args, kwargs, 2, 2);
      return new Float(f(floatArg(name, 1, x), floatArg(name, 2, y)));
    }),
  ];
}

/** ceil and floor return ints; the type error has no function-name prefix in Go. */
function rounding(name: string, f: (x: number) => number): [string, Builtin] {
  return [
    name,
    new Builtin(name, (_t, args, kwargs) => {
      const [x] = unpackPositional(name, args, kwargs, 1, 1);
      if (typeof x === 'number' || typeof x === 'bigint') return x;
      if (x instanceof Float) return floatToInt(f(x.v));
      throw new EvalError(`got ${typeOf(x)}, want float or int`);
    }),
  ];
}

function log(_t: unknown, args: Value[], kwargs: [string, Value][]): Value {
  const [x, base] = unpackPositional('log', args, kwargs, 1, 2);
  const fx = floatArg('log', 1, x);
  const fb = base === undefined ? Math.E : floatArg('log', 2, base);
  if (fb === 1) throw new EvalError('division by zero');
  return new Float(Math.log(fx) / Math.log(fb));
}

// ---- Go's algorithms ----

const f64 = new DataView(new ArrayBuffer(8));
function signbit(x: number): boolean {
  f64.setFloat64(0, x);
  return f64.getUint8(0) >= 0x80;
}

function copysign(x: number, y: number): number {
  return signbit(x) === signbit(y) ? x : -x;
}

/** Nearest integer, halves away from zero. */
function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

/** IEEE 754 remainder: x - n*y with n = x/y rounded half to even. */
function remainder(x: number, y: number): number {
  if (x !== x || y !== y || !Number.isFinite(x) || y === 0) return NaN;
  if (!Number.isFinite(y)) return x;
  const neg = x < 0;
  x = Math.abs(x);
  y = Math.abs(y);
  if (x === y) return neg ? -0 : 0;
  if (y <= Number.MAX_VALUE / 2) x = x % (y + y); // now x < 2y
  if (y < 4.45014771701440276618e-308) {
    if (x + x > y) {
      x -= y;
      if (x + x >= y) x -= y;
    }
  } else {
    const half = 0.5 * y;
    if (x > half) {
      x -= y;
      if (x >= half) x -= y;
    }
  }
  return neg ? -x : x;
}

function hypot(p: number, q: number): number {
  if (p === Infinity || p === -Infinity || q === Infinity || q === -Infinity) return Infinity;
  if (p !== p || q !== q) return NaN;
  p = Math.abs(p);
  q = Math.abs(q);
  if (p < q) [p, q] = [q, p];
  if (p === 0) return 0;
  q = q / p;
  return p * Math.sqrt(1 + q * q);
}

// Cephes arctangent, as Go's math.Atan.
function xatan(x: number): number {
  const z = x * x;
  const p =
    (((-8.750608600031904122785e-1 * z - 1.615753718733365076637e1) * z -
      7.50085579231470466734e1) *
      z -
      1.22886668449013617341e2) *
      z -
    6.485021904942025371773e1;
  const q =
    ((((z + 2.485846490142306297962e1) * z + 1.650270098316988542046e2) * z +
      4.328810604912902668951e2) *
      z +
      4.853903996359136964868e2) *
      z +
    1.945506571482613964425e2;
  return x * ((z * p) / q) + x;
}

function satan(x: number): number {
  const morebits = 6.12323399573676588613e-17; // pi/2 = PIO2 + morebits
  if (x <= 0.66) return xatan(x);
  if (x > 2.4142135623730950488) return PI / 2 - xatan(1 / x) + morebits;
  return PI / 4 + xatan((x - 1) / (x + 1)) + 0.5 * morebits;
}

function atan(x: number): number {
  if (x === 0) return x;
  return x > 0 ? satan(x) : -satan(-x);
}

function asin(x: number): number {
  if (x === 0) return x;
  const neg = x < 0;
  if (neg) x = -x;
  if (x > 1) return NaN;
  let t = Math.sqrt(1 - x * x);
  t = x > 0.7 ? PI / 2 - satan(t / x) : satan(x / t);
  return neg ? -t : t;
}

function acos(x: number): number {
  return PI / 2 - asin(x);
}

function atan2(y: number, x: number): number {
  if (y !== y || x !== x) return NaN;
  if (y === 0) return x >= 0 && !signbit(x) ? copysign(0, y) : copysign(PI, y);
  if (x === 0) return copysign(PI / 2, y);
  if (!Number.isFinite(x)) {
    if (x > 0) return copysign(Number.isFinite(y) ? 0 : PI / 4, y);
    return copysign(Number.isFinite(y) ? PI : (3 * PI) / 4, y);
  }
  if (!Number.isFinite(y)) return copysign(PI / 2, y);
  const q = atan(y / x);
  if (x < 0) return q <= 0 ? q + PI : q - PI;
  return q;
}

// Cephes sin/cos/tan with Cody-Waite reduction by pi/4 in three parts.
const PI4A = 7.85398125648498535156e-1;
const PI4B = 3.77489470793079817668e-8;
const PI4C = 2.69515142907905952645e-15;
// Beyond this, Go reduces with Payne-Hanek; Math is used instead.
const REDUCE_THRESHOLD = 2 ** 29;

function sinPoly(z: number, zz: number): number {
  return (
    z +
    z *
      zz *
      (((((1.5896230157654656806e-10 * zz - 2.50507477628578072866e-8) * zz +
        2.75573136213857245213e-6) *
        zz -
        1.98412698295895385996e-4) *
        zz +
        8.33333333332211858878e-3) *
        zz -
        1.66666666666666307295e-1)
  );
}

function cosPoly(zz: number): number {
  return (
    1.0 -
    0.5 * zz +
    zz *
      zz *
      (((((-1.135853652138768173e-11 * zz + 2.08757008419747316778e-9) * zz -
        2.75573141792967388112e-7) *
        zz +
        2.48015872888517045348e-5) *
        zz -
        1.38888888888730564116e-3) *
        zz +
        4.16666666666665929218e-2)
  );
}

/** x (>= 0, below the threshold) reduced to [-pi/4, pi/4]: octant j and remainder z. */
function reduce(x: number): [number, number] {
  let j = Math.floor(x * (4 / PI));
  let y = j;
  if (j % 2 === 1) {
    // map zeros to origin
    j++;
    y++;
  }
  return [j % 8, x - y * PI4A - y * PI4B - y * PI4C];
}

function sin(x: number): number {
  if (x === 0 || x !== x) return x;
  if (!Number.isFinite(x)) return NaN;
  let neg = x < 0;
  if (neg) x = -x;
  if (x >= REDUCE_THRESHOLD) return neg ? -Math.sin(x) : Math.sin(x);
  const [j0, z] = reduce(x);
  let j = j0;
  if (j > 3) {
    neg = !neg;
    j -= 4;
  }
  const zz = z * z;
  const y = j === 1 || j === 2 ? cosPoly(zz) : sinPoly(z, zz);
  return neg ? -y : y;
}

function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  x = Math.abs(x);
  if (x >= REDUCE_THRESHOLD) return Math.cos(x);
  const [j0, z] = reduce(x);
  let j = j0;
  let neg = false;
  if (j > 3) {
    j -= 4;
    neg = !neg;
  }
  if (j > 1) neg = !neg;
  const zz = z * z;
  const y = j === 1 || j === 2 ? sinPoly(z, zz) : cosPoly(zz);
  return neg ? -y : y;
}

function tan(x: number): number {
  if (x === 0 || x !== x) return x;
  if (!Number.isFinite(x)) return NaN;
  const neg = x < 0;
  if (neg) x = -x;
  if (x >= REDUCE_THRESHOLD) return neg ? -Math.tan(x) : Math.tan(x);
  const [j, z] = reduce(x);
  const zz = z * z;
  let y = z;
  if (zz > 1e-14) {
    const p =
      (-1.30936939181383777646e4 * zz + 1.1535166483858741614e6) * zz - 1.79565251976484877988e7;
    const q =
      (((zz + 1.36812963470692954678e4) * zz - 1.32089234440210967447e6) * zz +
        2.50083801823357915839e7) *
        zz -
      5.38695755929454629881e7;
    y = z + z * ((zz * p) / q);
  }
  if (j & 2) y = -1 / y;
  return neg ? -y : y;
}

function sinh(x: number): number {
  const neg = x < 0;
  if (neg) x = -x;
  let t: number;
  if (x > 21) {
    t = Math.exp(x) / 2;
  } else if (x > 0.5) {
    t = (Math.exp(x) - Math.exp(-x)) / 2;
  } else {
    // Hart & Cheney #2029
    const sq = x * x;
    t =
      (((-0.2630563213397497062819489e2 * sq - 0.2894211355989563807284660366e4) * sq -
        0.8991272022039509355398013511e5) *
        sq -
        0.6307673640497716991184787251e6) *
      x;
    t =
      t /
      (((sq - 0.173678953558233699533450911e3) * sq + 0.1521517378790019070696485176e5) * sq -
        0.6307673640497716991212077277e6);
  }
  return neg ? -t : t;
}

function cosh(x: number): number {
  x = Math.abs(x);
  if (x > 21) return Math.exp(x) / 2;
  return (Math.exp(x) + Math.exp(-x)) / 2;
}

function tanh(x: number): number {
  const MAXLOG = 8.8029691931113054295988e1; // log(2**127)
  let z = Math.abs(x);
  if (z > 0.5 * MAXLOG) return x < 0 ? -1 : 1;
  if (z >= 0.625) {
    const s = Math.exp(2 * z);
    z = 1 - 2 / (s + 1);
    return x < 0 ? -z : z;
  }
  if (x === 0) return x;
  const s = x * x;
  return (
    x +
    (x *
      s *
      ((-9.64399179425052238628e-1 * s - 9.92877231001918586564e1) * s -
        1.61468768441708447952e3)) /
      (((s + 1.12811678491632931402e2) * s + 2.23548839060100448583e3) * s +
        4.84406305325125486048e3)
  );
}

function isOddInt(x: number): boolean {
  if (Math.abs(x) >= 2 ** 53) return false; // such floats are even
  return Number.isInteger(x) && Math.abs(x % 2) === 1;
}

/** x = frac × 2^exp with frac in [0.5, 1). */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x) || x !== x) return [x, 0];
  let e = 0;
  if (Math.abs(x) < 2 ** -1022) {
    x *= 2 ** 52;
    e = -52;
  }
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1022;
  f64.setUint32(0, (hi & 0x800fffff) | (1022 << 20));
  return [f64.getFloat64(0), e];
}

/** frac × 2^exp, rounded once. */
function ldexp(frac: number, exp: number): number {
  if (frac === 0 || !Number.isFinite(frac)) return frac;
  const [f, e] = frexp(frac);
  exp += e;
  if (exp < -1074) return copysign(0, f); // underflow
  if (exp > 1024) return f < 0 ? -Infinity : Infinity;
  // f in [0.5, 1): scale in two exact steps, so only the last one rounds.
  if (exp < -1021) return f * 2 ** (exp + 53) * 2 ** -53;
  return exp > 1023 ? f * 2 * 2 ** (exp - 1) : f * 2 ** exp;
}

function pow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x !== x || y !== y) return NaN;
  if (x === 0) {
    if (y < 0) return isOddInt(y) ? copysign(Infinity, x) : Infinity;
    if (y > 0) return isOddInt(y) ? x : 0;
  }
  if (!Number.isFinite(y)) {
    if (x === -1) return 1;
    return Math.abs(x) < 1 === y > 0 ? 0 : Infinity;
  }
  if (!Number.isFinite(x)) {
    if (x < 0) return pow(1 / x, -y); // pow(-0, -y)
    return y < 0 ? 0 : Infinity;
  }
  if (y === 0.5) return Math.sqrt(x);
  if (y === -0.5) return 1 / Math.sqrt(x);
  if (Number.isInteger(y) && y >= -128 && y <= 127) {
    // Small integer powers by repeated squaring, as Go does.
    const negExp = y < 0;
    let n = Math.abs(y);
    let r = 1.0;
    while (n > 1) {
      let t = x;
      let c = 1;
      while (c <= n >> 1) {
        t *= t;
        c *= 2;
      }
      n -= c;
      r *= t;
    }
    for (let i = 0; i < n; i++) r *= x;
    return negExp ? 1 / r : r;
  }
  let yi = Math.trunc(Math.abs(y));
  let yf = Math.abs(y) - yi;
  if (yf !== 0 && x < 0) return NaN;
  if (yi >= 2 ** 63) {
    // a large even int: overflow or underflow for all x but -1
    if (x === -1) return 1;
    return Math.abs(x) < 1 === y > 0 ? 0 : Infinity;
  }
  // ans = a1 × 2^ae
  let a1 = 1.0;
  let ae = 0;
  if (yf !== 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = Math.exp(yf * Math.log(x));
  }
  let [x1, xe] = frexp(x);
  for (let i = BigInt(yi); i !== 0n; i >>= 1n) {
    if (xe < -(1 << 12) || 1 << 12 < xe) {
      // the exponent will under- or overflow: let ldexp handle it
      ae += xe;
      break;
    }
    if (i & 1n) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < 0.5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  return ldexp(a1, ae);
}

// Cephes gamma, as Go's math.Gamma.
const GAM_P = [
  1.60119522476751861407e-4, 1.19135147006586384913e-3, 1.04213797561761569935e-2,
  4.76367800457137231464e-2, 2.0744822764843597515e-1, 4.94214826801497100753e-1,
  9.99999999999999996796e-1,
];
const GAM_Q = [
  -2.31581873324120129819e-5, 5.39605580493303397842e-4, -4.45641913851797240494e-3,
  1.18139785222060435552e-2, 3.58236398605498653373e-2, -2.34591795718243348568e-1,
  7.14304917030273074085e-2, 1.0000000000000000032,
];
const GAM_S = [
  7.87311395793093628397e-4, -2.2954996161337812638e-4, -2.68132617805781232825e-3,
  3.4722222160545866731e-3, 8.33333333333482257126e-2,
];

/** Stirling's formula as a pair of factors, to postpone overflow. */
function stirling(x: number): [number, number] {
  if (x > 200) return [Infinity, 1];
  const SQRT_TWO_PI = 2.506628274631000502417;
  const MAX_STIRLING = 143.01608;
  let w = 1 / x;
  w = 1 + w * ((((GAM_S[0] * w + GAM_S[1]) * w + GAM_S[2]) * w + GAM_S[3]) * w + GAM_S[4]);
  let y1 = Math.exp(x);
  let y2 = 1.0;
  if (x > MAX_STIRLING) {
    const v = pow(x, 0.5 * x - 0.25);
    [y1, y2] = [v, v / y1];
  } else {
    y1 = pow(x, x - 0.5) / y1;
  }
  return [y1, SQRT_TWO_PI * w * y2];
}

function gamma(x: number): number {
  const EULER = 0.5772156649015328606065120900824024310421;
  if ((x < 0 && Number.isInteger(x)) || x === -Infinity || x !== x) return NaN;
  if (x === Infinity) return Infinity;
  if (x === 0) return signbit(x) ? -Infinity : Infinity;
  let q = Math.abs(x);
  let p = Math.floor(q);
  if (q > 33) {
    if (x >= 0) {
      const [y1, y2] = stirling(x);
      return y1 * y2;
    }
    const signgam = p % 2 === 0 ? -1 : 1;
    let z = q - p;
    if (z > 0.5) {
      p = p + 1;
      z = q - p;
    }
    z = q * sin(PI * z);
    if (z === 0) return signgam * Infinity;
    const [sq1, sq2] = stirling(q);
    const absz = Math.abs(z);
    const d = absz * sq1 * sq2;
    z = Number.isFinite(d) ? PI / d : PI / absz / sq1 / sq2;
    return signgam * z;
  }
  // Reduce the argument to [2, 3).
  let z = 1.0;
  while (x >= 3) {
    x = x - 1;
    z = z * x;
  }
  const small = () => (x === 0 ? Infinity : z / ((1 + EULER * x) * x));
  while (x < 0) {
    if (x > -1e-9) return small();
    z = z / x;
    x = x + 1;
  }
  while (x < 2) {
    if (x < 1e-9) return small();
    z = z / x;
    x = x + 1;
  }
  if (x === 2) return z;
  x = x - 2;
  p =
    (((((x * GAM_P[0] + GAM_P[1]) * x + GAM_P[2]) * x + GAM_P[3]) * x + GAM_P[4]) * x + GAM_P[5]) *
      x +
    GAM_P[6];
  q =
    ((((((x * GAM_Q[0] + GAM_Q[1]) * x + GAM_Q[2]) * x + GAM_Q[3]) * x + GAM_Q[4]) * x + GAM_Q[5]) *
      x +
      GAM_Q[6]) *
      x +
    GAM_Q[7];
  return (z * p) / q;
}

export const mathModule = new Module(
  'math',
  new Map<string, Value>([
    rounding('ceil', Math.ceil),
    binary('copysign', copysign),
    unary('fabs', Math.abs),
    rounding('floor', Math.floor),
    binary('mod', (x, y) => x % y), // fmod: exact, with the sign of x
    binary('pow', pow),
    binary('remainder', remainder),
    unary('round', round),

    unary('exp', Math.exp),
    unary('sqrt', Math.sqrt),

    unary('acos', acos),
    unary('asin', asin),
    unary('atan', atan),
    binary('atan2', atan2),
    unary('cos', cos),
    binary('hypot', hypot),
    unary('sin', sin),
    unary('tan', tan),

    unary('degrees', (x) => (360 * x) / (2 * PI)),
    unary('radians', (x) => (2 * PI * x) / 360),

    unary('acosh', Math.acosh),
    unary('asinh', Math.asinh),
    unary('atanh', Math.atanh),
    unary('cosh', cosh),
    unary('sinh', sinh),
    unary('tanh', tanh),

    ['log', new Builtin('log', log)],
    unary('gamma', gamma),

    ['e', new Float(Math.E)],
    ['pi', new Float(PI)],
  ]),
);
