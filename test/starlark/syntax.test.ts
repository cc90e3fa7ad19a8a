import { describe, expect, it } from 'vitest';
import { StarlarkSyntaxError } from '../../src/starlark/errors.js';
import { sourceText } from '../../src/starlark/interp.js';
import { TILT_DIALECT } from '../../src/starlark/resolve/resolver.js';
import { parse } from '../../src/starlark/syntax/parser.js';
import { Float } from '../../src/starlark/values/value.js';
import { global, printed, reprOf, run, strOf, syntaxError, text } from './helpers.js';

/** The error message of a program the parser rejects (`file:line:col: msg`). */
function parseError(src: string, file = 'x.star'): string {
  try {
    parse(file, sourceText(src));
  } catch (e) {
    expect(e).toBeInstanceOf(StarlarkSyntaxError);
    return text((e as StarlarkSyntaxError).message);
  }
  throw new Error(`parse succeeded: ${JSON.stringify(src)}`);
}

describe('syntax error positions', () => {
  it('reports an incomplete binary expression at the end of its line', () => {
    const e = syntaxError('x = 1 +');
    expect(e.message).toBe('x.star:1:8: got newline, want primary expression');
    expect(e.pos).toEqual({ file: 'x.star', line: 1, col: 8 });
    expect(e.msg).toBe('got newline, want primary expression');
  });

  it('counts lines across blank lines and comments', () => {
    expect(parseError('x = 1\n\n\n  \n# c\ny = 2 +\n')).toBe(
      'x.star:6:8: got newline, want primary expression',
    );
  });

  it('reports an expression left open inside brackets at the end of the file', () => {
    expect(parseError('x = 1\ny = (2 +\n')).toBe(
      'x.star:3:1: got end of file, want primary expression',
    );
    expect(parseError('x = [1, 2')).toBe("x.star:1:10: got end of file, want ']'");
  });

  it('reports an unbalanced closing bracket at its column', () => {
    expect(parseError('x = (1 + 2))')).toBe("x.star:1:12: unexpected ')'");
    expect(parseError('x = [1, 2]]')).toBe("x.star:1:11: unexpected ']'");
  });

  it('reports only the first syntax error of a file', () => {
    const e = syntaxError('x = 1 +\ny = 2 *');
    expect(e.message).toBe('x.star:1:8: got newline, want primary expression');
  });

  it('names the file it was given', () => {
    expect(parseError('f(', 'dir/Tiltfile')).toBe("dir/Tiltfile:1:3: got end of file, want ')'");
  });

  it('rejects a conditional expression without else', () => {
    expect(parseError('x = 1 if True')).toBe(
      'x.star:1:7: conditional expression without else clause',
    );
  });

  it('rejects two adjacent string literals', () => {
    expect(parseError('x = "a" "b"')).toBe('x.star:1:9: got string literal, want newline');
  });

  it('rejects a keyword used as a name', () => {
    expect(parseError('def = 1')).toBe('x.star:1:5: not an identifier');
  });

  it('accepts semicolons, trailing commas and backslash continuations', () => {
    expect(printed('x = 1; y = 2; print(x + y)')).toEqual(['3']);
    expect(printed('print(1, 2,)\nprint((1,))')).toEqual(['1 2', '(1,)']);
    expect(printed('x = 1 + \\\n  2\nprint(x)')).toEqual(['3']);
  });

  it('counts columns in characters, not bytes, after non-ASCII text', () => {
    // "世界" is two characters (six bytes); the newline is the 11th character.
    expect(parseError('x = "世界" +')).toBe('x.star:1:11: got newline, want primary expression');
  });
});

describe('indentation', () => {
  it('rejects an unexpected indent', () => {
    expect(parseError('x = 1\n  y = 2')).toBe('x.star:2:3: got indent, want primary expression');
  });

  it('rejects an unindent that matches no outer level', () => {
    expect(parseError('def f():\n    x = 1\n  y = 2\n')).toBe(
      'x.star:3:3: unindent does not match any outer indentation level',
    );
  });

  it('requires an indented block after a colon', () => {
    expect(parseError('def f():\nreturn 1')).toBe('x.star:2:1: got return, want indent');
  });

  it('runs a function indented with tabs', () => {
    expect(printed('def f():\n\tif True:\n\t\treturn 1\n\treturn 2\nprint(f())')).toEqual(['1']);
  });

  it('treats a leading tab as eight columns of indentation', () => {
    expect(printed('def f():\n\tx = 1\n        y = 2\n\treturn x + y\nprint(f())')).toEqual(['3']);
  });

  it('rejects a tab that indents deeper than the four spaces before it', () => {
    expect(parseError('def f():\n    x = 1\n\ty = 2\n')).toBe(
      'x.star:3:2: got indent, want primary expression',
    );
  });

  it('counts a tab that follows another tab in the same way go.starlark.net does', () => {
    // go.starlark.net advances a tab to the next multiple of 8 of the position
    // column, which counts the earlier tab as one column: "\t\t" is 15 columns.
    const src = 'def f():\n\tif True:\n\t\tx = 1\n               y = 2\n\treturn x + y\nprint(f())';
    expect(printed(src)).toEqual(['3']);
  });
});

describe('string literals', () => {
  it('decodes the simple escapes', () => {
    expect(global('s = "a\\n\\t\\\\\\"\\\'b"', 's')).toBe('a\n\t\\"\'b');
  });

  it('decodes hex and octal escapes of ASCII characters', () => {
    expect(global('s = "\\x41\\101\\x7e"', 's')).toBe('AA~');
  });

  it('encodes a \\u escape as UTF-8 bytes', () => {
    const { globals } = run('s = "\\u4e16"\nn = len(s)');
    expect(globals.get('n')).toBe(3);
    expect(globals.get('s')).toBe('\xe4\xb8\x96');
    expect(text(globals.get('s') as string)).toBe('世');
  });

  it('encodes a \\U escape outside the BMP as four bytes', () => {
    const { globals } = run('s = "\\U0001F600"\nn = len(s)');
    expect(globals.get('n')).toBe(4);
    expect(text(globals.get('s') as string)).toBe('😀');
  });

  it('keeps source text that is already UTF-8 as its bytes', () => {
    expect(run('n = len("世界")').globals.get('n')).toBe(6);
  });

  it('keeps backslashes in raw strings', () => {
    const { globals } = run('s = r"a\\nb"\nt = r"\\""');
    expect(text(globals.get('s') as string)).toBe('a\\nb');
    expect(text(globals.get('t') as string)).toBe('\\"');
  });

  it('keeps newlines and quotes inside triple-quoted strings', () => {
    expect(global('s = """a\nb "c" \'d\'"""', 's')).toBe('a\nb "c" \'d\'');
    expect(global("s = '''x'y\"z'''", 's')).toBe('x\'y"z');
  });

  it('joins lines on an escaped newline', () => {
    expect(global('s = "a\\\nb"', 's')).toBe('ab');
  });

  it('allows non-ASCII hex escapes in bytes literals only', () => {
    expect(printed('print(b"\\xff\\x00", len(b"\\xff\\x00"), len(b"世"))')).toEqual([
      'b"\\xff\\x00" 2 3',
    ]);
    expect(parseError('s = "\\xe4"')).toBe(
      'x.star:1:5: non-ASCII hex escape \\xe4 (use \\u00E4 for the UTF-8 encoding of U+00E4)',
    );
  });

  it('rejects an unterminated string at the position of its opening quote', () => {
    expect(parseError('x = "abc')).toBe('x.star:1:5: unexpected EOF in string');
    expect(parseError('x = "abc\ny = 1')).toBe('x.star:1:5: unexpected newline in string');
    expect(parseError('x = """abc\n\n')).toBe('x.star:1:5: unexpected EOF in string');
  });

  it('rejects a surrogate code point', () => {
    expect(parseError('x = "\\ud800"')).toBe('x.star:1:5: invalid Unicode code point U+D800');
  });
});

describe('numeric literals', () => {
  it('reads ints in every base', () => {
    expect(printed('print(255, 0xff, 0XFF, 0o377, 0O377, 0b11111111, 0B11111111, 0, 00)')).toEqual([
      '255 255 255 255 255 255 255 0 0',
    ]);
  });

  it('reads a hex literal wider than 64 bits as an exact bigint', () => {
    const v = run('x = 0x7fffffffffffffffff').globals.get('x');
    expect(v).toBe(0x7fffffffffffffffffn);
    expect(strOf(v!)).toBe('2361183241434822606847');
  });

  it('keeps decimal ints just above 2**53 exact', () => {
    expect(printed('print(9007199254740993, -9007199254740993, 9007199254740992 + 1)')).toEqual([
      '9007199254740993 -9007199254740993 9007199254740993',
    ]);
  });

  it('reads floats in all their forms', () => {
    const { globals } = run('a = 1.5\nb = 1e3\nc = .5\nd = 5.\ne = 1e-7\nf = 1.0e+2');
    const floats = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => globals.get(n));
    for (const f of floats) expect(f).toBeInstanceOf(Float);
    expect(floats.map((f) => (f as Float).v)).toEqual([1.5, 1000, 0.5, 5, 1e-7, 100]);
    expect(floats.map((f) => strOf(f!))).toEqual(['1.5', '1000.0', '0.5', '5.0', '1e-07', '100.0']);
  });

  it('does not read digit separators', () => {
    expect(parseError('x = 1_000')).toBe('x.star:1:6: got identifier, want newline');
  });
});

// Inputs and messages as go.starlark.net's scanner reports them.
describe('scanner errors match go.starlark.net', () => {
  const cases: [string, string][] = [
    ['0xG', 'x.star:1:1: invalid hex literal'],
    ['0b3', 'x.star:1:3: invalid binary literal'],
    ['0or', 'x.star:1:3: invalid octal literal'],
    ['0123', 'x.star:1:5: obsolete form of octal literal; use 0o123'],
    ['012834', 'x.star:1:1: invalid int literal'],
    ['x = 0xAAG', 'x.star:1:9: got identifier, want newline'],
    ['x = 0b1010201', 'x.star:1:11: got int literal, want newline'],
    ['x = 1e', 'x.star:1:7: invalid float literal'],
    ['x = 1e400', 'x.star:1:10: invalid float literal'],
    [
      '"\\377"',
      'x.star:1:1: non-ASCII octal escape \\377 (use \\u00FF for the UTF-8 encoding of U+00FF)',
    ],
    [
      '"\\400"',
      'x.star:1:1: non-ASCII octal escape \\400 (use \\u0100 for the UTF-8 encoding of U+0100)',
    ],
    ['"\\xF"', 'x.star:1:1: truncated escape sequence \\xF'],
    ['"\\xfg"', 'x.star:1:1: invalid escape sequence \\xfg'],
    ['"\\u100"', 'x.star:1:1: truncated escape sequence \\u100'],
    ['"\\u100g"', 'x.star:1:1: invalid escape sequence \\u100g'],
    ['"\\udc00"', 'x.star:1:1: invalid Unicode code point U+DC00'],
    ['"\\U00110000"', 'x.star:1:1: code point out of range: \\U00110000 (max \\U00110000)'],
    ['"foo\\(bar"', 'x.star:1:1: invalid escape sequence \\('],
    ["'a\\zb'", 'x.star:1:1: invalid escape sequence \\z'],
    ['b"\\400"', 'x.star:1:2: invalid escape sequence \\400'],
    ['x ! 0', "x.star:1:3: unexpected input character '!'"],
    ['x $ 0', "x.star:1:3: unexpected input character '$'"],
  ];
  it.each(cases)('%j is rejected with %j', (src, want) => {
    expect(parseError(src)).toBe(want);
  });

  it.each([
    ['x = 0in [0]', 'True'],
    ['x = 6or 1', '6'],
    ['x = 012934.', '12934.0'],
    ['x = "\\378"', '"\\x1f8"'],
    ['x = "\\U0010FFFF"', '"\\U0010ffff"'],
  ])('%j is accepted with the value %s', (src, want) => {
    const { globals } = run(src, { dialect: TILT_DIALECT });
    expect(reprOf(globals.get('x')!)).toBe(want);
  });
});
