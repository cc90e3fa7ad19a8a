import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binaryNumeric,
  floatFloorDiv,
  floatMod,
  floatToInt,
  goParseFloat,
  intAdd,
  intAnd,
  intFloorDiv,
  intMod,
  intMul,
  intNeg,
  intNot,
  intOr,
  intShl,
  intShr,
  intSub,
  intToFloat,
  intTrueDiv,
  intXor,
  numberToInt,
  parseFloatLiteral,
  parseIntLiteral,
  unaryNumeric,
  type Int,
} from '../../../src/starlark/lib/numbers.js';
import { formatFloatStr } from '../../../src/starlark/lib/floatfmt.js';
import { Float, None, normInt, typeOf, type Value } from '../../../src/starlark/values/value.js';

const big = (s: string | number | bigint) => normInt(BigInt(s));
const f = (x: number) => new Float(x);

/** Asserts the normal form: a number exactly when the value is safe. */
function expectInt(got: Int, want: bigint) {
  expect(normInt(BigInt(got))).toStrictEqual(normInt(want));
  expect(typeof got).toBe(typeof normInt(want));
  if (typeof got === 'number') expect(Object.is(got, -0)).toBe(false);
}

// Ints around the interesting boundaries: int32, 2^53, 2^63, and huge.
const anyInt: fc.Arbitrary<Int> = fc
  .oneof(
    fc.integer({ min: -100, max: 100 }).map(BigInt),
    fc.integer().map(BigInt),
    fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.constantFrom(
      2n ** 53n - 1n,
      -(2n ** 53n) + 1n,
      2n ** 53n,
      -(2n ** 53n),
      2n ** 31n,
      -(2n ** 31n),
    ),
  )
  .map(normInt);

const floorDivRef = (a: bigint, b: bigint) => {
  let q = a / b;
  if (a % b !== 0n && a < 0n !== b < 0n) q -= 1n;
  return q;
};
const modRef = (a: bigint, b: bigint) => {
  let r = a % b;
  if (r !== 0n && r < 0n !== b < 0n) r += b;
  return r;
};

describe('int arithmetic', () => {
  it('agrees with bigint arithmetic and stays normalized', () => {
    fc.assert(
      fc.property(anyInt, anyInt, (a, b) => {
        const A = BigInt(a);
        const B = BigInt(b);
        expectInt(intAdd(a, b), A + B);
        expectInt(intSub(a, b), A - B);
        expectInt(intMul(a, b), A * B);
        expectInt(intAnd(a, b), A & B);
        expectInt(intOr(a, b), A | B);
        expectInt(intXor(a, b), A ^ B);
        expectInt(intNot(a), ~A);
        expectInt(intNeg(a), -A);
        if (B !== 0n) {
          expectInt(intFloorDiv(a, b), floorDivRef(A, B));
          expectInt(intMod(a, b), modRef(A, B));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('shifts like big.Int', () => {
    fc.assert(
      fc.property(anyInt, fc.integer({ min: 0, max: 511 }), (a, n) => {
        expectInt(intShl(a, n), BigInt(a) << BigInt(n));
        expectInt(intShr(a, n), BigInt(a) >> BigInt(n));
      }),
    );
    expectInt(intShr(-5, 100000), -1n);
    expectInt(intShr(5, 2 ** 31 - 1), 0n);
  });

  it('floors division and takes the sign of the divisor for modulo (int.star)', () => {
    for (const m of [1, 2147483647]) {
      expect(intFloorDiv(100 * m, 7 * m)).toBe(14);
      expect(intFloorDiv(100 * m, -7 * m)).toBe(-15);
      expect(intFloorDiv(-100 * m, 7 * m)).toBe(-15);
      expect(intFloorDiv(-100 * m, -7 * m)).toBe(14);
      expect(intFloorDiv(98 * m, -7 * m)).toBe(-14);
      expect(intMod(100 * m, 7 * m)).toBe(2 * m);
      expect(intMod(100 * m, -7 * m)).toBe(-5 * m);
      expect(intMod(-100 * m, 7 * m)).toBe(5 * m);
      expect(intMod(-100 * m, -7 * m)).toBe(-2 * m);
      expect(Object.is(intMod(-98 * m, 7 * m), 0)).toBe(true);
    }
    expect(intFloorDiv(-(2 ** 31), -1)).toBe(2147483648);
  });

  it('keeps precision at the int64 boundaries (int.star)', () => {
    const maxint64 = intSub(intShl(1, 63), 1);
    const minint64 = intNeg(intShl(1, 63));
    expect(String(maxint64)).toBe('9223372036854775807');
    expect(String(intAdd(maxint64, 1))).toBe('9223372036854775808');
    expect(String(intSub(minint64, 1))).toBe('-9223372036854775809');
    expect(String(intMul(minint64, minint64))).toBe('85070591730234615865843651857942052864');
    expect(String(intOr(-(2 ** 31), 2 ** 31 - 1))).toBe('-1');
    expect(String(intMul(0x1000000000000001n, 0x1000000000000001n))).toBe(
      String(0x1000000000000002000000000000001n),
    );
    expect(String(intMul(1111111111111111, 1111111111111111))).toBe(
      '1234567901234567654320987654321',
    );
  });

  it('reports errors as go.starlark.net does', () => {
    expect(() => intFloorDiv(1, 0)).toThrow('floored division by zero');
    expect(() => intMod(big('1' + '0'.repeat(30)), 0)).toThrow('integer modulo by zero');
    expect(() => intTrueDiv(1, 0)).toThrow('floating-point division by zero');
    expect(() => intShl(2, -1)).toThrow('negative shift count: -1');
    expect(() => intShr(2, -1)).toThrow('negative shift count: -1');
    expect(() => intShl(1, 512)).toThrow('shift count too large: 512');
    expect(() => intShl(1, 2 ** 31)).toThrow('2147483648 out of range');
    expect(() => intShl(1, f(1))).toThrow('got float, want int');
  });
});

describe('float operators', () => {
  const bin = (op: string, x: Value, y: Value) => binaryNumeric(op, x, y);
  const fv = (v: Value | undefined) => (v as Float).v;
  const inf = Infinity;

  it('follows Python semantics for % and // (float.star)', () => {
    expect(fv(bin('%', f(100), f(7)))).toBe(2);
    expect(fv(bin('%', f(100), f(-7)))).toBe(-5);
    expect(fv(bin('%', f(-100), f(7)))).toBe(5);
    expect(fv(bin('%', f(-100), f(-7)))).toBe(-2);
    expect(fv(bin('%', f(-100), 7))).toBe(5);
    expect(fv(bin('%', 100, f(7)))).toBe(2);
    expect(fv(bin('%', f(98), f(-8)))).toBe(-6);
    expect(fv(bin('%', f(2.5), 2))).toBe(0.5);
    expect(Number.isNaN(fv(bin('%', f(inf), 1)))).toBe(true);
    expect(fv(bin('//', f(100), f(-7)))).toBe(-15);
    expect(fv(bin('//', 100, f(-7)))).toBe(-15);
    expect(fv(bin('//', f(2.5), 2))).toBe(1);
    expect(formatFloatStr(fv(bin('//', 1, f(-inf))))).toBe('-0.0');
    expect(formatFloatStr(fv(bin('/', 100, f(7))))).toBe('14.285714285714286');
    expect(fv(bin('/', 5, 4))).toBe(1.25);
    expect(floatMod(-1, inf)).toBe(inf);
    expect(floatFloorDiv(7, 2)).toBe(3);
  });

  it('gives a float whenever an operand is a float (checktypes)', () => {
    for (const op of ['+', '-', '*', '/', '//', '%']) {
      for (const x of [1, f(1)]) {
        for (const y of [1, f(1)]) {
          const r = bin(op, x, y)!;
          const want =
            op === '/' || typeOf(x) === 'float' || typeOf(y) === 'float' ? 'float' : 'int';
          expect(typeOf(r)).toBe(want);
        }
      }
    }
  });

  it('reports zero divisors and huge ints (float.star)', () => {
    for (const [x, y] of [
      [f(1), 0],
      [f(1), f(0)],
      [1, f(0)],
    ] as [Value, Value][]) {
      expect(() => bin('/', x, y)).toThrow('floating-point division by zero');
      expect(() => bin('//', x, y)).toThrow('floored division by zero');
      expect(() => bin('%', x, y)).toThrow('floating-point modulo by zero');
    }
    const huge = intShl(intShl(intShl(1, 500), 500), 500);
    for (const op of ['+', '-', '*', '/', '//', '%']) {
      expect(() => bin(op, huge, f(1))).toThrow('int too large to convert to float');
      expect(() => bin(op, f(1), huge)).toThrow('int too large to convert to float');
    }
  });

  it('leaves non-numeric operands alone', () => {
    expect(bin('+', 'a', 1)).toBeUndefined();
    expect(bin('<<', f(1), 1)).toBeUndefined();
    expect(bin('|', f(1), 1)).toBeUndefined();
    expect(bin('+', true, 1)).toBeUndefined();
    expect(unaryNumeric('~', f(1))).toBeUndefined();
    expect(unaryNumeric('-', 0)).toBe(0);
    expect(unaryNumeric('~', 1)).toBe(-2);
    expect(fv(unaryNumeric('-', f(1)))).toBe(-1);
    expect(unaryNumeric('-', None)).toBeUndefined();
  });
});

describe('conversions', () => {
  it('converts ints to floats exactly like Go (float.star)', () => {
    const p53 = 2 ** 53;
    expect(intToFloat(big(p53 + 1))).toBe(p53);
    expect(intToFloat(big(BigInt(p53) + 3n))).toBe(p53 + 4);
    expect(intToFloat(big(BigInt(p53) + 5n))).toBe(p53 + 4);
    expect(intToFloat(big(BigInt(p53) + 7n))).toBe(p53 + 8);
    expect(intToFloat(big('123000000000000000000000000000000'))).toBe(1.23e32);
    const huge = intShl(intShl(intShl(123, 500), 500), 50);
    expect(() => intToFloat(huge)).toThrow('int too large to convert to float');
    expect(() => intToFloat(intNeg(huge))).toThrow('int too large to convert to float');
  });

  it('truncates floats to ints exactly (float.star)', () => {
    expect(floatToInt(100.1)).toBe(100);
    expect(floatToInt(-99.9)).toBe(-99);
    expect(Object.is(floatToInt(-0.9), 0)).toBe(true);
    expect(String(floatToInt(1.23e32))).toBe('123000000000000004979083645550592');
    expect(String(floatToInt(Number(2n ** 63n - 1n)))).toBe('9223372036854775808');
    expect(String(floatToInt(1e100))).toBe(
      '10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104',
    );
    expect(() => floatToInt(Infinity)).toThrow('cannot convert float infinity to integer');
    expect(() => floatToInt(-Infinity)).toThrow('cannot convert float infinity to integer');
    expect(() => floatToInt(NaN)).toThrow('cannot convert float NaN to integer');
    expect(numberToInt(7)).toBe(7);
    expect(numberToInt(f(-1.5))).toBe(-1);
    expect(() => numberToInt(true)).toThrow('cannot convert bool to int');
  });
});

describe('parseIntLiteral (int.star)', () => {
  const ok: [string, number | undefined, string][] = [
    ['100000000000000000000', undefined, '100000000000000000000'],
    ['-100000000000000000000', undefined, '-100000000000000000000'],
    ['0123', undefined, '123'],
    ['-0123', undefined, '-123'],
    ['00', 8, '0'],
    ['-00', 10, '0'],
    ['+00', 8, '0'],
    ['11', 9, '10'],
    ['-10011', 2, '-19'],
    ['0123', 8, '83'],
    ['-0o123', 8, '-83'],
    ['123', 7, '66'],
    ['-0x12', 16, '-18'],
    ['0b0101', 0, '5'],
    ['0b0101', 2, '5'],
    ['0b00000', 0, '0'],
    ['0b0', 16, String(0xb0)],
    ['0x0b0101', 16, String(0x0b0101)],
    ['+0x12', 0, '18'],
    ['-0o123', 0, '-83'],
    ['00', 0, '0'],
    ['zz', 36, '1295'],
    ['ZZ', 36, '1295'],
    ['1234567890123456789012345', 10, '1234567890123456789012345'],
    ['ffffffffffffffffffffffff', 16, String(0xffffffffffffffffffffffffn)],
  ];
  it.each(ok)('int(%j, %j) == %s', (s, base, want) => {
    expect(String(parseIntLiteral(s, base))).toBe(want);
    expect(Object.is(parseIntLiteral(s, base), -0)).toBe(false);
  });

  const bad: [string, number | undefined, string][] = [
    ['0x12', undefined, 'int: invalid literal with base 10: 0x12'],
    ['-0o123', undefined, 'int: invalid literal with base 10: -0o123'],
    ['0x123', 8, 'int: invalid literal with base 8: 0x123'],
    ['-0o123', 16, 'int: invalid literal with base 16: -0o123'],
    ['0x110', 2, 'int: invalid literal with base 2: 0x110'],
    ['0b0', undefined, 'int: invalid literal with base 10: 0b0'],
    ['0123', 0, 'int: invalid literal with base 0: 0123'],
    ['-0123', 0, 'int: invalid literal with base 0: -0123'],
    ['0Oxa', 8, 'int: invalid literal with base 8: 0Oxa'],
    ['--4', undefined, 'int: invalid literal with base 10: --4'],
    ['++4', undefined, 'int: invalid literal with base 10: ++4'],
    ['+-4', undefined, 'int: invalid literal with base 10: +-4'],
    ['0x-4', 16, 'int: invalid literal with base 16: 0x-4'],
    ['', undefined, 'int: invalid literal with base 10: '],
    ['1_000', undefined, 'int: invalid literal with base 10: 1_000'],
    [' 1', undefined, 'int: invalid literal with base 10:  1'],
    ['0x', 0, 'int: invalid literal with base 0: 0x'],
    ['1', 1, 'int: base must be an integer >= 2 && <= 36'],
    ['1', 37, 'int: base must be an integer >= 2 && <= 36'],
  ];
  it.each(bad)('int(%j, %j) fails', (s, base, msg) => {
    expect(() => parseIntLiteral(s, base)).toThrow(msg);
  });
});

describe('parseFloatLiteral (float.star)', () => {
  it('accepts Go float syntax and the special words', () => {
    expect(parseFloatLiteral('1.1')).toBe(1.1);
    expect(parseFloatLiteral('-1.1')).toBe(-1.1);
    expect(parseFloatLiteral('+1.1')).toBe(1.1);
    expect(parseFloatLiteral('+Inf')).toBe(Infinity);
    expect(parseFloatLiteral('-Inf')).toBe(-Infinity);
    expect(parseFloatLiteral('+InFiniTy')).toBe(Infinity);
    expect(parseFloatLiteral('-iNFiniTy')).toBe(-Infinity);
    expect(parseFloatLiteral('+NAN')).toBeNaN();
    expect(parseFloatLiteral('-nan')).toBeNaN();
    expect(parseFloatLiteral('1.')).toBe(1);
    expect(parseFloatLiteral('.5e1')).toBe(5);
    expect(parseFloatLiteral('1_000.5')).toBe(1000.5);
    expect(parseFloatLiteral('0x1.8p1')).toBe(3);
    expect(parseFloatLiteral('0x_1p-2')).toBe(0.25);
    expect(parseFloatLiteral('0x1p-1074')).toBe(5e-324);
    expect(parseFloatLiteral('0x1.8p-1074')).toBe(1e-323); // a tie, to even
    expect(parseFloatLiteral('1e-400')).toBe(0);
    expect(Object.is(parseFloatLiteral('-0'), -0)).toBe(true);
  });

  it('fails with go.starlark.net messages', () => {
    expect(() => parseFloatLiteral('')).toThrow('float: empty string');
    expect(() => parseFloatLiteral('1.1abc')).toThrow('invalid float literal: 1.1abc');
    expect(() => parseFloatLiteral('1e100.0')).toThrow('invalid float literal');
    expect(() => parseFloatLiteral('one point two')).toThrow(
      'invalid float literal: one point two',
    );
    expect(() => parseFloatLiteral('1.2.3')).toThrow('invalid float literal: 1.2.3');
    expect(() => parseFloatLiteral('1e1000')).toThrow('floating-point number too large');
    expect(() => parseFloatLiteral('-1' + '0'.repeat(400))).toThrow(
      'floating-point number too large',
    );
    for (const s of [
      '1_',
      '_1',
      '1__0',
      '1_.5',
      '0x10',
      ' 1',
      'infinit',
      '0b1',
      '1e',
      '.',
      '0x1p',
      'Infinityy',
    ]) {
      expect(() => parseFloatLiteral(s)).toThrow(`invalid float literal: ${s}`);
    }
  });

  it('agrees with Number on decimal syntax', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[+-]?[0-9]{0,25}(\.[0-9]{0,25})?([eE][+-]?[0-9]{1,3})?$/),
        (s) => {
          const valid = /[0-9]/.test(s.replace(/[eE].*/, ''));
          expect(goParseFloat(s)).toBe(valid ? Number(s) : undefined);
        },
      ),
    );
  });
});
