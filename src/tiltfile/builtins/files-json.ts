// JSON as Tilt reads and writes it (Go's encoding/json): syntax errors with
// Go's messages, integers kept apart from floats, and output indented by two
// spaces with HTML-safe escapes and a final newline.

import { GoFloat, goJSONFloat, type Data, type DataMap } from './files-data.js';

/** A JSON syntax error; the message is Go's (e.g. "unexpected end of JSON input"). */
export class JSONSyntaxError extends Error {}

const MAX_DEPTH = 10000;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

const enum S {
  BeginValue,
  BeginValueOrEmpty,
  BeginStringOrEmpty,
  BeginString,
  EndValue,
  EndTop,
  InString,
  InStringEsc,
  InStringEscU,
  Neg,
  One,
  Zero,
  Dot,
  Dot0,
  E,
  ESign,
  E0,
  Literal,
}

const enum P {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Go's quoteChar: how a syntax error shows the offending character. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = {
    7: '\\a',
    8: '\\b',
    9: '\\t',
    10: '\\n',
    11: '\\v',
    12: '\\f',
    13: '\\r',
    0x5c: '\\\\',
  };
  if (named[c]) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCodePoint(c)}'`;
}

/** Checks that s is valid JSON, throwing Go's syntax error otherwise. */
function checkValid(s: string): void {
  let state: S = S.BeginValue as S;
  const stack: P[] = [];
  let literal = '';
  let litPos = 0;
  let hexLeft = 0;
  const fail = (c: number, context: string): never => {
    throw new JSONSyntaxError(`invalid character ${quoteChar(c)} ${context}`);
  };
  const push = (p: P) => {
    if (stack.length >= MAX_DEPTH) throw new JSONSyntaxError('exceeded max depth');
    stack.push(p);
  };
  const step = (c: number): void => {
    for (;;) {
      switch (state) {
        case S.BeginValueOrEmpty:
          if (isSpace(c)) return;
          if (c === 0x5d) {
            state = S.EndValue;
            continue;
          }
          state = S.BeginValue;
          continue;
        case S.BeginValue:
          if (isSpace(c)) return;
          switch (c) {
            case 0x7b:
              push(P.ObjectKey);
              state = S.BeginStringOrEmpty;
              return;
            case 0x5b:
              push(P.ArrayValue);
              state = S.BeginValueOrEmpty;
              return;
            case 0x22:
              state = S.InString;
              return;
            case 0x2d:
              state = S.Neg;
              return;
            case 0x30:
              state = S.Zero;
              return;
            case 0x74:
              literal = 'true';
              litPos = 1;
              state = S.Literal;
              return;
            case 0x66:
              literal = 'false';
              litPos = 1;
              state = S.Literal;
              return;
            case 0x6e:
              literal = 'null';
              litPos = 1;
              state = S.Literal;
              return;
          }
          if (c >= 0x31 && c <= 0x39) {
            state = S.One;
            return;
          }
          return fail(c, 'looking for beginning of value');
        case S.BeginStringOrEmpty:
          if (isSpace(c)) return;
          if (c === 0x7d) {
            stack[stack.length - 1] = P.ObjectValue;
            state = S.EndValue;
            continue;
          }
          state = S.BeginString;
          continue;
        case S.BeginString:
          if (isSpace(c)) return;
          if (c === 0x22) {
            state = S.InString;
            return;
          }
          return fail(c, 'looking for beginning of object key string');
        case S.EndValue: {
          const n = stack.length;
          if (n === 0) {
            state = S.EndTop;
            continue;
          }
          if (isSpace(c)) return;
          switch (stack[n - 1]) {
            case P.ObjectKey:
              if (c === 0x3a) {
                stack[n - 1] = P.ObjectValue;
                state = S.BeginValue;
                return;
              }
              return fail(c, 'after object key');
            case P.ObjectValue:
              if (c === 0x2c) {
                stack[n - 1] = P.ObjectKey;
                state = S.BeginString;
                return;
              }
              if (c === 0x7d) {
                stack.pop();
                state = stack.length === 0 ? S.EndTop : S.EndValue;
                return;
              }
              return fail(c, 'after object key:value pair');
            case P.ArrayValue:
              if (c === 0x2c) {
                state = S.BeginValue;
                return;
              }
              if (c === 0x5d) {
                stack.pop();
                state = stack.length === 0 ? S.EndTop : S.EndValue;
                return;
              }
              return fail(c, 'after array element');
          }
          return;
        }
        case S.EndTop:
          if (!isSpace(c)) fail(c, 'after top-level value');
          return;
        case S.InString:
          if (c === 0x22) state = S.EndValue;
          else if (c === 0x5c) state = S.InStringEsc;
          else if (c < 0x20) fail(c, 'in string literal');
          return;
        case S.InStringEsc:
          if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
            state = S.InString;
            return;
          }
          if (c === 0x75) {
            hexLeft = 4;
            state = S.InStringEscU;
            return;
          }
          return fail(c, 'in string escape code');
        case S.InStringEscU:
          if (!isHex(c)) fail(c, 'in \\u hexadecimal character escape');
          if (--hexLeft === 0) state = S.InString;
          return;
        case S.Neg:
          if (c === 0x30) {
            state = S.Zero;
            return;
          }
          if (c >= 0x31 && c <= 0x39) {
            state = S.One;
            return;
          }
          return fail(c, 'in numeric literal');
        case S.One:
          if (isDigit(c)) return;
          state = S.Zero;
          continue;
        case S.Zero:
          if (c === 0x2e) {
            state = S.Dot;
            return;
          }
          if (c === 0x65 || c === 0x45) {
            state = S.E;
            return;
          }
          state = S.EndValue;
          continue;
        case S.Dot:
          if (isDigit(c)) {
            state = S.Dot0;
            return;
          }
          return fail(c, 'after decimal point in numeric literal');
        case S.Dot0:
          if (isDigit(c)) return;
          if (c === 0x65 || c === 0x45) {
            state = S.E;
            return;
          }
          state = S.EndValue;
          continue;
        case S.E:
          if (c === 0x2b || c === 0x2d) {
            state = S.ESign;
            return;
          }
          state = S.ESign;
          continue;
        case S.ESign:
          if (isDigit(c)) {
            state = S.E0;
            return;
          }
          return fail(c, 'in exponent of numeric literal');
        case S.E0:
          if (isDigit(c)) return;
          state = S.EndValue;
          continue;
        case S.Literal:
          if (c !== literal.charCodeAt(litPos)) {
            fail(c, `in literal ${literal} (expecting '${literal[litPos]}')`);
          }
          if (++litPos === literal.length) state = S.EndValue;
          return;
      }
    }
  };
  for (let i = 0; i < s.length;) {
    const c = s.codePointAt(i)!;
    step(c);
    i += c > 0xffff ? 2 : 1;
  }
  const atEnd = () => state === S.EndTop;
  if (atEnd()) return;
  step(0x20);
  if (!atEnd()) throw new JSONSyntaxError('unexpected end of JSON input');
}

/**
 * Decodes JSON text (host text) to data as Go does, except that numbers
 * written as integers stay integers (of any size) while the others are floats.
 */
export function decodeJSONData(s: string): Data {
  checkValid(s);
  let i = 0;
  const skip = () => {
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (s.charCodeAt(i) !== 0x22) i += s.charCodeAt(i) === 0x5c ? 2 : 1;
    i++;
    return JSON.parse(s.slice(start, i)) as string;
  };
  const scalar = (): Data => {
    const c = s.charCodeAt(i);
    if (c === 0x22) return readString();
    if (s.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (s.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (s.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(s)![0];
    i += num.length;
    if (/^-?\d+$/.test(num)) return BigInt(num);
    const f = Number(num);
    if (!Number.isFinite(f)) {
      throw new JSONSyntaxError(
        `json: cannot unmarshal number ${num} into Go value of type float64`,
      );
    }
    return new GoFloat(f);
  };
  type Frame = { arr: Data[] } | { map: DataMap; key: string };
  const stack: Frame[] = [];
  let result: Data = null;
  for (;;) {
    skip();
    let v: Data;
    const c = s.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      i++;
      skip();
      if (s.charCodeAt(i) === (c === 0x5b ? 0x5d : 0x7d)) {
        i++;
        v = c === 0x5b ? [] : new Map();
      } else if (c === 0x5b) {
        stack.push({ arr: [] });
        continue;
      } else {
        const key = readString();
        skip();
        i++; // ':'
        stack.push({ map: new Map(), key });
        continue;
      }
    } else {
      v = scalar();
    }
    // Hand v to its container, closing containers that end here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) {
        result = v;
        return result;
      }
      skip();
      if ('arr' in top) top.arr.push(v);
      else top.map.set(top.key, v);
      const sep = s.charCodeAt(i++);
      if (sep === 0x2c) {
        if ('map' in top) {
          skip();
          top.key = readString();
          skip();
          i++; // ':'
        }
        break;
      }
      stack.pop();
      v = 'arr' in top ? top.arr : top.map;
    }
  }
}

/** Go's JSON encoding of a string: HTML-safe, with U+2028 and U+2029 escaped. */
export function goJSONString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += '\\ufffd';
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** Thrown for values JSON cannot represent (NaN, infinities); the message is Go's. */
export class JSONValueError extends Error {}

/** Go's json.Encoder output with two-space indentation (and a final newline). */
export function encodeJSONData(d: Data): string {
  const out: string[] = [];
  const emit = (x: Data, indent: string): void => {
    if (x === null) out.push('null');
    else if (typeof x === 'boolean') out.push(String(x));
    else if (typeof x === 'string') out.push(goJSONString(x));
    else if (typeof x === 'bigint') out.push(x.toString());
    else if (x instanceof GoFloat) {
      if (!Number.isFinite(x.v)) {
        const name = Number.isNaN(x.v) ? 'NaN' : x.v > 0 ? '+Inf' : '-Inf';
        throw new JSONValueError(`json: unsupported value: ${name}`);
      }
      out.push(goJSONFloat(x.v));
    } else if (Array.isArray(x)) {
      if (x.length === 0) {
        out.push('[]');
        return;
      }
      const inner = indent + '  ';
      out.push('[');
      x.forEach((e, i) => {
        out.push(i > 0 ? ',\n' : '\n', inner);
        emit(e, inner);
      });
      out.push('\n', indent, ']');
    } else {
      if (x.size === 0) {
        out.push('{}');
        return;
      }
      const inner = indent + '  ';
      out.push('{');
      let first = true;
      for (const [k, v] of x) {
        out.push(first ? '\n' : ',\n', inner, goJSONString(k), ': ');
        first = false;
        emit(v, inner);
      }
      out.push('\n', indent, '}');
    }
  };
  emit(d, '');
  return out.join('') + '\n';
}
