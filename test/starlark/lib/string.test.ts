import { describe, expect, it } from 'vitest';
import { equals } from '../../../src/starlark/values/compare.js';
import { decodeUtf8, encodeUtf8 } from '../../../src/starlark/values/utf8.js';
import {
  Builtin,
  Bytes,
  Dict,
  Float,
  None,
  repr,
  str,
  Tuple,
  type Kwargs,
  type Value,
} from '../../../src/starlark/values/value.js';
import { quote } from '../../../src/starlark/lib/quote.js';
import {
  BytesElems,
  bytesMethods,
  StringCodepoints,
  StringElems,
  stringMethods,
} from '../../../src/starlark/lib/string.js';
import { fails, list, thread, tuple, u } from './helpers.js';

function call(recv: Value, name: string, ...args: Value[]): Value {
  const methods = recv instanceof Bytes ? bytesMethods : stringMethods;
  const b = (methods.get(name) as Builtin).bind(recv);
  return b.fn(thread, args, [] as Kwargs, b);
}
/** Calls a string method on a JS-text receiver. */
const m = (recv: string, name: string, ...args: Value[]) => call(u(recv), name, ...args);

function eq(got: Value, want: Value): void {
  if (!equals(got, want)) expect(repr(got)).toBe(repr(want));
}

const elements = (v: Value) => (v as StringElems | StringCodepoints | BytesElems).elements();

describe('string iterables', () => {
  const s = u('abcЙ😿');
  const bad = u('A') + u('😿Z').slice(1);

  it('codepoint_ords', () => {
    const v = call(s, 'codepoint_ords');
    expect((v as StringCodepoints).type).toBe('string.codepoints');
    expect(str(v)).toBe(u('"abcЙ😿".codepoint_ords()'));
    eq(list(...elements(v)), list(97, 98, 99, 1049, 128575));
    eq(list(...elements(call(bad, 'codepoint_ords'))), list(65, 0xfffd, 0xfffd, 0xfffd, 90));
    eq(list(...elements(call('', 'codepoint_ords'))), list());
  });

  it('codepoints', () => {
    const v = call(s, 'codepoints');
    expect(str(v)).toBe(u('"abcЙ😿".codepoints()'));
    eq(list(...elements(v)), list('a', 'b', 'c', u('Й'), u('😿')));
    eq(list(...elements(call(bad, 'codepoints'))), list('A', u('�'), u('�'), u('�'), 'Z'));
    expect('len' in (v as object)).toBe(false);
  });

  it('elem_ords', () => {
    const v = call(s, 'elem_ords') as StringElems;
    expect(v.type).toBe('string.elems');
    expect(str(v)).toBe(u('"abcЙ😿".elem_ords()'));
    eq(list(...v.elements()), list(97, 98, 99, 208, 153, 240, 159, 152, 191));
    eq(list(...elements(call(bad, 'elem_ords'))), list(65, 159, 152, 191, 90));
    expect(v.index(2)).toBe(99);
    expect(v.len()).toBe(9);
  });

  it('elems', () => {
    const v = call(s, 'elems') as StringElems;
    expect(str(v)).toBe(u('"abcЙ😿".elems()'));
    expect(repr(list(...v.elements()))).toBe(
      '["a", "b", "c", "\\xd0", "\\x99", "\\xf0", "\\x9f", "\\x98", "\\xbf"]',
    );
    expect(repr(list(...elements(call(bad, 'elems'))))).toBe(
      '["A", "\\x9f", "\\x98", "\\xbf", "Z"]',
    );
    expect(v.index(2)).toBe('c');
    expect(v.len()).toBe(9);
    fails(() => v.hashKey(), 'unhashable: string.elems');
  });

  it('bytes.elems', () => {
    const hello = new Bytes(u('hello, 世界'));
    const v = call(hello, 'elems');
    expect((v as BytesElems).type).toBe('bytes.elems');
    expect(str(v)).toBe(u('b"hello, 世界".elems()'));
    eq(list(...elements(v)), list(104, 101, 108, 108, 111, 44, 32, 228, 184, 150, 231, 149, 140));
    eq(list(...elements(call(new Bytes(''), 'elems'))), list());
  });
});

describe('quote', () => {
  it('strings', () => {
    expect(repr(u('Hello, 世界!')[7])).toBe('"\\xe4"');
    expect(repr(u('😿').slice(0, 1))).toBe('"\\xf0"');
    expect(quote('a"b\\c\n\t\x07\x7f\x00')).toBe('"a\\"b\\\\c\\n\\t\\a\\x7f\\x00"');
    expect(quote(u('\u200d\u00a0é\u{10437}\u{e0001}'))).toBe(
      u('"\\u200d\\u00a0é\u{10437}\\U000e0001"'),
    );
    expect(quote(u('\ufffd'))).toBe(u('"\ufffd"'));
  });

  it('bytes', () => {
    const hello = new Bytes(u('hello, 世界'));
    expect(repr(hello)).toBe(u('b"hello, 世界"'));
    expect(repr(new Bytes(hello.s.slice(0, -1)))).toBe(u('b"hello, 世\\xe7\\x95"'));
    expect(repr(new Bytes(''))).toBe('b""');
    expect(repr(new Bytes(u('\t\n\x7F\u200D')))).toBe('b"\\t\\n\\x7f\\u200d"');
    expect(repr(new Bytes('\xed\xb0\x80'))).toBe('b"\\xed\\xb0\\x80"');
  });
});

describe('utf8', () => {
  it('decodes like Go', () => {
    expect(decodeUtf8(u('hello, 世界').slice(0, -1))).toBe('hello, 世\ufffd\ufffd');
    expect(decodeUtf8('\xed\xb0\x80')).toBe('\ufffd\ufffd\ufffd');
    expect(encodeUtf8('\ud800')).toBe('\xef\xbf\xbd');
  });
});

describe('split', () => {
  it('on a separator', () => {
    eq(m('a.b.c.d', 'split', '.'), list('a', 'b', 'c', 'd'));
    eq(m('a.b.c.d', 'rsplit', '.'), list('a', 'b', 'c', 'd'));
    eq(m('a.b.c.d', 'split', '.', -1), list('a', 'b', 'c', 'd'));
    eq(m('a.b.c.d', 'split', '.', 0), list('a.b.c.d'));
    eq(m('a.b.c.d', 'rsplit', '.', 0), list('a.b.c.d'));
    eq(m('a.b.c.d', 'split', '.', 1), list('a', 'b.c.d'));
    eq(m('a.b.c.d', 'rsplit', '.', 1), list('a.b.c', 'd'));
    eq(m('a.b.c.d', 'split', '.', 2), list('a', 'b', 'c.d'));
    eq(m('a.b.c.d', 'rsplit', '.', 2), list('a.b', 'c', 'd'));
    eq(m('  ', 'split', '.'), list('  '));
    eq(m('--aa--bb--cc--', 'split', '-', 0), list('--aa--bb--cc--'));
    eq(m('--aa--bb--cc--', 'split', '-', 1), list('', '-aa--bb--cc--'));
    eq(m('--aa--bb--cc--', 'rsplit', '-', 1), list('--aa--bb--cc-', ''));
    eq(m('--aa--bb--cc--', 'rsplit', '-', -1), list('', '', 'aa', '', 'bb', '', 'cc', '', ''));
    eq(m('localhost:80', 'rsplit', ':', 1), list('localhost', '80'));
    fails(() => m('a', 'split', ''), '^split: empty separator$');
    fails(() => m('a', 'rsplit', 1), '^split: got int for separator, want string$');
    fails(() => m('a', 'split', '.', 'x'), '^split: for parameter 2: got string, want int$');
  });

  it('on white space', () => {
    const s = ' a bc\n  def \t  ghi';
    eq(m(s, 'split'), list('a', 'bc', 'def', 'ghi'));
    eq(m(s, 'split', None), list('a', 'bc', 'def', 'ghi'));
    eq(m(s, 'split', None, 0), list('a bc\n  def \t  ghi'));
    eq(m(s, 'rsplit', None, 0), list(' a bc\n  def \t  ghi'));
    eq(m(s, 'split', None, 1), list('a', 'bc\n  def \t  ghi'));
    eq(m(s, 'rsplit', None, 1), list(' a bc\n  def', 'ghi'));
    eq(m(s, 'split', None, 2), list('a', 'bc', 'def \t  ghi'));
    eq(m(s, 'rsplit', None, 2), list(' a bc', 'def', 'ghi'));
    eq(m(s, 'rsplit', None, 3), list(' a', 'bc', 'def', 'ghi'));
    eq(m(s, 'rsplit', None, 5), list('a', 'bc', 'def', 'ghi'));
    eq(m(s + ' ', 'split', None, 0), list('a bc\n  def \t  ghi '));
    eq(m(s + ' ', 'rsplit', None, 0), list(' a bc\n  def \t  ghi'));
    eq(m('  aa  bb  cc  ', 'split', None, 1), list('aa', 'bb  cc  '));
    eq(m('  aa  bb  cc  ', 'rsplit', None, 1), list('  aa  bb', 'cc'));
    eq(m('  aa  bb  cc  ', 'rsplit', None, -1), list('aa', 'bb', 'cc'));
    eq(m('  ', 'split', None), list());
    eq(m('  ', 'rsplit', None), list());
    eq(m('a\u3000b\u00a0c', 'split'), list('a', 'b', 'c'));
  });

  it('splitlines', () => {
    eq(m('\nabc\ndef', 'splitlines'), list('', 'abc', 'def'));
    eq(m('\nabc\ndef', 'splitlines', true), list('\n', 'abc\n', 'def'));
    eq(m('\nabc\ndef\n', 'splitlines'), list('', 'abc', 'def'));
    eq(m('\nabc\ndef\n', 'splitlines', true), list('\n', 'abc\n', 'def\n'));
    eq(m('', 'splitlines'), list());
    eq(m('', 'splitlines', true), list());
    eq(m('\n', 'splitlines'), list(''));
    eq(m('a\n\nb', 'splitlines', true), list('a\n', '\n', 'b'));
    fails(() => m('a', 'splitlines', 1), '^splitlines: for parameter 1: got int, want bool$');
  });
});

describe('strip, count, find, partition, replace', () => {
  it('strip', () => {
    expect(m(' \tfoo\n ', 'strip')).toBe('foo');
    expect(m(' \tfoo\n ', 'lstrip')).toBe('foo\n ');
    expect(m(' \tfoo\n ', 'rstrip')).toBe(' \tfoo');
    expect(m(' \tfoo\n ', 'strip', '')).toBe('foo');
    expect(m('blah.h', 'strip', 'b.h')).toBe('la');
    expect(m('blah.h', 'lstrip', 'b.h')).toBe('lah.h');
    expect(m('blah.h', 'rstrip', 'b.h')).toBe('bla');
    expect(m('éaé', 'strip', u('é'))).toBe('a');
    expect(m('\u00a0x\u2003', 'strip')).toBe('x');
    fails(() => m('a', 'strip', None), 'strip: for parameter 1: got NoneType, want string');
  });

  it('count', () => {
    expect(m('banana', 'count', 'a')).toBe(3);
    expect(m('banana', 'count', 'a', 2)).toBe(2);
    expect(m('banana', 'count', 'a', -4, -2)).toBe(1);
    expect(m('banana', 'count', 'a', 1, 4)).toBe(2);
    expect(m('banana', 'count', 'a', 0, -100)).toBe(0);
    expect(m('héllo', 'count', '')).toBe(6);
    fails(
      () => m('a', 'count', 'a', new Float(1.5)),
      '^count: invalid start index: got float, want int$',
    );
    fails(
      () => m('a', 'count', 'a', 0, 2n ** 70n),
      'count: invalid end index: 1180591620717411303424 out of range',
    );
    fails(() => m('a', 'count'), '^count: got 0 arguments, want at least 1$');
    fails(() => m('a', 'count', 1), '^count: for parameter 1: got int, want string$');
  });

  it('startswith/endswith', () => {
    expect(m('foo', 'endswith', 'oo')).toBe(true);
    expect(m('foo', 'endswith', 'x')).toBe(false);
    expect(m('foo', 'startswith', 'fo')).toBe(true);
    fails(() => m('foo', 'startswith', 1), 'got int.*want string');
    expect(m('abc', 'startswith', tuple('a', 'A'))).toBe(true);
    expect(m('ABC', 'startswith', tuple('a', 'A'))).toBe(true);
    expect(m('ABC', 'startswith', tuple('b', 'B'))).toBe(false);
    fails(() => m('123', 'startswith', tuple(1, 2)), 'got int, for element 0');
    fails(() => m('123', 'startswith', list('3')), 'got list');
    expect(m('ABC', 'endswith', tuple('c', 'C'))).toBe(true);
    fails(
      () => m('123', 'endswith', tuple(1, 2)),
      '^endswith: want string, got int, for element 0$',
    );
    expect(m('abc', 'startswith', 'bc', 1)).toBe(true);
    expect(m('abc', 'startswith', 'b', 999)).toBe(false);
    expect(m('abc', 'endswith', 'ab', None, -1)).toBe(true);
    expect(m('abc', 'endswith', 'b', None, -999)).toBe(false);
  });

  it('find/index', () => {
    expect(m('foofoo', 'find', 'oo')).toBe(1);
    expect(m('foofoo', 'find', 'ox')).toBe(-1);
    expect(m('foofoo', 'find', 'oo', 2)).toBe(4);
    expect(m('foofoo', 'rfind', 'oo')).toBe(4);
    expect(m('foofoo', 'rfind', 'ox')).toBe(-1);
    expect(m('foofoo', 'rfind', 'oo', 1, 4)).toBe(1);
    expect(m('foofoo', 'find', '')).toBe(0);
    expect(m('foofoo', 'rfind', '')).toBe(6);
    expect(m('foofoo', 'index', 'oo', 2)).toBe(4);
    expect(m('foofoo', 'rindex', 'oo')).toBe(4);
    fails(() => m('foofoo', 'index', 'x'), '^index: substring not found$');
    fails(() => m('foofoo', 'rindex', 'x'), '^rindex: substring not found$');
  });

  it('partition', () => {
    eq(m('foo/bar/wiz', 'partition', '/'), tuple('foo', '/', 'bar/wiz'));
    eq(m('foo/bar/wiz', 'rpartition', '/'), tuple('foo/bar', '/', 'wiz'));
    eq(m('foo/bar/wiz', 'partition', '.'), tuple('foo/bar/wiz', '', ''));
    eq(m('foo/bar/wiz', 'rpartition', '.'), tuple('', '', 'foo/bar/wiz'));
    fails(() => m('foo/bar/wiz', 'partition', ''), '^partition: empty separator$');
    fails(() => m('foo/bar/wiz', 'rpartition', ''), '^rpartition: empty separator$');
  });

  it('replace', () => {
    expect(m('banana', 'replace', 'a', 'o', 1)).toBe('bonana');
    expect(m('banana', 'replace', 'a', 'o')).toBe('bonono');
    expect(m('banana', 'replace', 'a', 'o', -1)).toBe('bonono');
    expect(m('banana', 'replace', 'a', 'o', 0)).toBe('banana');
    expect(m('abc', 'replace', '', '-')).toBe('-a-b-c-');
    expect(m('abc', 'replace', '', '-', 2)).toBe('-a-bc');
    expect(m('é', 'replace', '', '-')).toBe(u('-é-'));
    expect(m('', 'replace', '', '-')).toBe('-');
    fails(() => m('a', 'replace', 'a'), '^replace: got 1 arguments, want at least 2$');
  });

  it('removeprefix/removesuffix', () => {
    expect(m('Apricot', 'removesuffix', 'cot')).toBe('Apri');
    expect(m('Apricot', 'removesuffix', 'Cot')).toBe('Apricot');
    expect(m('a', 'removesuffix', '')).toBe('a');
    expect(m('Apricotcot', 'removesuffix', 'cot')).toBe('Apricot');
    expect(m('Apricot', 'removeprefix', 'Apr')).toBe('icot');
    expect(m('Apricot', 'removeprefix', 'pr')).toBe('Apricot');
    expect(m('', 'removeprefix', '')).toBe('');
  });

  it('join', () => {
    expect(m(',', 'join', list())).toBe('');
    expect(m(',', 'join', list('a', 'b', 'c'))).toBe('a,b,c');
    expect(m(',', 'join', tuple('a', 'b', 'c'))).toBe('a,b,c');
    expect(m('', 'join', call('abc', 'elems'))).toBe('abc');
    const d = new Dict();
    d.setUnchecked('k', 1);
    expect(m('', 'join', d)).toBe('k');
    expect(m('?', 'join', list('foo', (m('a/b/c.go', 'rpartition', '/') as Tuple).elems[0]))).toBe(
      'foo?a/b',
    );
    fails(() => m(',', 'join', 'abc'), '^join: for parameter 1: got string, want iterable$');
    fails(() => m('', 'join', None), 'got NoneType, want iterable');
    fails(() => m('', 'join', list('one', 2)), '^join: in list, want string, got int$');
  });

  it('format', () => {
    expect(m('a{}b', 'format', 123)).toBe('a123b');
    const b = (stringMethods.get('format') as Builtin).bind('a{x}b{}');
    expect(b.fn(thread, [1], [['x', 2]], b)).toBe('a2b1');
  });
});

describe('case', () => {
  it('predicates', () => {
    const predicates = ['alnum', 'alpha', 'digit', 'lower', 'space', 'title', 'upper'];
    const table: [string, string][] = [
      ['Hello, World!', 'title'],
      ['hello, world!', 'lower'],
      ['base64', 'alnum lower'],
      ['HAL-9000', 'upper'],
      ['Catch-22', 'title'],
      ['', ''],
      ['\n\t\r', 'space'],
      ['abc', 'alnum alpha lower'],
      ['ABC', 'alnum alpha upper'],
      ['123', 'alnum digit'],
      ['ǄǇ', 'alnum alpha upper'],
      ['ǅǈ', 'alnum alpha'],
      ['ǅ ǈ', 'title'],
      ['ǆǉ', 'alnum alpha lower'],
    ];
    for (const [s, want] of table) {
      const got = predicates.filter((p) => m(s, 'is' + p) === true).join(' ');
      expect(got, s).toBe(want);
    }
  });

  it('capitalize, lower, upper, title', () => {
    expect(m('hElLo, WoRlD!', 'capitalize')).toBe('Hello, world!');
    expect(m('por qué', 'capitalize')).toBe(u('Por qué'));
    expect(m('¿Por qué?', 'capitalize')).toBe(u('¿por qué?'));
    expect(m('hElLo, WoRlD!', 'lower')).toBe('hello, world!');
    expect(m('¿Por qué?', 'lower')).toBe(u('¿por qué?'));
    expect(m('ǇUBOVIĆ', 'lower')).toBe(u('ǉubović'));
    expect(m('ǆenan ǉubović', 'islower')).toBe(true);
    expect(m('hElLo, WoRlD!', 'upper')).toBe('HELLO, WORLD!');
    expect(m('por qué', 'upper')).toBe(u('POR QUÉ'));
    expect(m('ǉubović', 'upper')).toBe(u('ǇUBOVIĆ'));
    expect(m('ǄENAN ǇUBOVIĆ', 'isupper')).toBe(true);
    expect(m('hElLo, WoRlD!', 'title')).toBe('Hello, World!');
    expect(m('por qué', 'title')).toBe(u('Por Qué'));
    expect(m('¿Por qué?', 'title')).toBe(u('¿Por Qué?'));
    expect(m('ǉubović', 'title')).toBe(u('ǈubović'));
    expect(m('ǅenan ǈubović', 'istitle')).toBe(true);
    expect(m('Ǆenan Ǉubović', 'istitle')).toBe(false);
    // simple (one rune) mappings, as Go's unicode package
    expect(m('ß', 'upper')).toBe(u('ß'));
    expect(m('İ', 'lower')).toBe('i');
    expect(m('ᾳ', 'upper')).toBe(u('ᾼ'));
    expect(m('ß', 'islower')).toBe(true);
    // invalid bytes become U+FFFD
    expect(call('a\xff', 'upper')).toBe('A' + u('\ufffd'));
    expect(call('a\xff', 'islower')).toBe(false);
  });

  it('argument checks', () => {
    fails(() => m('a', 'upper', 1), '^upper: got 1 arguments, want 0$');
    const b = (stringMethods.get('lower') as Builtin).bind('a');
    fails(() => b.fn(thread, [], [['x', 1]], b), '^lower: unexpected keyword arguments$');
  });

  it('method table', () => {
    expect([...stringMethods.keys()]).toEqual([...stringMethods.keys()].sort());
    expect(stringMethods.size).toBe(35);
    expect([...bytesMethods.keys()]).toEqual(['elems']);
  });
});
