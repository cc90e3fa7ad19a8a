// YAML as Tilt reads and writes it. Tilt decodes YAML the way Kubernetes
// does (YAML 1.1 scalars: yes/no/on/off are booleans, 0777 is octal; map keys
// become strings; the document then passes through JSON, so a float with an
// integral value comes back as an int). It encodes through JSON to YAML with
// block style, lists not indented under their key, and strings quoted only
// when they would otherwise read back as something else.

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node as YNode,
  type Scalar,
} from 'yaml';
import { GoFloat, goFormatG, goJSONFloat, type Data, type DataMap } from './files-data.js';
import { JSONValueError } from './files-json.js';

/** A YAML error; the message follows "error parsing YAML[ from <source>]: ". */
export class YAMLDecodeError extends Error {}

// ---- decoding ----

const BOOLS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(
    (s): [string, boolean] => [s, true],
  ),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(
    (s): [string, boolean] => [s, false],
  ),
]);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map((s): [string, number] => [s, NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s): [string, number] => [
    s,
    Infinity,
  ]),
  ...['-.inf', '-.Inf', '-.INF'].map((s): [string, number] => [s, -Infinity]),
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt/ParseUint with base 0, except that decimals may be of any size. */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const [, sign, body] = m;
  let n: bigint;
  let decimal = false;
  if (/^0[xXoObB]/.test(body)) n = BigInt(body.toLowerCase());
  else if (body.length > 1 && body[0] === '0') n = BigInt('0o' + body.slice(1));
  else {
    n = BigInt(body);
    decimal = true;
  }
  if (sign === '-') n = -n;
  if (!decimal && (n < INT64_MIN || n > UINT64_MAX)) return undefined;
  return n;
}

/** The value of a plain (unquoted) scalar under YAML 1.1, as go-yaml v2 resolves it. */
export function resolvePlain(s: string): Data | 'merge' {
  if (s === '<<') return 'merge';
  const b = BOOLS.get(s);
  if (b !== undefined) return b;
  if (NULLS.has(s)) return null;
  const sf = SPECIAL_FLOATS.get(s);
  if (sf !== undefined) return new GoFloat(sf);
  if (/^[-+.0-9]/.test(s)) {
    const plain = s.replace(/_/g, '');
    const n = parseGoInt(plain);
    if (n !== undefined) return n;
    if (YAML_FLOAT.test(plain)) return new GoFloat(Number(plain));
  }
  return s;
}

/** A map key as Kubernetes' YAML-to-JSON conversion writes it. */
function keyString(k: Data): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'bigint') return k.toString();
  if (typeof k === 'boolean') return String(k);
  if (k instanceof GoFloat) {
    if (Number.isNaN(k.v)) return '.nan';
    if (!Number.isFinite(k.v)) return k.v > 0 ? '.inf' : '-.inf';
    return goFormatG(k.v, 32);
  }
  if (k === null) throw new YAMLDecodeError('Unsupported map key of type: <nil>');
  throw new YAMLDecodeError(
    `yaml: invalid map key: ${Array.isArray(k) ? '[]interface {}' : 'map[interface {}]interface {}'}`,
  );
}

/** A value after its trip through JSON: integral floats become ints; NaN and infinities fail. */
function throughJSON(d: Data): Data {
  if (!(d instanceof GoFloat)) return d;
  if (!Number.isFinite(d.v)) {
    const name = Number.isNaN(d.v) ? 'NaN' : d.v > 0 ? '+Inf' : '-Inf';
    throw new YAMLDecodeError(`json: unsupported value: ${name}`);
  }
  const s = goJSONFloat(d.v);
  return /^-?\d+$/.test(s) ? BigInt(s) : d;
}

const TAG = 'tag:yaml.org,2002:';

/** Tags whose scalars resolve by their text, as go-yaml v2 resolves them. */
const RESOLVABLE = new Set(['int', 'float', 'bool', 'null', 'timestamp'].map((t) => TAG + t));

function scalarData(n: Scalar): Data | 'merge' {
  const v = n.value === null || n.value === undefined ? '' : String(n.value);
  const tag = n.tag;
  if (tag) return RESOLVABLE.has(tag) ? resolvePlain(v) : v;
  return n.type === 'PLAIN' ? resolvePlain(v) : v;
}

function convertDoc(doc: Document.Parsed): Data {
  const active: YNode[] = [];
  const conv = (n: YNode | null | undefined): Data | 'merge' => {
    if (n === null || n === undefined) return null;
    if (isAlias(n)) {
      const target = n.resolve(doc);
      if (!target) throw new YAMLDecodeError(`yaml: unknown anchor '${n.source}' referenced`);
      if (active.includes(target as YNode)) {
        throw new YAMLDecodeError(`yaml: anchor '${n.source}' value contains itself`);
      }
      return conv(target as YNode);
    }
    if (isScalar(n)) return scalarData(n);
    active.push(n);
    try {
      if (isSeq(n)) return n.items.map((item) => value(item as YNode));
      if (isMap(n)) {
        const out: DataMap = new Map();
        for (const pair of n.items) {
          const k = conv(pair.key as YNode);
          if (k === 'merge') merge(out, pair.value as YNode);
          else out.set(keyString(k), value(pair.value as YNode));
        }
        return out;
      }
    } finally {
      active.pop();
    }
    return null;
  };
  const value = (n: YNode | null | undefined): Data => {
    const d = conv(n);
    return d === 'merge' ? '<<' : throughJSON(d);
  };
  const merge = (out: DataMap, n: YNode | null | undefined): void => {
    const d = conv(n);
    const maps = Array.isArray(d) ? d : [d];
    // Earlier maps take precedence; merged keys overwrite keys set before the merge.
    const merged: DataMap = new Map();
    for (const m of maps) {
      if (!(m instanceof Map)) {
        throw new YAMLDecodeError('map merge requires map or sequence of maps as the value');
      }
      for (const [k, v] of m) if (!merged.has(k)) merged.set(k, v);
    }
    for (const [k, v] of merged) out.set(k, v);
  };
  return value(doc.contents as YNode | null);
}

/** Messages Kubernetes' YAML parser gives for the errors users meet most. */
function describeParseError(src: string, code: string, message: string, pos: number): string {
  let line = lineAt(src, pos);
  let msg = message
    ? message[0].toLowerCase() + message.slice(1)
    : 'unknown problem parsing YAML content';
  switch (code) {
    case 'MISSING_CHAR':
      if (/quote/.test(message)) {
        msg = 'found unexpected end of stream';
        line = lineAt(src, src.length);
      }
      break;
    case 'BLOCK_AS_IMPLICIT_KEY':
      msg = 'mapping values are not allowed in this context';
      break;
    case 'MULTILINE_IMPLICIT_KEY':
      msg = "could not find expected ':'";
      break;
    case 'TAB_AS_INDENT':
      msg = 'found character that cannot start any token';
      break;
  }
  return line > 1 ? `yaml: line ${line}: ${msg}` : `yaml: ${msg}`;
}

function lineAt(src: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src.charCodeAt(i) === 0x0a) line++;
  return line;
}

/** The documents of a YAML stream (host text), skipping empty (null) ones. */
export function decodeYAMLStream(src: string): Data[] {
  const docs = Array.from(
    parseAllDocuments(src, {
      schema: 'failsafe',
      uniqueKeys: false,
      prettyErrors: false,
      merge: false,
    }),
  );
  const out: Data[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      throw new YAMLDecodeError(
        `error converting YAML to JSON: ${describeParseError(src, err.code, err.message, err.pos[0])}`,
      );
    }
    let d: Data;
    try {
      d = convertDoc(doc);
    } catch (e) {
      if (e instanceof YAMLDecodeError)
        throw new YAMLDecodeError(`error converting YAML to JSON: ${e.message}`);
      throw e;
    }
    if (d !== null) out.push(d);
  }
  return out;
}

// ---- encoding ----

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$/;

/** Whether a plain scalar with this text would read back as a string. */
function readsAsString(s: string): boolean {
  if (BASE60_FLOAT.test(s) || TIMESTAMP.test(s)) return false;
  const r = resolvePlain(s);
  return r !== 'merge' && typeof r === 'string';
}

function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}

function isBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

function isBlank(c: number | undefined): boolean {
  return c === undefined || c === 0x20 || c === 0x09 || isBreak(c);
}

interface Analysis {
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/** What styles a string allows, as libyaml's emitter decides. */
function analyze(s: string): Analysis {
  const cps = [...s].map((ch) => ch.codePointAt(0)!);
  let blockIndicators = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let special = false;
  let lineBreaks = false;
  let prevSpace = false;
  let prevBreak = false;
  if (/^(---|\.\.\.)/.test(s)) blockIndicators = true;
  let precededByWhitespace = true;
  cps.forEach((c, i) => {
    const followedByWhitespace = isBlank(cps[i + 1]);
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':') && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWhitespace = isBlank(c);
  });
  let blockPlain = true;
  let singleQuoted = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) blockPlain = singleQuoted = false;
  if (spaceBreak || special) blockPlain = singleQuoted = block = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlain, singleQuoted, block };
}

const ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (!isPrintable(c) || c === 0xfeff || isBreak(c) || c === 0x22 || c === 0x5c) {
      const e = ESCAPES[c];
      if (e) out += '\\' + e;
      else if (c <= 0xff) out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
      else if (c <= 0xffff) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
      else out += '\\U' + c.toString(16).toUpperCase().padStart(8, '0');
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** A literal block scalar whose content lines are indented by `indent` spaces. */
function literal(s: string, indent: number): string {
  let hints = '';
  if (s[0] === ' ' || s[0] === '\n') hints += '2';
  if (!s.endsWith('\n')) hints += '-';
  else if (s === '\n' || s.endsWith('\n\n')) hints += '+';
  const pad = ' '.repeat(indent);
  const lines = s.split('\n').map((l) => (l === '' ? '' : pad + l));
  return `|${hints}\n${lines.join('\n')}`;
}

/** A string scalar; `indent` is where a literal block's lines go; keys are never blocks. */
function stringScalar(s: string, indent: number, isKey: boolean): string {
  const a = analyze(s);
  if (s.includes('\n')) {
    if (!isKey && a.block) return literal(s, indent);
    return doubleQuoted(s);
  }
  if (s === '' || !readsAsString(s)) return doubleQuoted(s);
  if (a.blockPlain) return s;
  if (a.singleQuoted) return `'${s.replace(/'/g, "''")}'`;
  return doubleQuoted(s);
}

function floatText(f: number): string {
  if (!Number.isFinite(f)) {
    throw new JSONValueError(
      `json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`,
    );
  }
  // Through JSON first: a float written without a point or exponent reads back as an int.
  const s = goJSONFloat(f);
  if (/^-?\d+$/.test(s)) {
    const n = BigInt(s);
    if (n >= INT64_MIN && n <= UINT64_MAX) return s;
  }
  return goFormatG(f, 64);
}

function scalar(d: Data, indent: number): string {
  if (d === null) return 'null';
  if (typeof d === 'boolean') return String(d);
  if (typeof d === 'bigint') return d.toString();
  if (d instanceof GoFloat) return floatText(d.v);
  if (typeof d === 'string') return stringScalar(d, indent, false);
  return Array.isArray(d) ? '[]' : '{}';
}

function isBlockCollection(d: Data): d is Data[] | DataMap {
  return (Array.isArray(d) && d.length > 0) || (d instanceof Map && d.size > 0);
}

/** Appends a scalar that follows an indicator, ending the line. */
function scalarLine(out: string[], d: Data, indent: number): void {
  const s = scalar(d, indent);
  out.push(s.endsWith('\n') ? s : s + '\n');
}

function emitMap(out: string[], m: DataMap, col: number, firstPrefix?: string): void {
  let first = true;
  for (const [k, v] of m) {
    out.push(first && firstPrefix !== undefined ? firstPrefix : ' '.repeat(col));
    first = false;
    out.push(stringScalar(k, col + 2, true), ':');
    if (isBlockCollection(v)) {
      out.push('\n');
      if (Array.isArray(v)) emitSeq(out, v, col);
      else emitMap(out, v, col + 2);
    } else {
      out.push(' ');
      scalarLine(out, v, col + 2);
    }
  }
}

function emitSeq(out: string[], s: Data[], col: number, firstPrefix?: string): void {
  s.forEach((item, i) => {
    const prefix = (i === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(col)) + '- ';
    if (Array.isArray(item) && item.length > 0) emitSeq(out, item, col + 2, prefix);
    else if (item instanceof Map && item.size > 0) emitMap(out, item, col + 2, prefix);
    else {
      out.push(prefix);
      scalarLine(out, item, col + 2);
    }
  });
}

/** One YAML document for the data, as Tilt's encode_yaml writes it. */
export function encodeYAMLData(d: Data): string {
  const out: string[] = [];
  if (Array.isArray(d) && d.length > 0) emitSeq(out, d, 0);
  else if (d instanceof Map && d.size > 0) emitMap(out, d, 0);
  else scalarLine(out, d, 2);
  return out.join('');
}
