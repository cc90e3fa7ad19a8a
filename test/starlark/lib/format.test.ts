import { describe, expect, it } from 'vitest';
import { List, None, type Kwargs, type Value } from '../../../src/starlark/values/value.js';
import { percentFormat, strFormat } from '../../../src/starlark/lib/format.js';
import '../../../src/starlark/lib/quote.js';
import { dict, f, fails, thread, tuple, u } from './helpers.js';

const pf = percentFormat;
const fmt = (s: string, args: Value[] = [], kwargs: Kwargs = []) =>
  strFormat(thread, s, args, kwargs);

describe('% interpolation', () => {
  it('basics', () => {
    expect(pf('A', tuple())).toBe('A');
    expect(pf('A %d %x Z', tuple(123, 456))).toBe('A 123 1c8 Z');
    expect(pf('A', dict(['unused', 123]))).toBe('A');
    expect(pf('A %(foo)d %(bar)s Z', dict(['foo', 123], ['bar', 'hi']))).toBe('A 123 hi Z');
    expect(pf('%s %r', tuple('hi', 'hi'))).toBe('hi "hi"');
    expect(pf('%%d %d', 1)).toBe('%d 1');
    expect(pf('%s', new List([1, 'x', None]))).toBe('[1, "x", None]');
    expect(pf('%s', tuple(tuple(1, 2)))).toBe('(1, 2)');
    expect(pf('%d %d', tuple(5, 7))).toBe('5 7');
    fails(() => pf('%d %d', 1), '^not enough arguments for format string$');
    fails(() => pf('%d %d', tuple(1, 2, 3)), '^too many arguments for format string$');
    fails(() => pf('', 1), '^too many arguments for format string$');
    fails(() => pf('%(a)s', 1), '^format requires a mapping$');
    fails(() => pf('%(a)s', dict()), '^key not found: a$');
    fails(() => pf('%(a', dict()), '^incomplete format key$');
    fails(() => pf('abc %', 1), '^incomplete format$');
    fails(() => pf('%z', 1), '^unknown conversion %z$');
  });

  it('%c', () => {
    expect(pf('%c', 65)).toBe('A');
    expect(pf('%c', 0x3b1)).toBe(u('α'));
    expect(pf('%c', 'A')).toBe('A');
    expect(pf('%c', u('α'))).toBe(u('α'));
    expect(pf('%c', 0xd800)).toBe(u('\ufffd'));
    fails(() => pf('%c', 'abc'), 'requires a single-character string');
    fails(() => pf('%c', ''), 'requires a single-character string');
    fails(() => pf('%c', f(65)), '^%c format requires int or single-character string, not float$');
    fails(
      () => pf('%c', 10000000),
      '^%c format requires a valid Unicode code point, got 10000000$',
    );
    fails(() => pf('%c', -1), 'requires a valid Unicode code point');
  });

  it('integers', () => {
    expect(pf('%o %x %d', tuple(0o755, 0xdeadbeef, 42))).toBe('755 deadbeef 42');
    const nums = [-95, -1, 0, 1, 95];
    expect(nums.map((x) => pf('%o', x)).join(' ')).toBe('-137 -1 0 1 137');
    expect(nums.map((x) => pf('%i', x)).join(' ')).toBe('-95 -1 0 1 95');
    expect(nums.map((x) => pf('%x', x)).join(' ')).toBe('-5f -1 0 1 5f');
    expect(nums.map((x) => pf('%X', x)).join(' ')).toBe('-5F -1 0 1 5F');
    expect(pf('%o %x %d', tuple(f(123.1), f(123.1), f(123.1)))).toBe('173 7b 123');
    expect(pf('%x', 2n ** 100n)).toBe('10000000000000000000000000');
    expect(pf('%d', -(2n ** 64n))).toBe('-18446744073709551616');
    fails(() => pf('%d', true), '^%d format requires integer: cannot convert bool to int$');
  });

  it('%d of floats', () => {
    expect(pf('%d', 0)).toBe('0');
    expect(pf('%d', f(0))).toBe('0');
    expect(pf('%d', f(123))).toBe('123');
    expect(pf('%d', f(1.23e45))).toBe('1229999999999999973814869011019624571608236032');
    expect(pf('%d', f(-0))).toBe('0');
    fails(() => pf('%d', f(NaN)), 'cannot convert float NaN to integer');
    fails(() => pf('%d', f(Infinity)), 'cannot convert float infinity to integer');
    fails(() => pf('%d', f(-Infinity)), 'cannot convert float infinity to integer');
  });

  it('%e %f %g', () => {
    const cases: [string, Value, string][] = [
      ['%e', 0, '0.000000e+00'],
      ['%e', f(0), '0.000000e+00'],
      ['%e', 123, '1.230000e+02'],
      ['%e', f(1.23e45), '1.230000e+45'],
      ['%e', f(-1.23e-45), '-1.230000e-45'],
      ['%e', f(NaN), 'nan'],
      ['%e', f(Infinity), '+inf'],
      ['%e', f(-Infinity), '-inf'],
      ['%e', f(-0), '-0.000000e+00'],
      ['%E', f(1234.5), '1.234500E+03'],
      ['%f', 0, '0.000000'],
      ['%f', f(123), '123.000000'],
      ['%f', f(1.23e45), '1229999999999999973814869011019624571608236032.000000'],
      ['%f', f(-1.23e-45), '-0.000000'],
      ['%f', f(-0), '-0.000000'],
      ['%f', f(0.125), '0.125000'],
      ['%F', f(1.5), '%F'],
      ['%g', 0, '0.0'],
      ['%g', f(123), '123.0'],
      ['%g', f(1.11), '1.11'],
      ['%g', f(1e5), '100000.0'],
      ['%g', f(1e6), '1e+06'],
      ['%g', f(1.23e45), '1.23e+45'],
      ['%g', f(-1.23e-45), '-1.23e-45'],
      ['%g', f(-0), '-0.0'],
      ['%G', f(1e-7), '1E-07'],
    ];
    for (const [format, arg, want] of cases)
      expect(pf(format, arg), `${format} ${want}`).toBe(want);
    fails(() => pf('%e', '123'), '^%e format requires float, not string$');
    fails(() => pf('%g', '123'), 'requires float, not str');
  });
});

describe('str.format', () => {
  it('fields', () => {
    expect(fmt('a{}b', [123])).toBe('a123b');
    expect(fmt('a{}b{}c{}d{}', [1, 2, 3, 4])).toBe('a1b2c3d4');
    expect(fmt('a{{b')).toBe('a{b');
    expect(fmt('a}}b')).toBe('a}b');
    expect(fmt('a{{b}}c')).toBe('a{b}c');
    expect(
      fmt(
        'a{x}b{y}c{}',
        [1],
        [
          ['x', 2],
          ['y', 3],
        ],
      ),
    ).toBe('a2b3c1');
    expect(fmt('{0000000000001}', [0, 1])).toBe('1');
    const hundred = Array.from({ length: 100 }, (_, i) => i);
    expect(fmt('{012}', hundred)).toBe('12');
    expect(fmt('a{010}b', hundred.slice(0, 11))).toBe('a10b');
    expect(fmt('a{!s}c', ['b'])).toBe('abc');
    expect(fmt('a{!r}c', ['b'])).toBe('a"b"c');
    expect(fmt('a{x!r}c', [], [['x', 'b']])).toBe('a"b"c');
    expect(fmt('{} {!r}', [None, new List(['x'])])).toBe('None ["x"]');
  });

  it('errors', () => {
    const x1: Kwargs = [['x', 1]];
    fails(() => fmt('a{z}b', [], x1), '^format: keyword z not found$');
    fails(() => fmt('{-1}', [1]), 'keyword -1 not found');
    fails(() => fmt('{-0}', [1]), 'keyword -0 not found');
    fails(() => fmt('{+0}', [1]), 'keyword \\+0 not found');
    fails(() => fmt('{0,1} and {1}', [1, 2]), 'keyword 0,1 not found');
    fails(() => fmt('a{123}b'), '^format: tuple index out of range$');
    fails(() => fmt('a{}b{}c', [1]), 'tuple index out of range');
    fails(() => fmt('a{}b{1}c', [1, 2]), 'cannot switch from automatic field numbering to manual');
    fails(
      () => fmt('a{1}b{}c', [1, 2]),
      'cannot switch from manual field specification to automatic',
    );
    fails(() => fmt('{x!}', [], x1), '^format: unknown conversion ""$');
    fails(() => fmt('{x!:}', [], x1), 'unknown conversion');
    fails(
      () => fmt('{x:>3}', [], x1),
      '^format spec features not supported in replacement fields: >3$',
    );
    fails(() => fmt('{a.b}', [1]), 'syntax x.y is not supported');
    fails(() => fmt('{a[0]}', [1]), 'syntax a\\[i\\] is not supported');
    fails(() => fmt('{ {} }', [1]), 'nested replacement fields not supported');
    fails(() => fmt('{{}', [1]), "single '}' in format");
    fails(() => fmt('{}}', [1]), "single '}' in format");
    fails(() => fmt('}}{', [1]), "unmatched '{' in format");
    fails(() => fmt('}{{', [1]), "single '}' in format");
  });
});
