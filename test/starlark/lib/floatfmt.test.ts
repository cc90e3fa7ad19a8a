import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatFloatConv,
  formatFloatStr,
  goFormatFloat,
} from '../../../src/starlark/lib/floatfmt.js';
import { parseFloatLiteral } from '../../../src/starlark/lib/numbers.js';
import { Float, repr } from '../../../src/starlark/values/value.js';

describe('formatFloatStr', () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [123, '123.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e5, '100000.0'],
    [1e6, '1e+06'],
    [123456789, '1.23456789e+08'],
    [1e20, '1e+20'],
    [1e21, '1e+21'],
    [1e-4, '0.0001'],
    [1e-5, '1e-05'],
    [1.23e45, '1.23e+45'],
    [-1.23e-45, '-1.23e-45'],
    [1e300, '1e+300'],
    [-1e-300, '-1e-300'],
    [5.60012e7, '5.60012e+07'],
    [100 / 7, '14.285714285714286'],
    [1.23e-45 - 1.23 / 1e45, '-1.5557538194652854e-61'],
    [Number(3539537889086624823140625n), '3.539537889086625e+24'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [Infinity, '+inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ];
  it.each(cases)('str(%d) == %s', (f, want) => {
    expect(formatFloatStr(f)).toBe(want);
  });

  it('is installed as the repr of Float', () => {
    expect(repr(new Float(2))).toBe('2.0');
  });

  it('round-trips through float()', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(Object.is(parseFloatLiteral(formatFloatStr(x)), x)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('formatFloatConv (% conversions of float.star)', () => {
  const negzero = -0;
  const cases: [string, number, string][] = [
    ['e', 0, '0.000000e+00'],
    ['e', 123, '1.230000e+02'],
    ['e', 1.23e45, '1.230000e+45'],
    ['e', -1.23e-45, '-1.230000e-45'],
    ['e', NaN, 'nan'],
    ['e', Infinity, '+inf'],
    ['e', -Infinity, '-inf'],
    ['e', negzero, '-0.000000e+00'],
    ['f', 0, '0.000000'],
    ['f', 123, '123.000000'],
    ['f', 1.23e45, '1229999999999999973814869011019624571608236032.000000'],
    ['f', -1.23e-45, '-0.000000'],
    ['f', Infinity, '+inf'],
    ['f', negzero, '-0.000000'],
    ['g', 0, '0.0'],
    ['g', 123, '123.0'],
    ['g', 1.11, '1.11'],
    ['g', 1e5, '100000.0'],
    ['g', 1e6, '1e+06'],
    ['g', 1.23e45, '1.23e+45'],
    ['g', negzero, '-0.0'],
    ['E', 1.5e10, '1.500000E+10'],
    ['G', 1.5e10, '1.5E+10'],
    ['G', 15, '15.0'],
    ['F', 1.5, '%F'], // Go's strconv has no 'F' verb
    ['F', Infinity, '+inf'],
  ];
  it.each(cases)('%%%s of %d is %s', (conv, f, want) => {
    expect(formatFloatConv(f, conv)).toBe(want);
  });
});

/** The exact decimal value of a finite double, as digits and a point position. */
function exact(x: number): { neg: boolean; d: string; dp: number } {
  const neg = x < 0 || Object.is(x, -0);
  x = Math.abs(x);
  let e = 0;
  while (!Number.isInteger(x)) {
    x *= 2;
    e++;
  }
  const n = BigInt(x) * 5n ** BigInt(e);
  const d = n.toString();
  return { neg, d, dp: d.length - e };
}

describe('goFormatFloat', () => {
  it('rounds exact ties to even, as strconv does', () => {
    expect(goFormatFloat(0.125, 'f', 2)).toBe('0.12');
    expect(goFormatFloat(0.375, 'f', 2)).toBe('0.38');
    expect(goFormatFloat(2.5, 'f', 0)).toBe('2');
    expect(goFormatFloat(3.5, 'f', 0)).toBe('4');
    expect(goFormatFloat(0.5, 'f', 0)).toBe('0');
    expect(goFormatFloat(1.5, 'f', 0)).toBe('2');
    expect(goFormatFloat(0.9, 'f', 0)).toBe('1');
    expect(goFormatFloat(9.5, 'f', 0)).toBe('10');
    expect(goFormatFloat(2.5, 'e', 0)).toBe('2e+00');
    expect(goFormatFloat(1.0005, 'e', 3)).toBe('1.000e+00'); // 1.0005 is below the tie
    expect(goFormatFloat(99.99, 'e', 1)).toBe('1.0e+02');
  });

  it('implements %g with a precision', () => {
    expect(goFormatFloat(100, 'g', 3)).toBe('100');
    expect(goFormatFloat(1234567, 'g', 3)).toBe('1.23e+06');
    expect(goFormatFloat(1, 'g', 3)).toBe('1');
    expect(goFormatFloat(0.0001234, 'g', 2)).toBe('0.00012');
    expect(goFormatFloat(0.00001234, 'g', 2)).toBe('1.2e-05');
    expect(goFormatFloat(123456, 'g', 0)).toBe('1e+05');
    expect(goFormatFloat(0, 'g', 3)).toBe('0');
    expect(goFormatFloat(0, 'e', -1)).toBe('0e+00');
    expect(goFormatFloat(123456, 'G', 2)).toBe('1.2E+05');
    expect(goFormatFloat(1e23, 'f', -1)).toBe('100000000000000000000000');
    expect(goFormatFloat(1.5e-7, 'f', -1)).toBe('0.00000015');
    expect(goFormatFloat(NaN, 'g', -1)).toBe('NaN');
    expect(goFormatFloat(-Infinity, 'e', 6)).toBe('-Inf');
  });

  it('matches toExponential/toFixed except on exact ties', () => {
    const isTie = (x: number, nd: number) => {
      const { d } = exact(x);
      return nd >= 0 && nd < d.length && d[nd] === '5' && nd + 1 === d.length;
    };
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 20 }),
        (x, p) => {
          if (x === 0) return;
          if (!isTie(x, p + 1)) {
            const js = Math.abs(x)
              .toExponential(p)
              .replace(/e([+-])(\d)$/, 'e$10$2');
            expect(goFormatFloat(Math.abs(x), 'e', p)).toBe(js);
          }
          const ex = exact(x);
          if (Math.abs(x) < 1e21 && !isTie(x, ex.dp + p)) {
            expect(goFormatFloat(Math.abs(x), 'f', p)).toBe(Math.abs(x).toFixed(p));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
