import { describe, expect, it } from 'vitest';
import { mathModule } from '../../../src/starlark/lib/math.js';
import { intShl } from '../../../src/starlark/lib/numbers.js';
import { equals } from '../../../src/starlark/values/compare.js';
import { Builtin, Float, typeOf, type Value } from '../../../src/starlark/values/value.js';
import { f, thread } from './helpers.js';

const inf = f(Infinity);
const nan = f(NaN);
const e = (mathModule.members.get('e') as Float).v;
const pi = (mathModule.members.get('pi') as Float).v;

function m(name: string, ...args: Value[]): Value {
  const b = mathModule.members.get(name) as Builtin;
  return b.fn(thread, args, [], b);
}
const num = (v: Value) => (v instanceof Float ? v.v : Number(v));

/** Starlark ==, where nan == nan. */
function eq(got: Value, want: Value | number) {
  const w = typeof want === 'number' && !Number.isInteger(want) ? f(want) : (want as Value);
  if (!equals(got, w)) throw new Error(`got ${num(got)}, want ${num(w)}`);
}
const neg = (x: Float) => f(-x.v);
const near = (got: Value, want: number, threshold: number) =>
  expect(Math.abs(num(got) - want)).toBeLessThan(threshold);

describe('math (math.star)', () => {
  it('ceil and floor return ints', () => {
    for (const [x, c] of [
      [0.0, 0],
      [0.4, 1],
      [0.5, 1],
      [1.0, 1],
      [-0.0, 0],
      [-0.4, 0],
      [-0.5, 0],
      [-1.0, -1],
      [-10.0, -10],
    ]) {
      eq(m('ceil', f(x)), c);
      expect(typeOf(m('ceil', f(x)))).toBe('int');
    }
    for (const [x, c] of [
      [0.4, 0],
      [0.5, 0],
      [-0.0, 0],
      [-0.4, -1],
      [-0.5, -1],
      [-10.0, -10],
    ]) {
      eq(m('floor', f(x)), c);
      expect(typeOf(m('floor', f(x)))).toBe('int');
    }
    eq(m('ceil', 10), 10);
    eq(m('floor', -10), -10);
    expect(typeOf(m('ceil', 0))).toBe('int');
    const p63 = intShl(1, 63);
    eq(m('ceil', f(2 ** 63 + 0.5)), p63);
    eq(m('floor', f(2 ** 63 + 0.5)), p63);
    for (const name of ['ceil', 'floor']) {
      expect(() => m(name, inf)).toThrow('cannot convert float infinity to integer');
      expect(() => m(name, neg(inf))).toThrow('cannot convert float infinity to integer');
      expect(() => m(name, nan)).toThrow('cannot convert float NaN to integer');
      expect(() => m(name, '0')).toThrow(/^got string, want float or int$/);
    }
  });

  it('fabs, mod, pow, copysign, remainder, round', () => {
    eq(m('fabs', f(-2)), 2);
    eq(m('fabs', -2), 2);
    eq(m('fabs', neg(inf)), inf);
    eq(m('fabs', nan), nan);
    eq(m('mod', 5, 3), 2);
    eq(m('mod', inf, 1), nan);
    eq(m('mod', f(1), f(0)), nan);
    eq(m('mod', f(1), inf), 1);
    eq(m('mod', f(1), neg(inf)), 1);
    eq(m('mod', f(1), nan), nan);
    eq(m('pow', 5, 3), 125);
    eq(m('pow', 5, 0), 1);
    eq(m('pow', 1, 5), 1);
    eq(m('pow', inf, 1), inf);
    eq(m('pow', neg(inf), f(1)), neg(inf));
    eq(m('pow', nan, f(1)), nan);
    eq(m('pow', f(1.1), inf), inf);
    eq(m('pow', f(1.1), neg(inf)), 0);
    eq(m('pow', f(2), nan), nan);
    eq(m('pow', 1, nan), 1); // Go: Pow(1, y) = 1 for any y
    eq(m('pow', -1, inf), 1);
    eq(m('pow', f(2), f(0.5)), Math.SQRT2);
    eq(m('pow', f(2), -1074), 5e-324);
    eq(m('pow', f(2), 1024), inf);
    eq(m('pow', f(10), f(-310)), 1e-310);
    eq(m('copysign', f(3.2), -1), -3.2);
    eq(m('copysign', inf, f(-1)), neg(inf));
    eq(m('copysign', nan, -1), nan);
    eq(m('copysign', -1, nan), 1);
    eq(m('remainder', 3, 5), -2);
    eq(m('remainder', 1, 0), nan);
    eq(m('remainder', 2, inf), 2);
    eq(m('remainder', 2, neg(inf)), 2);
    eq(m('remainder', inf, f(-1)), nan);
    eq(m('remainder', nan, -1), nan);
    eq(m('remainder', 5, 2), 1); // 2.5 rounds to even 2
    eq(m('remainder', 7, 2), -1); // 3.5 rounds to even 4
    for (const [x, r] of [
      [0.4, 0],
      [0.5, 1],
      [0.6, 1],
      [-0.4, 0],
      [-0.5, -1],
      [-0.6, -1],
      [2.5, 3],
      [0.49999999999999994, 0],
      [Infinity, Infinity],
      [-Infinity, -Infinity],
    ]) {
      eq(m('round', f(x)), f(r));
    }
    eq(m('round', nan), nan);
  });

  it('exp, sqrt, trigonometry', () => {
    eq(m('exp', f(0)), 1);
    eq(m('exp', f(1)), e);
    near(m('exp', 2), e * e, 1e-14);
    eq(m('exp', f(-1)), 1 / e);
    eq(m('exp', neg(inf)), 0);
    eq(m('sqrt', f(4)), 2);
    eq(m('sqrt', -4), nan);
    eq(m('sqrt', inf), inf);
    eq(m('acos', f(1)), 0);
    eq(m('acos', 0), pi / 2);
    eq(m('acos', -1), pi);
    eq(m('acos', f(1.01)), nan);
    eq(m('acos', inf), nan);
    eq(m('asin', f(0)), 0);
    eq(m('asin', 1), pi / 2);
    eq(m('asin', -1), -pi / 2);
    eq(m('asin', f(-1.01)), nan);
    eq(m('atan', f(1)), pi / 4);
    eq(m('atan', -1), -pi / 4);
    eq(m('atan', inf), pi / 2);
    eq(m('atan', neg(inf)), -pi / 2);
    eq(m('atan', nan), nan);
    eq(m('atan2', f(1), f(1)), pi / 4);
    eq(m('atan2', f(-1), f(1)), -pi / 4);
    eq(m('atan2', f(0), f(10)), 0);
    eq(m('atan2', f(0), f(-10)), pi);
    eq(m('atan2', f(-0), f(-10)), -pi);
    eq(m('atan2', f(10), f(0)), pi / 2);
    eq(m('atan2', f(-10), 0), -pi / 2);
    eq(m('atan2', f(1), nan), nan);
    eq(m('atan2', f(10), inf), 0);
    eq(m('atan2', f(10), neg(inf)), pi);
    eq(m('atan2', f(-10), neg(inf)), -pi);
    eq(m('atan2', inf, f(-10)), pi / 2);
    eq(m('atan2', neg(inf), f(10)), -pi / 2);
    eq(m('atan2', inf, inf), pi / 4);
    eq(m('atan2', neg(inf), inf), -pi / 4);
    eq(m('atan2', inf, neg(inf)), (3 * pi) / 4);
    eq(m('atan2', neg(inf), neg(inf)), (-3 * pi) / 4);
    eq(m('cos', f(0)), 1);
    near(m('cos', f(pi / 2)), 0, 1e-14);
    eq(m('cos', f(pi)), -1);
    eq(m('cos', f(-pi)), -1);
    eq(m('cos', inf), nan);
    eq(m('hypot', f(4), f(3)), 5);
    eq(m('hypot', 4, 3), 5);
    eq(m('hypot', neg(inf), f(3)), inf);
    eq(m('hypot', f(3), nan), nan);
    eq(m('sin', 0), 0);
    eq(m('sin', f(pi / 2)), 1);
    eq(m('sin', f(-pi / 2)), -1);
    eq(m('sin', inf), nan);
    eq(m('tan', 0), 0);
    near(m('tan', f(pi / 4)), 1, 1e-14);
    near(m('tan', f(-pi / 4)), -1, 1e-14);
    eq(m('tan', nan), nan);
    // Past the reduction threshold, still sane values.
    near(m('sin', f(1e10)), Math.sin(1e10), 1e-9);
    for (const x of [0.1, 0.7, 1, 2, 3, 10, 100, 12345.678]) {
      near(m('sin', f(x)), Math.sin(x), 1e-15 * Math.max(1, x));
      near(m('cos', f(x)), Math.cos(x), 1e-15 * Math.max(1, x));
      near(m('tan', f(x)), Math.tan(x), 1e-13 * Math.max(1, Math.abs(Math.tan(x)) ** 2));
    }
  });

  it('angles and hyperbolic functions', () => {
    const oneDeg = 57.29577951308232;
    const oneRad = 0.017453292519943295;
    eq(m('degrees', f(1)), oneDeg);
    eq(m('degrees', -1), -oneDeg);
    eq(m('degrees', inf), inf);
    eq(m('radians', 1), oneRad);
    eq(m('radians', f(-1)), -oneRad);
    eq(m('acosh', f(1)), 0);
    eq(m('acosh', f(0.99)), nan);
    eq(m('acosh', inf), inf);
    eq(m('asinh', 0), 0);
    near(m('asinh', 1), 0.8813735870195432, 1e-8);
    eq(m('asinh', neg(inf)), neg(inf));
    eq(m('atanh', f(0.5)), 0.5493061443340548);
    eq(m('atanh', f(-0.5)), -0.5493061443340548);
    eq(m('atanh', 1), inf);
    eq(m('atanh', -1), neg(inf));
    eq(m('atanh', f(1.1)), nan);
    eq(m('cosh', f(1)), 1.5430806348152437);
    eq(m('cosh', 0), 1);
    eq(m('cosh', neg(inf)), inf);
    eq(m('sinh', f(1)), 1.1752011936438014);
    eq(m('sinh', -1), -1.1752011936438014);
    eq(m('sinh', neg(inf)), neg(inf));
    eq(m('sinh', f(0.3)), 0.3045202934471426);
    eq(m('tanh', f(1)), 0.7615941559557649);
    eq(m('tanh', -1), -0.7615941559557649);
    eq(m('tanh', neg(inf)), -1);
    eq(m('tanh', nan), nan);
  });

  it('log and gamma', () => {
    eq(m('log', f(e)), 1);
    eq(m('log', 10, 10), 1);
    eq(m('log', f(10), f(10)), 1);
    eq(m('log', 2, f(2)), 1);
    expect(() => m('log', 2, 1)).toThrow(/^division by zero$/);
    expect(() => m('log', f(0.99), f(1))).toThrow('division by zero');
    eq(m('log', 0), neg(inf));
    eq(m('log', -1), nan);
    expect(() => m('log', 10, '10')).toThrow('log: for parameter 2: got string, want float or int');
    eq(m('gamma', f(1)), 1);
    eq(m('gamma', 1), 1);
    eq(m('gamma', 5), 24);
    eq(m('gamma', f(0.5)), Math.sqrt(Math.PI));
    eq(m('gamma', -1), nan);
    eq(m('gamma', 0), inf);
    eq(m('gamma', f(-0)), neg(inf));
    eq(m('gamma', neg(inf)), nan);
    eq(m('gamma', inf), inf);
    eq(m('gamma', nan), nan);
    eq(m('gamma', 172), inf);
    // reflection: gamma(-x) * gamma(1 + x) = -pi / sin(pi x) = -pi for x = 40.5
    near(num(m('gamma', f(-40.5))) * num(m('gamma', f(41.5))), -Math.PI, 1e-13);
  });

  it('checks argument types and counts', () => {
    const unary = [
      'fabs',
      'round',
      'exp',
      'sqrt',
      'acos',
      'asin',
      'atan',
      'cos',
      'sin',
      'tan',
      'degrees',
      'radians',
    ];
    for (const name of [
      ...unary,
      'acosh',
      'asinh',
      'atanh',
      'cosh',
      'sinh',
      'tanh',
      'log',
      'gamma',
    ]) {
      expect(() => m(name, '0')).toThrow(`${name}: for parameter 1: got string, want float or int`);
    }
    for (const name of ['mod', 'pow', 'copysign', 'remainder', 'atan2', 'hypot']) {
      expect(() => m(name, '0', f(1))).toThrow(
        `${name}: for parameter 1: got string, want float or int`,
      );
      expect(() => m(name, f(1), '0')).toThrow(
        `${name}: for parameter 2: got string, want float or int`,
      );
      expect(() => m(name, 1)).toThrow(`${name}: got 1 arguments, want 2`);
    }
    expect(() => m('sqrt')).toThrow('sqrt: got 0 arguments, want 1');
    expect(() => m('log')).toThrow('log: got 0 arguments, want at least 1');
    eq(m('sqrt', intShl(1, 511)), f(Math.sqrt(2 ** 511)));
  });

  it('has the constants', () => {
    expect(e).toBe(2.718281828459045);
    expect(pi).toBe(3.141592653589793);
  });
});
