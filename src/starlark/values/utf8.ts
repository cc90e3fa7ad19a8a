// UTF-8 helpers for byte strings (JS strings whose chars are bytes 0..255),
// following Go's unicode/utf8 semantics: an invalid or truncated sequence
// decodes as U+FFFD one byte at a time.

export const RUNE_ERROR = 0xfffd;

const nonAsciiRe = /[\u0080-\uffff]/;

export function isAscii(s: string): boolean {
  return !nonAsciiRe.test(s);
}

/** JS (UTF-16) string to byte string; lone surrogates become U+FFFD. */
export function encodeUtf8(host: string): string {
  if (!nonAsciiRe.test(host)) return host;
  return Buffer.from(host, 'utf8').toString('latin1');
}

/** Byte string to JS string; each byte of an invalid sequence becomes U+FFFD, as in Go. */
export function decodeUtf8(bytes: string): string {
  if (!nonAsciiRe.test(bytes)) return bytes;
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const c = bytes.charCodeAt(i);
    if (c < 0x80) {
      out += bytes[i++];
      continue;
    }
    const [r, size] = decodeRune(bytes, i);
    out += String.fromCodePoint(r);
    i += size;
  }
  return out;
}

/** Go's utf8.DecodeRuneInString at offset i: [codepoint, size]; (0xFFFD, 1) when invalid. */
export function decodeRune(s: string, i: number): [number, number] {
  const n = s.length - i;
  if (n <= 0) return [RUNE_ERROR, 0];
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return [b0, 1];
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f; // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f; // <= U+10FFFF
  } else return [RUNE_ERROR, 1];
  if (n < size) return [RUNE_ERROR, 1];
  const b1 = s.charCodeAt(i + 1);
  if (b1 < lo || b1 > hi) return [RUNE_ERROR, 1];
  if (size === 2) return [((b0 & 0x1f) << 6) | (b1 & 0x3f), 2];
  const b2 = s.charCodeAt(i + 2);
  if (b2 < 0x80 || b2 > 0xbf) return [RUNE_ERROR, 1];
  if (size === 3) return [((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), 3];
  const b3 = s.charCodeAt(i + 3);
  if (b3 < 0x80 || b3 > 0xbf) return [RUNE_ERROR, 1];
  return [((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), 4];
}

/** Go's utf8.DecodeLastRuneInString of s[:end]. */
export function decodeLastRune(s: string, end: number = s.length): [number, number] {
  if (end <= 0) return [RUNE_ERROR, 0];
  let start = end - 1;
  const last = s.charCodeAt(start);
  if (last < 0x80) return [last, 1];
  const lim = Math.max(end - 4, 0);
  for (start--; start >= lim; start--) {
    if ((s.charCodeAt(start) & 0xc0) !== 0x80) break;
  }
  if (start < 0) start = 0;
  const [r, size] = decodeRune(s.slice(start, end), 0);
  if (start + size !== end) return [RUNE_ERROR, 1];
  return [r, size];
}

/** UTF-8 encoding of a code point; invalid code points and surrogates encode U+FFFD, as in Go. */
export function encodeRune(cp: number): string {
  if (cp < 0x80 && cp >= 0) return String.fromCharCode(cp);
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = RUNE_ERROR;
  const f = String.fromCharCode;
  if (cp < 0x800) return f(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) return f(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return f(
    0xf0 | (cp >> 18),
    0x80 | ((cp >> 12) & 0x3f),
    0x80 | ((cp >> 6) & 0x3f),
    0x80 | (cp & 0x3f),
  );
}

/** Number of runes, counting each byte of an invalid sequence as one (utf8.RuneCountInString). */
export function runeCount(s: string): number {
  if (!nonAsciiRe.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; n++) i += decodeRune(s, i)[1];
  return n;
}

/** Code points of s as Go's `for range` yields them (invalid bytes as U+FFFD). */
export function runes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length;) {
    const [r, size] = decodeRune(s, i);
    out.push(r);
    i += size;
  }
  return out;
}
