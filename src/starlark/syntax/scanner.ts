// The Starlark scanner: source bytes to tokens, with Python-style
// INDENT/OUTDENT/NEWLINE tokens and go.starlark.net's messages.

import { StarlarkSyntaxError } from '../errors.js';
import { Bytes, Float, type Value } from '../values/value.js';
import type { Pos } from './ast.js';

/** Deepest block nesting, as in Python. */
const MAX_INDENT = 100;

export type TokenKind =
  | 'EOF'
  | 'NEWLINE'
  | 'INDENT'
  | 'OUTDENT'
  | 'IDENT'
  | 'INT'
  | 'FLOAT'
  | 'STRING'
  | 'BYTES'
  | 'KEYWORD'
  | 'PUNCT';

export interface Token {
  kind: TokenKind;
  /** Identifier name, keyword, or punctuation text. */
  text: string;
  pos: Pos;
  /** Decoded literal value. */
  value?: Value;
}

const KEYWORDS = new Set([
  'and',
  'break',
  'continue',
  'def',
  'elif',
  'else',
  'for',
  'if',
  'in',
  'lambda',
  'load',
  'not',
  'or',
  'pass',
  'return',
  'while',
]);

// Longest first so that the scanner can match greedily.
const PUNCT = [
  '//=',
  '<<=',
  '>>=',
  '**',
  '//',
  '<<',
  '>>',
  '==',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '~',
  '<',
  '>',
  '=',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '.',
];

/** How go.starlark.net names a token in "got X, want Y" messages. */
export function describe(t: Token): string {
  switch (t.kind) {
    case 'EOF':
      return 'end of file';
    case 'NEWLINE':
      return 'newline';
    case 'INDENT':
      return 'indent';
    case 'OUTDENT':
      return 'outdent';
    case 'IDENT':
      return 'identifier';
    case 'INT':
      return 'int literal';
    case 'FLOAT':
      return 'float literal';
    case 'STRING':
      return 'string literal';
    case 'BYTES':
      return 'bytes literal';
    case 'KEYWORD':
      return t.text;
    case 'PUNCT':
      return `'${t.text}'`;
  }
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export class Scanner {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0; // nesting of (), [], {}
  private indents: number[] = [0];
  private pendingDents = 0;
  private atLineStart = true;
  private lastWasNewline = true;

  constructor(
    readonly file: string,
    /** Source as a byte string (one char per byte). */
    readonly src: string,
  ) {}

  /** Columns count characters (UTF-8 continuation bytes do not count), as in go.starlark.net. */
  private pos(at = this.i): Pos {
    let col = 1;
    for (let j = this.lineStart; j < at; j++) if ((this.src.charCodeAt(j) & 0xc0) !== 0x80) col++;
    return { line: this.line, col };
  }

  error(pos: Pos, msg: string): never {
    throw new StarlarkSyntaxError({ file: this.file, line: pos.line, col: pos.col }, msg);
  }

  private newline() {
    this.line++;
    this.lineStart = this.i;
  }

  next(): Token {
    for (;;) {
      const t = this.scan();
      if (t) return t;
    }
  }

  /** One token, or null after a blank line (the caller scans again). */
  private scan(): Token | null {
    if (this.pendingDents > 0) {
      this.pendingDents--;
      return { kind: 'OUTDENT', text: '', pos: this.pos() };
    }
    const src = this.src;
    // Indentation at the start of a logical line.
    if (this.atLineStart && this.depth === 0) {
      this.atLineStart = false;
      let col = 0;
      for (;;) {
        const c = src.charCodeAt(this.i);
        if (c === 32) {
          col++;
          this.i++;
        } else if (c === 9) {
          // as go.starlark.net does: by the tab's character position, not the visual column
          col += 8 - ((this.i - this.lineStart) % 8);
          this.i++;
        } else if (c === 13 && src.charCodeAt(this.i + 1) === 10) {
          this.i++;
        } else break;
      }
      const c = src.charCodeAt(this.i);
      const blank = this.i >= src.length || c === 10 || c === 35 /* # */ || c === 13;
      if (!blank) {
        const top = this.indents[this.indents.length - 1];
        if (col > top) {
          if (this.indents.length > MAX_INDENT)
            this.error(this.pos(), 'too many levels of indentation');
          this.indents.push(col);
          this.lastWasNewline = false;
          return { kind: 'INDENT', text: '', pos: this.pos() };
        }
        if (col < top) {
          let n = 0;
          while (this.indents.length > 1 && col < this.indents[this.indents.length - 1]) {
            this.indents.pop();
            n++;
          }
          if (col !== this.indents[this.indents.length - 1]) {
            this.error(this.pos(), 'unindent does not match any outer indentation level');
          }
          this.pendingDents = n - 1;
          return { kind: 'OUTDENT', text: '', pos: this.pos() };
        }
      }
    }

    // Skip spaces, comments, line continuations and (inside brackets or on blank lines) newlines.
    for (;;) {
      const c = src.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 13) {
        this.i++;
      } else if (c === 35) {
        while (this.i < src.length && src.charCodeAt(this.i) !== 10) this.i++;
      } else if (c === 92 /* \ */ && src.charCodeAt(this.i + 1) === 10) {
        this.i += 2;
        this.newline();
      } else if (
        c === 92 &&
        src.charCodeAt(this.i + 1) === 13 &&
        src.charCodeAt(this.i + 2) === 10
      ) {
        this.i += 3;
        this.newline();
      } else if (c === 10) {
        if (this.depth > 0 || this.lastWasNewline) {
          this.i++;
          this.newline();
          if (this.depth === 0) {
            // a blank line: indentation is computed afresh for the next line
            this.atLineStart = true;
            return null;
          }
          continue;
        }
        const pos = this.pos();
        this.i++;
        this.newline();
        this.atLineStart = true;
        this.lastWasNewline = true;
        return { kind: 'NEWLINE', text: '', pos };
      } else break;
    }

    if (this.i >= src.length) {
      if (!this.lastWasNewline && this.depth === 0) {
        this.lastWasNewline = true;
        return { kind: 'NEWLINE', text: '', pos: this.pos() };
      }
      if (this.indents.length > 1) {
        this.indents.pop();
        return { kind: 'OUTDENT', text: '', pos: this.pos() };
      }
      return { kind: 'EOF', text: '', pos: this.pos() };
    }

    this.lastWasNewline = false;
    const start = this.i;
    const pos = this.pos();
    const c = src.charCodeAt(this.i);

    // strings, with optional r/b prefixes
    if (c === 34 || c === 39) return this.scanString(pos, start, false, false);
    if (c === 114 /* r */ || c === 98 /* b */) {
      const c1 = src.charCodeAt(this.i + 1);
      if (c1 === 34 || c1 === 39) {
        this.i++;
        return this.scanString(pos, start, c === 114, c === 98);
      }
      const c2 = src.charCodeAt(this.i + 2);
      if ((c1 === 114 || c1 === 98) && c1 !== c && (c2 === 34 || c2 === 39)) {
        this.i += 2;
        return this.scanString(pos, start, true, true);
      }
    }

    if (isIdentStart(c)) {
      let j = this.i + 1;
      while (j < src.length && isIdentPart(src.charCodeAt(j))) j++;
      const text = src.slice(this.i, j);
      this.i = j;
      if (KEYWORDS.has(text)) return { kind: 'KEYWORD', text, pos };
      return { kind: 'IDENT', text, pos };
    }

    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(this.i + 1))))
      return this.scanNumber(pos);

    for (const p of PUNCT) {
      if (src.startsWith(p, this.i)) {
        this.i += p.length;
        if (p === '(' || p === '[' || p === '{') this.depth++;
        else if (p === ')' || p === ']' || p === '}') {
          if (this.depth === 0) this.error(pos, `unexpected '${p}'`);
          this.depth--;
        }
        return { kind: 'PUNCT', text: p, pos };
      }
    }
    const ch = src[this.i];
    const shown =
      ch >= ' ' && ch <= '~' && ch !== "'" && ch !== '\\' ? ch : JSON.stringify(ch).slice(1, -1);
    this.error(pos, `unexpected input character '${shown}'`);
  }

  /** A number literal, with go.starlark.net's grammar and error positions. */
  private scanNumber(pos: Pos): Token {
    const src = this.src;
    const start = this.i;
    const peek = () => src[this.i] ?? '';
    const digits = (ok: (c: string) => boolean) => {
      while (ok(peek())) this.i++;
    };
    let fraction = false;
    let exponent = false;
    if (peek() === '.') {
      this.i++;
      fraction = true;
    } else if (peek() === '0') {
      this.i++;
      const c = peek();
      if (c === '.') fraction = true;
      else if (c === 'x' || c === 'X') {
        this.i++;
        if (!isHex(peek())) this.error(pos, 'invalid hex literal');
        digits(isHex);
      } else if (c === 'o' || c === 'O') {
        this.i++;
        if (!isOct(peek())) this.error(this.pos(), 'invalid octal literal');
        digits(isOct);
      } else if (c === 'b' || c === 'B') {
        this.i++;
        if (!isBin(peek())) this.error(this.pos(), 'invalid binary literal');
        digits(isBin);
      } else {
        let allZeros = true;
        let octal = true;
        while (isDec(peek())) {
          if (peek() !== '0') allZeros = false;
          if (peek() > '7') octal = false;
          this.i++;
        }
        if (peek() === '.') fraction = true;
        else if (peek() === 'e' || peek() === 'E') exponent = true;
        else if (octal && !allZeros) {
          this.error(
            this.pos(),
            `obsolete form of octal literal; use 0o${src.slice(start + 1, this.i)}`,
          );
        }
      }
    } else {
      digits(isDec);
      if (peek() === '.') fraction = true;
      else if (peek() === 'e' || peek() === 'E') exponent = true;
    }
    if (fraction) {
      if (peek() === '.') this.i++;
      digits(isDec);
      if (peek() === 'e' || peek() === 'E') exponent = true;
    }
    if (exponent) {
      this.i++;
      if (peek() === '+' || peek() === '-') this.i++;
      if (!isDec(peek())) this.error(this.pos(), 'invalid float literal');
      digits(isDec);
    }
    const text = src.slice(start, this.i);
    if (fraction || exponent) {
      const f = parseFloat(text);
      if (!Number.isFinite(f)) this.error(this.pos(), 'invalid float literal');
      return { kind: 'FLOAT', text, pos, value: new Float(f) };
    }
    const lower = text.toLowerCase();
    const prefixed = lower.startsWith('0x') || lower.startsWith('0o') || lower.startsWith('0b');
    // A leading 0 without a prefix reads as octal, which the digits above may not be.
    if (!prefixed && text.length > 1 && text[0] === '0' && !/^0+$/.test(text)) {
      if (/[89]/.test(text)) this.error(pos, 'invalid int literal');
    }
    return {
      kind: 'INT',
      text,
      pos,
      value: toInt(BigInt(prefixed ? lower : text.replace(/^0+(?=\d)/, ''))),
    };
  }

  private scanString(pos: Pos, start: number, raw: boolean, isBytes: boolean): Token {
    const src = this.src;
    const quotePos = this.pos();
    const q = src[this.i];
    const triple = src.startsWith(q + q + q, this.i);
    const ql = triple ? 3 : 1;
    this.i += ql;
    const bodyStart = this.i;
    const startLine = this.line;
    const startLineStart = this.lineStart;
    for (;;) {
      if (this.i >= src.length) {
        this.line = startLine;
        this.lineStart = startLineStart;
        this.error(pos, 'unexpected EOF in string');
      }
      const ch = src[this.i];
      if (ch === '\\') {
        this.i++;
        if (src[this.i] === '\n') {
          this.i++;
          this.newline();
        } else this.i++;
        continue;
      }
      if (ch === '\n') {
        if (!triple) this.error(pos, 'unexpected newline in string');
        this.i++;
        this.newline();
        continue;
      }
      if (ch === q && (!triple || src.startsWith(q + q + q, this.i))) break;
      this.i++;
    }
    const body = src.slice(bodyStart, this.i);
    this.i += ql;
    const s = unquoteBody(body, raw, isBytes, (msg) => this.error(quotePos, msg));
    const text = src.slice(start, this.i);
    if (isBytes) return { kind: 'BYTES', text, pos, value: new Bytes(s) };
    return { kind: 'STRING', text, pos, value: s };
  }
}

function toInt(b: bigint): number | bigint {
  return b <= 9007199254740991n && b >= -9007199254740991n ? Number(b) : b;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Decodes the body of a string literal into a byte string, as go.starlark.net's unquote. */
function unquoteBody(
  body: string,
  raw: boolean,
  isBytes: boolean,
  fail: (msg: string) => never,
): string {
  const special = raw ? /\r/ : /[\\\r]/;
  if (!special.test(body)) return body;
  let out = '';
  let rest = body;
  for (;;) {
    const i = rest.search(special);
    if (i < 0) return out + rest;
    out += rest.slice(0, i);
    rest = rest.slice(i);
    if (rest[0] === '\r') {
      out += '\n'; // a carriage return, with or without line feed, is a newline
      rest = rest.slice(rest[1] === '\n' ? 2 : 1);
      continue;
    }
    if (rest.length === 1) fail('truncated escape sequence \\');
    const e = rest[1];
    if (e === '\n') {
      rest = rest.slice(2);
    } else if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      rest = rest.slice(2);
    } else if (e >= '0' && e <= '7') {
      let j = 2;
      while (j < 4 && rest[j] >= '0' && rest[j] <= '7') j++;
      const n = parseInt(rest.slice(1, j), 8);
      rest = rest.slice(j);
      if (!isBytes && n > 127) {
        fail(
          `non-ASCII octal escape \\${n.toString(8)} (use \\u${hex4(n)} for the UTF-8 encoding of U+${hex4(n)})`,
        );
      }
      if (n >= 256) fail(`invalid escape sequence \\${n.toString(8).padStart(3, '0')}`);
      out += String.fromCharCode(n);
    } else if (e === 'x') {
      if (rest.length < 4) fail(`truncated escape sequence ${rest}`);
      const h = rest.slice(2, 4);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) fail(`invalid escape sequence ${rest.slice(0, 4)}`);
      const n = parseInt(h, 16);
      if (!isBytes && n > 127) {
        fail(
          `non-ASCII hex escape ${rest.slice(0, 4)} (use \\u${hex4(n)} for the UTF-8 encoding of U+${hex4(n)})`,
        );
      }
      out += String.fromCharCode(n);
      rest = rest.slice(4);
    } else if (e === 'u' || e === 'U') {
      const size = e === 'u' ? 6 : 10;
      if (rest.length < size) fail(`truncated escape sequence ${rest}`);
      const h = rest.slice(2, size);
      if (!/^[0-9a-fA-F]+$/.test(h)) fail(`invalid escape sequence ${rest.slice(0, size)}`);
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff) {
        // go.starlark.net prints the offending value where it means the maximum
        fail(
          `code point out of range: ${rest.slice(0, size)} (max \\U${cp.toString(16).padStart(8, '0')})`,
        );
      }
      if (cp >= 0xd800 && cp < 0xe000) fail(`invalid Unicode code point U+${hex4(cp)}`);
      out += Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
      rest = rest.slice(size);
    } else {
      fail(`invalid escape sequence \\${e}`);
    }
  }
}

const isDec = (c: string) => c >= '0' && c <= '9';
const isOct = (c: string) => c >= '0' && c <= '7';
const isBin = (c: string) => c === '0' || c === '1';
const isHex = (c: string) => isDec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
