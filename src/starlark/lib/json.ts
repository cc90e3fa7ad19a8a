// The json module (go.starlark.net/lib/json): encode, encode_indent, decode,
// indent. Strings are byte strings; where go.starlark.net relies on Go's
// encoding/json (escaping, unquoting, indenting, syntax errors), the same
// rules are reproduced here, with the messages of Go before 1.27.

import { EvalError } from '../errors.js';
import { argString, unpackArgs, unpackPositional } from '../values/args.js';
import { attrNames, getAttr, iterate } from '../values/ops.js';
import { decodeRune, encodeRune, RUNE_ERROR } from '../values/utf8.js';
import {
  Builtin,
  Bytes,
  Dict,
  Float,
  List,
  Module,
  None,
  StarObject,
  normInt,
  repr,
  typeOf,
  type Kwargs,
  type ThreadLike,
  type Value,
} from '../values/value.js';
import { formatFloatStr } from './floatfmt.js';
import { goParseFloat } from './numbers.js';
import { isPrint } from './quote.js';

const HEX = '0123456789abcdef';

// ---- encode ----

/** A value with fields (struct and the like). */
interface HasAttrs {
  attr(name: string): Value | undefined;
  attrNames(): string[];
}

function hasAttrs(x: StarObject): x is StarObject & HasAttrs {
  const o = x as unknown as Partial<HasAttrs>;
  return typeof o.attr === 'function' && typeof o.attrNames === 'function';
}

/** Go's strconv.Quote of printable ASCII: only '"', '\\' and DEL need escapes. */
function quoteAscii(s: string): string {
  return '"' + s.replace(/["\\\x7f]/g, (c) => (c === '\x7f' ? '\\x7f' : '\\' + c)) + '"';
}

/** Go's json.Marshal of a string (HTML-safe escapes, U+FFFD for invalid UTF-8). */
function marshalString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length;) {
    const b = s.charCodeAt(i);
    if (b < 0x80) {
      if (b >= 0x20 && b !== 0x22 && b !== 0x5c && b !== 0x3c && b !== 0x3e && b !== 0x26) {
        i++;
        continue;
      }
      out += s.slice(start, i);
      switch (b) {
        case 0x22:
        case 0x5c:
          out += '\\' + s[i];
          break;
        case 0x08:
          out += '\\b';
          break;
        case 0x0c:
          out += '\\f';
          break;
        case 0x0a:
          out += '\\n';
          break;
        case 0x0d:
          out += '\\r';
          break;
        case 0x09:
          out += '\\t';
          break;
        default:
          out += '\\u00' + HEX[b >> 4] + HEX[b & 0xf];
      }
      start = ++i;
      continue;
    }
    const [r, size] = decodeRune(s, i);
    if (r === RUNE_ERROR && size === 1) {
      out += s.slice(start, i) + '\\ufffd';
      start = ++i;
      continue;
    }
    if (r === 0x2028 || r === 0x2029) {
      out += s.slice(start, i) + '\\u202' + HEX[r & 0xf];
      i += size;
      start = i;
      continue;
    }
    i += size;
  }
  return out + s.slice(start) + '"';
}

function quoteString(s: string): string {
  return /^[\x20-\x7f]*$/.test(s) ? quoteAscii(s) : marshalString(s);
}

/** json.encode(x) without the "json.encode: " prefix on errors. */
export function encodeJSON(x: Value): string {
  const out: string[] = [];
  const path: StarObject[] = [];

  const emit = (x: Value): void => {
    switch (typeof x) {
      case 'boolean':
        out.push(x ? 'true' : 'false');
        return;
      case 'number':
      case 'bigint':
        out.push(String(x));
        return;
      case 'string':
        out.push(quoteString(x));
        return;
    }
    if (x === None) {
      out.push('null');
      return;
    }
    if (x instanceof Float) {
      if (!Number.isFinite(x.v))
        throw new EvalError(`cannot encode non-finite float ${formatFloatStr(x.v)}`);
      out.push(formatFloatStr(x.v)); // always has a point or an exponent
      return;
    }
    if (path.includes(x)) throw new EvalError('cycle in JSON structure');
    path.push(x);
    try {
      emitComposite(x);
    } finally {
      path.pop();
    }
  };

  const emitComposite = (x: StarObject): void => {
    if (x instanceof Dict) {
      const items = x.entries();
      for (const { k } of items) {
        if (typeof k !== 'string')
          throw new EvalError(`${x.type} has ${typeOf(k)} key, want string`);
      }
      items.sort((a, b) =>
        (a.k as string) < (b.k as string) ? -1 : (a.k as string) > (b.k as string) ? 1 : 0,
      );
      out.push('{');
      items.forEach(({ k, v }, i) => {
        if (i > 0) out.push(',');
        out.push(quoteString(k as string), ':');
        try {
          emit(v);
        } catch (e) {
          throw wrap(e, `in ${x.type} key ${repr(k)}: `);
        }
      });
      out.push('}');
      return;
    }
    const it = iterate(x);
    if (it) {
      out.push('[');
      try {
        let i = 0;
        for (let v = it.next(); v !== undefined; v = it.next(), i++) {
          if (i > 0) out.push(',');
          try {
            emit(v);
          } catch (e) {
            throw wrap(e, `at ${x.type} index ${i}: `);
          }
        }
      } finally {
        it.done();
      }
      out.push(']');
      return;
    }
    // bytes has attributes too: its methods, which then fail to encode
    if (hasAttrs(x) || x instanceof Bytes) {
      out.push('{');
      attrNames(x).forEach((name, i) => {
        let v: Value | undefined;
        try {
          v = hasAttrs(x) ? x.attr(name) : getAttr(x, name);
        } catch (e) {
          throw wrap(e, `cannot access attribute ${x.type}.${name}: `);
        }
        if (v === undefined) {
          throw new EvalError(
            `missing attribute ${x.type}.${name} (despite "${name}" appearing in dir()`,
          );
        }
        if (i > 0) out.push(',');
        out.push(quoteString(name), ':');
        try {
          emit(v);
        } catch (e) {
          throw wrap(e, `in field .${name}: `);
        }
      });
      out.push('}');
      return;
    }
    throw new EvalError(`cannot encode ${x.type} as JSON`);
  };

  emit(x);
  return out.join('');
}

function wrap(e: unknown, prefix: string): unknown {
  return e instanceof EvalError ? new EvalError(prefix + e.msg) : e;
}

function prefixed(name: string, f: () => string): string {
  try {
    return f();
  } catch (e) {
    throw wrap(e, name + ': ');
  }
}

// ---- Go's encoding/json scanner, for indent and for string syntax errors ----

/** How a byte was classified (Go's scan* results that matter here). */
const enum Scan {
  Continue,
  BeginLiteral,
  BeginObject,
  ObjectKey,
  ObjectValue,
  EndObject,
  BeginArray,
  ArrayValue,
  EndArray,
  SkipSpace,
  End,
  Error,
}

const enum Parse {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

/**
 * A byte as Go quotes it in messages (%q of a byte, or encoding/json's
 * quoteChar): the byte is read as a code point, and the result is UTF-8.
 */
function quoteByte(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22 || c === 0x5c) return c === 0x22 ? `'"'` : "'\\\\'";
  if (isPrint(c)) return "'" + encodeRune(c) + "'";
  const esc: Record<number, string> = {
    7: 'a',
    8: 'b',
    12: 'f',
    10: 'n',
    13: 'r',
    9: 't',
    11: 'v',
  };
  if (esc[c]) return `'\\${esc[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${HEX[c >> 4]}${HEX[c & 0xf]}'`;
  return `'\\u00${HEX[c >> 4]}${HEX[c & 0xf]}'`;
}

type Step = (s: Scanner, c: number) => Scan;

/** Go's encoding/json scanner state machine, byte by byte. */
class Scanner {
  step: Step = beginValue;
  parse: Parse[] = [];
  err: string | undefined;
  endTop = false;

  error(c: number, context: string): Scan {
    this.step = stateError;
    this.err = `invalid character ${quoteByte(c)} ${context}`;
    return Scan.Error;
  }

  push(p: Parse, next: Step, r: Scan): Scan {
    this.step = next;
    if (this.parse.length >= 10000) {
      this.err = 'exceeded max depth';
      this.step = stateError;
      return Scan.Error;
    }
    this.parse.push(p);
    return r;
  }

  eof(): Scan {
    if (this.err !== undefined) return Scan.Error;
    if (this.endTop) return Scan.End;
    this.step(this, 0x20);
    if (this.endTop) return Scan.End;
    if (this.err === undefined) this.err = 'unexpected end of JSON input';
    return Scan.Error;
  }
}

const stateError: Step = () => Scan.Error;

function beginValueOrEmpty(s: Scanner, c: number): Scan {
  if (isSpace(c)) return Scan.SkipSpace;
  if (c === 0x5d) return endValue(s, c);
  return beginValue(s, c);
}

function beginValue(s: Scanner, c: number): Scan {
  if (isSpace(c)) return Scan.SkipSpace;
  switch (c) {
    case 0x7b: // {
      return s.push(Parse.ObjectKey, beginStringOrEmpty, Scan.BeginObject);
    case 0x5b: // [
      return s.push(Parse.ArrayValue, beginValueOrEmpty, Scan.BeginArray);
    case 0x22:
      s.step = inString;
      return Scan.BeginLiteral;
    case 0x2d: // -
      s.step = neg;
      return Scan.BeginLiteral;
    case 0x30:
      s.step = zero;
      return Scan.BeginLiteral;
    case 0x74: // t
      s.step = literal('true', 1);
      return Scan.BeginLiteral;
    case 0x66: // f
      s.step = literal('false', 1);
      return Scan.BeginLiteral;
    case 0x6e: // n
      s.step = literal('null', 1);
      return Scan.BeginLiteral;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = digits;
    return Scan.BeginLiteral;
  }
  return s.error(c, 'looking for beginning of value');
}

function beginStringOrEmpty(s: Scanner, c: number): Scan {
  if (isSpace(c)) return Scan.SkipSpace;
  if (c === 0x7d) {
    s.parse[s.parse.length - 1] = Parse.ObjectValue;
    return endValue(s, c);
  }
  return beginString(s, c);
}

function beginString(s: Scanner, c: number): Scan {
  if (isSpace(c)) return Scan.SkipSpace;
  if (c === 0x22) {
    s.step = inString;
    return Scan.BeginLiteral;
  }
  return s.error(c, 'looking for beginning of object key string');
}

function endValue(s: Scanner, c: number): Scan {
  const n = s.parse.length;
  if (n === 0) {
    s.step = endTop;
    s.endTop = true;
    return endTop(s, c);
  }
  if (isSpace(c)) {
    s.step = endValue;
    return Scan.SkipSpace;
  }
  switch (s.parse[n - 1]) {
    case Parse.ObjectKey:
      if (c === 0x3a) {
        s.parse[n - 1] = Parse.ObjectValue;
        s.step = beginValue;
        return Scan.ObjectKey;
      }
      return s.error(c, 'after object key');
    case Parse.ObjectValue:
      if (c === 0x2c) {
        s.parse[n - 1] = Parse.ObjectKey;
        s.step = beginString;
        return Scan.ObjectValue;
      }
      if (c === 0x7d) {
        popParse(s);
        return Scan.EndObject;
      }
      return s.error(c, 'after object key:value pair');
    default:
      if (c === 0x2c) {
        s.step = beginValue;
        return Scan.ArrayValue;
      }
      if (c === 0x5d) {
        popParse(s);
        return Scan.EndArray;
      }
      return s.error(c, 'after array element');
  }
}

function popParse(s: Scanner): void {
  s.parse.pop();
  if (s.parse.length === 0) {
    s.step = endTop;
    s.endTop = true;
  } else {
    s.step = endValue;
  }
}

function endTop(s: Scanner, c: number): Scan {
  if (!isSpace(c)) s.error(c, 'after top-level value');
  return Scan.End;
}

function inString(s: Scanner, c: number): Scan {
  if (c === 0x22) {
    s.step = endValue;
    return Scan.Continue;
  }
  if (c === 0x5c) {
    s.step = inStringEsc;
    return Scan.Continue;
  }
  if (c < 0x20) return s.error(c, 'in string literal');
  return Scan.Continue;
}

function inStringEsc(s: Scanner, c: number): Scan {
  if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
    s.step = inString;
    return Scan.Continue;
  }
  if (c === 0x75) {
    s.step = escU(4);
    return Scan.Continue;
  }
  return s.error(c, 'in string escape code');
}

function escU(left: number): Step {
  return (s, c) => {
    if (!isHex(c)) return s.error(c, 'in \\u hexadecimal character escape');
    s.step = left === 1 ? inString : escU(left - 1);
    return Scan.Continue;
  };
}

function neg(s: Scanner, c: number): Scan {
  if (c === 0x30) {
    s.step = zero;
    return Scan.Continue;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = digits;
    return Scan.Continue;
  }
  return s.error(c, 'in numeric literal');
}

function digits(s: Scanner, c: number): Scan {
  if (isDigit(c)) return Scan.Continue;
  return zero(s, c);
}

function zero(s: Scanner, c: number): Scan {
  if (c === 0x2e) {
    s.step = dot;
    return Scan.Continue;
  }
  if (c === 0x65 || c === 0x45) {
    s.step = expo;
    return Scan.Continue;
  }
  return endValue(s, c);
}

function dot(s: Scanner, c: number): Scan {
  if (isDigit(c)) {
    s.step = dot0;
    return Scan.Continue;
  }
  return s.error(c, 'after decimal point in numeric literal');
}

function dot0(s: Scanner, c: number): Scan {
  if (isDigit(c)) return Scan.Continue;
  if (c === 0x65 || c === 0x45) {
    s.step = expo;
    return Scan.Continue;
  }
  return endValue(s, c);
}

function expo(s: Scanner, c: number): Scan {
  if (c === 0x2b || c === 0x2d) {
    s.step = expSign;
    return Scan.Continue;
  }
  return expSign(s, c);
}

function expSign(s: Scanner, c: number): Scan {
  if (isDigit(c)) {
    s.step = exp0;
    return Scan.Continue;
  }
  return s.error(c, 'in exponent of numeric literal');
}

function exp0(s: Scanner, c: number): Scan {
  if (isDigit(c)) return Scan.Continue;
  return endValue(s, c);
}

/** The rest of true, false or null, from position i of word. */
function literal(word: string, i: number): Step {
  return (s, c) => {
    if (c !== word.charCodeAt(i)) return s.error(c, `in literal ${word} (expecting '${word[i]}')`);
    s.step = i + 1 === word.length ? endValue : literal(word, i + 1);
    return Scan.Continue;
  };
}

/** The first syntax error of a JSON text, as encoding/json reports it. */
function checkValid(data: string): string | undefined {
  const s = new Scanner();
  for (let i = 0; i < data.length; i++) {
    if (s.step(s, data.charCodeAt(i)) === Scan.Error) return s.err;
  }
  return s.eof() === Scan.Error ? s.err : undefined;
}

/** Go's json.Indent. Throws the syntax error message of an invalid text. */
export function indentJSON(src: string, prefix: string, indent: string): string {
  const s = new Scanner();
  let out = '';
  let needIndent = false;
  let depth = 0;
  const newline = () => {
    out += '\n' + prefix + indent.repeat(depth);
  };
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    const v = s.step(s, c);
    if (v === Scan.SkipSpace) continue;
    if (v === Scan.Error) break;
    if (needIndent && v !== Scan.EndObject && v !== Scan.EndArray) {
      needIndent = false;
      depth++;
      newline();
    }
    if (v === Scan.Continue) {
      out += src[i];
      continue;
    }
    switch (c) {
      case 0x7b:
      case 0x5b:
        // Delayed so that empty objects and arrays stay {} and [].
        needIndent = true;
        out += src[i];
        break;
      case 0x2c:
        out += ',';
        newline();
        break;
      case 0x3a:
        out += ': ';
        break;
      case 0x7d:
      case 0x5d:
        if (needIndent) {
          needIndent = false;
        } else {
          depth--;
          newline();
        }
        out += src[i];
        break;
      default:
        out += src[i];
    }
  }
  if (s.eof() === Scan.Error) throw new EvalError(s.err!);
  return out;
}

// ---- decode ----

/** Reads 4 hex digits at i, or -1. */
function getu4(s: string, i: number): number {
  if (i + 6 > s.length || s[i] !== '\\' || s[i + 1] !== 'u') return -1;
  const h = s.slice(i + 2, i + 6);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

/** encoding/json's unquote of a syntactically valid string literal q (with quotes). */
function unquote(q: string): string {
  const s = q.slice(1, -1);
  let out = '';
  for (let r = 0; r < s.length;) {
    const c = s.charCodeAt(r);
    if (c === 0x5c) {
      const e = s[r + 1];
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (e in simple) {
        out += simple[e];
        r += 2;
        continue;
      }
      // \uXXXX, with UTF-16 surrogate pairs; a lone surrogate becomes U+FFFD.
      let rr = getu4(s, r);
      r += 6;
      if (rr >= 0xd800 && rr < 0xe000) {
        const rr1 = getu4(s, r);
        if (rr < 0xdc00 && rr1 >= 0xdc00 && rr1 < 0xe000) {
          out += encodeRune(0x10000 + ((rr - 0xd800) << 10) + (rr1 - 0xdc00));
          r += 6;
          continue;
        }
        rr = RUNE_ERROR;
      }
      out += encodeRune(rr);
    } else if (c < 0x80) {
      out += s[r++];
    } else {
      const [rr, size] = decodeRune(s, r);
      out += size === 1 && rr === RUNE_ERROR ? encodeRune(RUNE_ERROR) : s.slice(r, r + size);
      r += size;
    }
  }
  return out;
}

class DecodeFailure {
  constructor(readonly msg: string) {}
}

/** An open array or object while decoding. */
type Open = { elems: Value[] } | { dict: Dict; key: string | undefined };

/**
 * json.decode(s); throws DecodeFailure with the message that follows
 * "json.decode: ". Nesting is kept on an explicit stack, so deep documents
 * do not exhaust the JS stack.
 */
function decodeJSON(s: string): Value {
  let i = 0;
  const fail = (msg: string): never => {
    throw new DecodeFailure(`at offset ${i}, ${msg}`);
  };
  const skipSpace = (): boolean => {
    for (; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return true;
    return false;
  };
  const next = (): number => (skipSpace() ? s.charCodeAt(i) : fail('unexpected end of file'));

  /** A value that is not an array or object, starting with byte b at i. */
  const scalar = (b: number): Value => {
    switch (b) {
      case 0x22: {
        // Find the closing quote; escapes or non-ASCII need real unquoting.
        let safe = true;
        let closed = false;
        let j = i + 1;
        for (; j < s.length; j++) {
          const c = s.charCodeAt(j);
          if (c === 0x5c) {
            safe = false;
            j++;
          } else if (c === 0x22) {
            closed = true;
            j++;
            break;
          } else if (c >= 0x80) {
            safe = false;
          }
        }
        if (!closed) fail('unclosed string literal');
        const r = s.slice(i, j);
        i = j;
        if (safe) return r.slice(1, -1);
        const err = checkValid(r);
        if (err !== undefined) fail(err);
        return unquote(r);
      }
      case 0x6e:
        if (s.startsWith('null', i)) {
          i += 4;
          return None;
        }
        break;
      case 0x74:
        if (s.startsWith('true', i)) {
          i += 4;
          return true;
        }
        break;
      case 0x66:
        if (s.startsWith('false', i)) {
          i += 5;
          return false;
        }
        break;
      default:
        if (isDigit(b) || b === 0x2d) return number();
    }
    return fail(`unexpected character ${quoteByte(b)}`);
  };

  const number = (): Value => {
    // Scan [0-9.eE+-]; any of .eE+- makes it a float.
    let float = false;
    let j = i + 1;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (isDigit(c)) continue;
      if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) float = true;
      else break;
    }
    const num = s.slice(i, j);
    i = j;
    // JSON allows no leading zero before a digit.
    const digits = num[0] === '-' ? num.slice(1) : num;
    if (
      digits === '' ||
      (digits[0] === '0' && digits.length > 1 && isDigit(digits.charCodeAt(1)))
    ) {
      fail(`invalid number: ${num}`);
    }
    if (float) {
      const f = goParseFloat(num);
      return f !== undefined && Number.isFinite(f) ? new Float(f) : fail(`invalid number: ${num}`);
    }
    if (!/^-?[0-9]+$/.test(num)) fail(`invalid number: ${num}`);
    const n = num.length < 16 ? Number(num) : normInt(BigInt(num));
    return n === 0 ? 0 : n;
  };

  const stack: Open[] = [];
  for (;;) {
    // Start a value: open a container, or read a whole scalar.
    let v: Value;
    const b = next();
    if (b === 0x5b || b === 0x7b) {
      i++;
      const close = b === 0x5b ? 0x5d : 0x7d;
      if (next() !== close) {
        stack.push(b === 0x5b ? { elems: [] } : { dict: new Dict(), key: undefined });
        continue;
      }
      i++;
      v = b === 0x5b ? new List([]) : new Dict();
    } else {
      v = scalar(b);
    }
    // Hand the finished value to its container, closing those that end here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (skipSpace()) fail(`unexpected character ${quoteByte(s.charCodeAt(i))} after value`);
        return v;
      }
      if ('elems' in top) {
        top.elems.push(v);
        const c = next();
        if (c === 0x2c) {
          i++;
          break;
        }
        if (c !== 0x5d) fail(`got ${quoteByte(c)}, want ',' or ']'`);
        i++;
        stack.pop();
        v = new List(top.elems);
        continue;
      }
      if (top.key === undefined) {
        if (typeof v !== 'string') return fail(`got ${typeOf(v)} for object key, want string`);
        const c = next();
        if (c !== 0x3a) fail(`after object key, got ${quoteByte(c)}, want ':' `);
        i++;
        top.key = v;
        break;
      }
      top.dict.setUnchecked(top.key, v);
      top.key = undefined;
      const c = next();
      if (c === 0x2c) {
        i++;
        break;
      }
      if (c !== 0x7d) fail(`in object, got ${quoteByte(c)}, want ',' or '}'`);
      i++;
      stack.pop();
      v = top.dict;
    }
  }
}

// ---- the module ----

function encode(_t: ThreadLike, args: Value[], kwargs: Kwargs, b: Builtin): Value {
  const [x] = unpackPositional(b.name, args, kwargs, 1, 1);
  return prefixed(b.name, () => encodeJSON(x));
}

function encodeIndent(_t: ThreadLike, args: Value[], kwargs: Kwargs, b: Builtin): Value {
  const [prefix, indent] = unpackArgs(b.name, [], kwargs, ['prefix?', 'indent?']);
  const p = prefix === undefined ? '' : argString(b.name, 'prefix', prefix);
  const ind = indent === undefined ? '\t' : argString(b.name, 'indent', indent);
  const [x] = unpackPositional(b.name, args, [], 1, 1);
  return prefixed(b.name, () => indentJSON(encodeJSON(x), p, ind));
}

function indentFn(_t: ThreadLike, args: Value[], kwargs: Kwargs, b: Builtin): Value {
  const [prefix, indent] = unpackArgs(b.name, [], kwargs, ['prefix?', 'indent?']);
  const p = prefix === undefined ? '' : argString(b.name, 'prefix', prefix);
  const ind = indent === undefined ? '\t' : argString(b.name, 'indent', indent);
  const [str] = unpackPositional(b.name, args, [], 1, 1);
  const s = argString(b.name, 1, str);
  return prefixed(b.name, () => indentJSON(s, p, ind));
}

function decode(_t: ThreadLike, args: Value[], kwargs: Kwargs, b: Builtin): Value {
  const [x, dflt] = unpackArgs(b.name, args, kwargs, ['x', 'default?']);
  const s = argString(b.name, 'x', x!);
  // x is positional-only: unpackArgs cannot say "def decode(x, *, default)".
  if (args.length < 1) throw new EvalError(`${b.name}: unexpected keyword argument x`);
  try {
    return decodeJSON(s);
  } catch (e) {
    if (!(e instanceof DecodeFailure)) throw e;
    if (dflt !== undefined) return dflt;
    throw new EvalError(`${b.name}: ${e.msg}`);
  }
}

export const jsonModule = new Module(
  'json',
  new Map<string, Value>([
    ['encode', new Builtin('json.encode', encode)],
    ['encode_indent', new Builtin('json.encode_indent', encodeIndent)],
    ['decode', new Builtin('json.decode', decode)],
    ['indent', new Builtin('json.indent', indentFn)],
  ]),
);
