import { describe, expect, it } from 'vitest';
import {
  goFormatS,
  goJSONMarshal,
  goQuote,
  goQuotedList,
  goTypeName,
} from '../../src/k8s/go-format.js';

describe('goQuote', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('abc')).toBe('"abc"');
    expect(goQuote('')).toBe('""');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\n\t\r\x07\b\f\v')).toBe('"\\n\\t\\r\\a\\b\\f\\v"');
    expect(goQuote('\x00\x1f\x7f')).toBe('"\\x00\\x1f\\x7f"');
    expect(goQuote('héllo 世界 ✓')).toBe('"héllo 世界 ✓"');
    expect(goQuote('\u200b\u00a0')).toBe('"\\u200b\\u00a0"');
    expect(goQuote('\u{e0001}')).toBe('"\\U000e0001"');
  });

  it('joins quoted lists with commas', () => {
    expect(goQuotedList(['a', 'b"'])).toBe('"a", "b\\""');
    expect(goQuotedList([])).toBe('');
  });
});

describe('goTypeName and goFormatS', () => {
  it('names decoded JSON types as Go does', () => {
    expect(goTypeName('s')).toBe('string');
    expect(goTypeName(1)).toBe('int64');
    expect(goTypeName(1.5)).toBe('float64');
    expect(goTypeName(true)).toBe('bool');
    expect(goTypeName(null)).toBe('<nil>');
    expect(goTypeName([])).toBe('[]interface {}');
    expect(goTypeName({})).toBe('map[string]interface {}');
  });

  it('formats values like %s', () => {
    expect(goFormatS('x')).toBe('x');
    expect(goFormatS(5)).toBe('%!s(int64=5)');
    expect(goFormatS(1.5)).toBe('%!s(float64=1.5)');
    expect(goFormatS(1234567.5)).toBe('%!s(float64=1.2345675e+06)');
    expect(goFormatS(0.00001)).toBe('%!s(float64=1e-05)');
    expect(goFormatS(false)).toBe('%!s(bool=false)');
    expect(goFormatS(null)).toBe('%!s(<nil>)');
    expect(goFormatS({ b: 'x', a: [1, 'y'] })).toBe('map[a:[%!s(int64=1) y] b:x]');
  });
});

describe('goJSONMarshal', () => {
  it('sorts keys and escapes HTML characters', () => {
    expect(goJSONMarshal({ b: 1, a: { d: '<&>', c: [true, null] } })).toBe(
      '{"a":{"c":[true,null],"d":"\\u003c\\u0026\\u003e"},"b":1}',
    );
    expect(goJSONMarshal('\u2028')).toBe('"\\u2028"');
  });
});
