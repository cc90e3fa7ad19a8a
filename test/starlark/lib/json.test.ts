import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonModule } from '../../../src/starlark/lib/json.js';
import { installQuote } from '../../../src/starlark/lib/quote.js';
import '../../../src/starlark/lib/string.js';
import { equals } from '../../../src/starlark/values/compare.js';
import {
  Builtin,
  Bytes,
  Dict,
  Float,
  List,
  None,
  Range,
  StarObject,
  Tuple,
  typeOf,
  type Kwargs,
  type Value,
} from '../../../src/starlark/values/value.js';
import { dict, f, list, thread, u } from './helpers.js';

installQuote();

function call(name: string, args: Value[], kwargs: Kwargs = []): Value {
  const b = jsonModule.members.get(name) as Builtin;
  return b.fn(thread, args, kwargs, b);
}
const encode = (x: Value) => call('encode', [x]);
const decode = (s: string) => call('decode', [s]);

/** A value with fields, like a struct. */
class Struct extends StarObject {
  constructor(readonly fields: Record<string, Value>) {
    super();
  }
  get type() {
    return 'struct';
  }
  attr(name: string): Value | undefined {
    return this.fields[name];
  }
  attrNames(): string[] {
    return Object.keys(this.fields);
  }
  repr(out: string[]) {
    out.push('struct(...)');
  }
}

const expectEq = (got: Value, want: Value) => {
  if (!equals(got, want)) throw new Error(`got ${String(got)}, want ${String(want)}`);
  expect(typeOf(got)).toBe(typeOf(want));
};

describe('json.encode', () => {
  it('encodes values as json.star expects', () => {
    expect([...jsonModule.members.keys()].sort()).toEqual([
      'decode',
      'encode',
      'encode_indent',
      'indent',
    ]);
    expect(encode(None)).toBe('null');
    expect(encode(true)).toBe('true');
    expect(encode(false)).toBe('false');
    expect(encode(-123)).toBe('-123');
    expect(encode(3539537889086624823140625n)).toBe('3539537889086624823140625');
    expect(encode(f(Number(3539537889086624823140625n)))).toBe('3.539537889086625e+24');
    expect(encode(f(12.345e67))).toBe('1.2345e+68');
    expect(encode(f(1))).toBe('1.0');
    expect(encode('hello')).toBe('"hello"');
    expect(encode(list(1, 2, 3))).toBe('[1,2,3]');
    expect(encode(new Tuple([1, 2, 3]))).toBe('[1,2,3]');
    expect(encode(new Range(0, 3, 1))).toBe('[0,1,2]');
    expect(encode(dict(['x', 1], ['y', 'two']))).toBe('{"x":1,"y":"two"}');
    expect(encode(dict(['y', 'two'], ['x', 1]))).toBe('{"x":1,"y":"two"}');
    expect(encode(new Struct({ y: 'two', x: 1 }))).toBe('{"x":1,"y":"two"}');
    expect(encode(u('😹').slice(0, 1))).toBe('"\\ufffd"');
  });

  it('escapes strings as Go does', () => {
    expect(encode('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(encode('<&>')).toBe('"<&>"'); // printable ASCII is quoted by strconv
    expect(encode('<\n>')).toBe('"\\u003c\\n\\u003e"'); // otherwise by encoding/json
    expect(encode('\x7f')).toBe('"\\x7f"');
    expect(encode('\x00\b\f\t\r\x1f')).toBe('"\\u0000\\b\\f\\t\\r\\u001f"');
    expect(encode(u('é\u2028'))).toBe(`"${u('é')}\\u2028"`);
    expect(encode(u('😹').slice(0, 3))).toBe('"\\ufffd\\ufffd\\ufffd"');
  });

  it('reports errors with their path', () => {
    const len = new Builtin('len', () => None);
    expect(() => encode(f(NaN))).toThrow('json.encode: cannot encode non-finite float nan');
    expect(() => encode(f(-Infinity))).toThrow('json.encode: cannot encode non-finite float -inf');
    expect(() => encode(dict([1, 'two']))).toThrow('json.encode: dict has int key, want string');
    expect(() => encode(len)).toThrow(
      'json.encode: cannot encode builtin_function_or_method as JSON',
    );
    expect(() => encode(new Struct({ x: list(1, dict(['x', len])) }))).toThrow(
      'json.encode: in field .x: at list index 1: in dict key "x": cannot encode builtin_function_or_method as JSON',
    );
    const m = new Dict();
    m.setUnchecked('r', m);
    expect(() => encode(m)).toThrow('json.encode: in dict key "r": cycle in JSON structure');
    const l = list();
    l.elems.push(l);
    expect(() => encode(l)).toThrow('json.encode: at list index 0: cycle in JSON structure');
    const t = new Tuple([1, 2, list()]);
    (t.elems[2] as List).elems.push(t);
    expect(() => encode(t)).toThrow(
      'json.encode: at tuple index 2: at list index 0: cycle in JSON structure',
    );
    expect(l.itercount).toBe(0);
    const shared = list(1);
    expect(encode(list(shared, shared))).toBe('[[1],[1]]');
    expect(() => call('encode', [])).toThrow('json.encode: got 0 arguments, want 1');
    // bytes is not iterable but has attributes (its methods)
    expect(() => encode(new Bytes('abc'))).toThrow(
      'json.encode: in field .elems: cannot encode builtin_function_or_method as JSON',
    );
    expect(() => encode(jsonModule)).toThrow(
      'json.encode: in field .decode: cannot encode builtin_function_or_method as JSON',
    );
  });
});

describe('json.indent and json.encode_indent', () => {
  const s = encode(dict(['x', 1], ['y', list('one', 'two')])) as string;

  it('indents like Go', () => {
    expect(call('indent', [s])).toBe('{\n\t"x": 1,\n\t"y": [\n\t\t"one",\n\t\t"two"\n\t]\n}');
    const p = u('¶');
    const i = u('–––');
    expect(
      call(
        'indent',
        [s],
        [
          ['prefix', p],
          ['indent', i],
        ],
      ),
    ).toBe(
      `{\n${p}${i}"x": 1,\n${p}${i}"y": [\n${p}${i}${i}"one",\n${p}${i}${i}"two"\n${p}${i}]\n${p}}`,
    );
    expect(
      call(
        'encode_indent',
        [dict(['x', 1], ['y', list('one', 'two')])],
        [
          ['prefix', p],
          ['indent', i],
        ],
      ),
    ).toBe(
      call(
        'indent',
        [s],
        [
          ['prefix', p],
          ['indent', i],
        ],
      ),
    );
    expect(call('indent', [' [ ] '])).toBe('[] ');
    expect(call('indent', ['{"a" : {}, "b":[ 1 ,"x y" ]}'])).toBe(
      '{\n\t"a": {},\n\t"b": [\n\t\t1,\n\t\t"x y"\n\t]\n}',
    );
    expectEq(decode(call('indent', [s]) as string), dict(['x', 1], ['y', list('one', 'two')]));
  });

  it('reports syntax errors as encoding/json does', () => {
    expect(() => call('indent', ['!@#$%^& this is not json'])).toThrow(
      "json.indent: invalid character '!' looking for beginning of value",
    );
    expect(() => call('indent', ['[1,]'])).toThrow(
      "json.indent: invalid character ']' looking for beginning of value",
    );
    expect(() => call('indent', ['{"a" 1}'])).toThrow(
      "json.indent: invalid character '1' after object key",
    );
    expect(() => call('indent', ['[1'])).toThrow('json.indent: unexpected end of JSON input');
    // At the end, Go's scanner steps a space, so unfinished literals report it.
    expect(() => call('indent', ['tru'])).toThrow(
      "json.indent: invalid character ' ' in literal true (expecting 'e')",
    );
    expect(() => call('indent', ['trux'])).toThrow(
      "json.indent: invalid character 'x' in literal true (expecting 'e')",
    );
    expect(() => call('indent', ['1 2'])).toThrow(
      "json.indent: invalid character '2' after top-level value",
    );
    expect(() => call('indent', ['01'])).toThrow(
      "json.indent: invalid character '1' after top-level value",
    );
    expect(() => call('indent', ['1.'])).toThrow(
      "json.indent: invalid character ' ' after decimal point in numeric literal",
    );
    expect(() => call('indent', ['"abc'])).toThrow('json.indent: unexpected end of JSON input');
    expect(() => call('indent', ['"\\q"'])).toThrow(
      "json.indent: invalid character 'q' in string escape code",
    );
    expect(() => call('indent', ['"\x01"'])).toThrow(
      "json.indent: invalid character '\\x01' in string literal",
    );
    expect(() => call('indent', [u('é')])).toThrow(
      `json.indent: invalid character '${u('Ã')}' looking for`,
    );
  });

  it('checks arguments', () => {
    expect(() => call('encode_indent', ['foo', 'bar'])).toThrow(
      'json.encode_indent: got 2 arguments, want 1',
    );
    const m = new Dict();
    m.setUnchecked('r', m);
    expect(() => call('encode_indent', [m])).toThrow(
      'json.encode_indent: in dict key "r": cycle in JSON structure',
    );
    expect(() => call('indent', [1])).toThrow('json.indent: for parameter 1: got int, want string');
    expect(() => call('indent', ['1'], [['prefix', 1]])).toThrow(
      'json.indent: for parameter prefix: got int, want string',
    );
    expect(encode(call('encode_indent', [list()]))).toBe('"[]"');
  });
});

describe('json.decode', () => {
  it('decodes values as json.star expects', () => {
    expectEq(decode('null'), None);
    expectEq(decode('true'), true);
    expectEq(decode('false'), false);
    expectEq(decode('-123'), -123);
    expect(Object.is(decode('-0'), 0)).toBe(true);
    expectEq(decode('3539537889086624823140625'), 3539537889086624823140625n);
    expectEq(decode('3539537889086624823140625.0'), f(Number(3539537889086624823140625n)));
    expectEq(decode('3.539537889086625e+24'), f(3.539537889086625e24));
    expectEq(decode('0e+1'), f(0));
    expect(Object.is((decode('-0.0') as Float).v, -0)).toBe(true);
    expectEq(decode('-0.' + '0'.repeat(77) + '1'), f(-1e-78));
    expectEq(decode('[]'), list());
    expectEq(decode('[1]'), list(1));
    expectEq(decode(' [1, 2 ,3] '), list(1, 2, 3));
    expectEq(decode('{"one": 1, "two": 2}'), dict(['one', 1], ['two', 2]));
    expectEq(decode('{"a": 1, "a": 2}'), dict(['a', 2]));
    expectEq(decode('{"foo\\u0000bar": 42}'), dict(['foo\x00bar', 42]));
    expectEq(decode('"\\ud83d\\ude39\\ud83d\\udc8d"'), u('😹💍'));
    expectEq(decode('"\\u0123"'), u('ģ'));
    expectEq(decode('"\x7f"'), '\x7f');
    expectEq(decode('"\\ud83d"'), u('\ufffd'));
    expectEq(decode('"\\ud83d\\u0041"'), u('\ufffdA'));
    expectEq(decode(`"a${u('😹').slice(0, 2)}b"`), u('a\ufffd\ufffdb'));
    expectEq(decode('"\\/\\b\\f\\n\\r\\t\\"\\\\"'), '/\b\f\n\r\t"\\');
    expectEq(decode('"a\tb"'), 'a\tb'); // raw control characters pass when nothing needs unquoting
  });

  it('reports errors with their offsets', () => {
    const cases: [string, string][] = [
      ['truefalse', "json.decode: at offset 4, unexpected character 'f' after value"],
      ['"abc', 'json.decode: at offset 0, unclosed string literal'],
      ['"ab\\gc"', "json.decode: at offset 7, invalid character 'g' in string escape code"],
      [
        '"\\u12"',
        "json.decode: at offset 6, invalid character '\"' in \\u hexadecimal character escape",
      ],
      [`"${u('é')}\n"`, "json.decode: at offset 5, invalid character '\\n' in string literal"],
      ["'abc'", "json.decode: at offset 0, unexpected character '\\''"],
      ['1.2.3', 'json.decode: at offset 5, invalid number: 1.2.3'],
      ['+1', "unexpected character '+'"],
      ['-abc', 'invalid number: -'],
      ['-', 'invalid number: -'],
      ['-00', 'invalid number: -00'],
      ['00', 'invalid number: 00'],
      ['--1', 'invalid number: --1'],
      ['-+1', 'invalid number: -+1'],
      ['1e1e1', 'invalid number: 1e1e1'],
      ['0123', 'invalid number: 0123'],
      ['000.123', 'invalid number: 000.123'],
      ['-0123', 'invalid number: -0123'],
      ['-000.123', 'invalid number: -000.123'],
      ['1e1000', 'invalid number: 1e1000'],
      ['0x123', "json.decode: at offset 1, unexpected character 'x' after value"],
      ['[1, 2 ', 'json.decode: at offset 6, unexpected end of file'],
      ['[1, 2, ', 'unexpected end of file'],
      ['[1, 2, ]', "unexpected character ']'"],
      ['[1, 2, }', "unexpected character '}'"],
      ['[1, 2}', "json.decode: at offset 5, got '}', want ',' or ']'"],
      ['{"one": 1', 'unexpected end of file'],
      ['{"one" 1', "json.decode: at offset 7, after object key, got '1', want ':' "],
      ['{"one": 1 "two": 2', "in object, got '\"', want ',' or '}'"],
      ['{"one": 1,', 'unexpected end of file'],
      ['{"one": 1, }', "unexpected character '}'"],
      ['{"one": 1]', "in object, got ']', want ',' or '}'"],
      ['{1: 2}', 'json.decode: at offset 2, got int for object key, want string'],
      ['nul', "json.decode: at offset 0, unexpected character 'n'"],
      ['', 'json.decode: at offset 0, unexpected end of file'],
      [u('é'), `json.decode: at offset 0, unexpected character '${u('Ã')}'`],
      ['\x85', "json.decode: at offset 0, unexpected character '\\u0085'"],
    ];
    for (const [s, msg] of cases) expect(() => decode(s), s).toThrow(msg);
  });

  it('decodes deeply nested documents', () => {
    const n = 100000;
    let v = decode('['.repeat(n) + ']'.repeat(n));
    let depth = 0;
    while (v instanceof List && v.elems.length === 1) {
      v = v.elems[0];
      depth++;
    }
    expect(depth).toBe(n - 1);
    expectEq(
      decode('{"a": {"b": [{}, [], {"c": [1, {"d": null}]}]}}'),
      dict(['a', dict(['b', list(dict(), list(), dict(['c', list(1, dict(['d', None]))]))])]),
    );
    expect(() => decode('{[1]: 2}')).toThrow(
      'json.decode: at offset 4, got list for object key, want string',
    );
    expect(() => decode('['.repeat(10) + '1]')).toThrow(
      'json.decode: at offset 12, unexpected end of file',
    );
  });

  it('returns the default on invalid input', () => {
    const bad = '{"invalid": "json"';
    expectEq(
      call('decode', ['{"valid": "json"}'], [['default', 'default value']]),
      dict(['valid', 'json']),
    );
    expectEq(call('decode', ['{"valid": "json"}', 'default value']), dict(['valid', 'json']));
    expectEq(call('decode', [bad], [['default', 'default value']]), 'default value');
    expectEq(call('decode', [bad, 'default value']), 'default value');
    expectEq(call('decode', [bad], [['default', None]]), None);
    expectEq(call('decode', [bad, None]), None);
    expect(() =>
      call(
        'decode',
        [],
        [
          ['x', bad],
          ['default', 'default value'],
        ],
      ),
    ).toThrow('json.decode: unexpected keyword argument x');
    expect(() => call('decode', [1])).toThrow('json.decode: for parameter x: got int, want string');
    expect(() => call('decode', [])).toThrow('json.decode: missing argument for x');
  });

  it('round-trips strings and numbers (json.star codec)', () => {
    const codec = (x: Value) => decode(encode(x) as string);
    const strings = list(u('😿'), u('🐱‍👤'));
    expectEq(codec(strings), strings);
    let cps = '';
    for (let c = 0; c < 65536; c++)
      cps += u(String.fromCharCode(c >= 0xd800 && c < 0xe000 ? 0xfffd : c));
    expectEq(codec(cps), cps);
    for (const n of [
      0,
      1,
      -1,
      f(1.23e45),
      f(-1.23e-45),
      3539537889086624823140625n,
      f(Number(3539537889086624823140625n)),
      f(1),
    ]) {
      expectEq(codec(n), n);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const b = u(s);
        expectEq(codec(b), b);
      }),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Object.is((codec(f(x)) as Float).v, x)).toBe(true);
      }),
    );
  });
});
