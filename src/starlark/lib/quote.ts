// Go-style quoting of Starlark strings and bytes (go.starlark.net's syntax.Quote).

import { setQuoter } from '../values/value.js';
import { decodeRune } from '../values/utf8.js';

const HEX = '0123456789abcdef';

// strconv.IsPrint beyond Latin-1: letters, marks, numbers, punctuation, symbols.
const printRe = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** strconv.IsPrint. */
export function isPrint(r: number): boolean {
  if (r <= 0xff) return (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r !== 0xad);
  return printRe.test(String.fromCodePoint(r));
}

function hex(n: number, digits: number): string {
  let s = '';
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) s += HEX[(n >>> shift) & 0xf];
  return s;
}

/**
 * Double-quoted literal of byte string s. Valid printable UTF-8 is kept as is
 * (for bytes too, as go.starlark.net does); other runes use \u/\U escapes and
 * invalid bytes \xNN. The b prefix of a bytes literal is the caller's.
 */
export function quote(s: string, _isBytes = false): string {
  let out = '"';
  let start = 0; // start of the pending run of literal bytes
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
      i++;
      continue;
    }
    let r = c;
    let width = 1;
    if (c >= 0x80) {
      [r, width] = decodeRune(s, i);
      if (width > 1 && isPrint(r)) {
        i += width;
        continue;
      }
    }
    out += s.slice(start, i);
    if (c >= 0x80 && width === 1)
      out += '\\x' + hex(c, 2); // invalid byte
    else if (r === 0x22 || r === 0x5c) out += '\\' + s[i];
    else out += escapeRune(r);
    i += width;
    start = i;
  }
  return out + s.slice(start) + '"';
}

function escapeRune(r: number): string {
  switch (r) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  if (r < 0x10000) return '\\u' + hex(r, 4);
  return '\\U' + hex(r, 8);
}

export function installQuote(): void {
  setQuoter(quote);
}

installQuote();
