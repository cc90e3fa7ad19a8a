// Renderings that Tilt's messages get from Go's fmt and encoding/json, reproduced so
// that error texts match Tilt's byte for byte.

import { isJSONObject, type JSONValue } from './json.js';

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's %q (strconv.Quote) of a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (printable.test(ch)) out += ch;
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's %q of each string, joined by ", " (Tilt's sliceutils.QuotedStringList). */
export function goQuotedList(list: readonly string[]): string {
  return list.map(goQuote).join(', ');
}

/** encoding/json's word for a JSON value's type, as in "cannot unmarshal bool into ...". */
export function jsonTypeWord(v: JSONValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isJSONObject(v)) return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** Go's %T of a value decoded from JSON into interface{} the way apimachinery does it. */
export function goTypeName(v: JSONValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's %s of such a value (maps print with sorted keys, non-strings as %!s(T=v)). */
export function goFormatS(v: JSONValue | undefined): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return '[' + v.map(goFormatS).join(' ') + ']';
  if (isJSONObject(v)) {
    const keys = Object.keys(v).sort();
    return 'map[' + keys.map((k) => `${k}:${goFormatS(v[k])}`).join(' ') + ']';
  }
  if (v === null || v === undefined) return '%!s(<nil>)';
  return `%!s(${goTypeName(v)}=${goNumberOrBool(v)})`;
}

function goNumberOrBool(v: number | boolean): string {
  if (typeof v === 'boolean') return String(v);
  if (Number.isInteger(v)) return String(v);
  // %v of a float64 is the shortest 'g' form, which switches to an exponent
  // (at least two digits) below 1e-4 and from 1e6.
  const [mantissa, e] = v.toExponential().split('e');
  const exp = Number(e);
  if (exp >= -4 && exp < 6) return String(v);
  const digits = String(Math.abs(exp)).padStart(2, '0');
  return `${mantissa}e${exp < 0 ? '-' : '+'}${digits}`;
}

/**
 * encoding/json's Marshal of a map[string]interface{}: keys sorted, compact, and
 * <, >, &, U+2028, U+2029 escaped. Used where Tilt quotes a document's JSON.
 */
export function goJSONMarshal(v: JSONValue): string {
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => {
    return '\\u' + hex(c.charCodeAt(0), 4);
  });
}

function sortKeys(v: JSONValue): JSONValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isJSONObject(v)) return v;
  const out: Record<string, JSONValue> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}
