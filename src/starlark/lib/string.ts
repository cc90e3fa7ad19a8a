// Methods of the string and bytes types, and the iterable views that
// "...".elems(), .codepoints() and friends return, as go.starlark.net defines
// them. Strings are UTF-8 byte strings; case mappings and character classes
// work on decoded runes, everything else on bytes.

import { EvalError } from '../errors.js';
import { noArgs, unpackPositional } from '../values/args.js';
import { elementsOf, methodTables } from '../values/ops.js';
import {
  decodeLastRune,
  decodeRune,
  encodeRune,
  isAscii,
  RUNE_ERROR,
  runeCount,
  runes,
} from '../values/utf8.js';
import {
  Builtin,
  Bytes,
  List,
  None,
  StarObject,
  Tuple,
  typeOf,
  type BuiltinFn,
  type HashKey,
  type Kwargs,
  type Value,
} from '../values/value.js';
import { strFormat } from './format.js';
import { quote } from './quote.js';

// ---- Unicode classes and case mappings (Go's unicode package) ----
//
// JS's toUpperCase/toLowerCase apply full mappings (ß -> SS); Go maps one rune
// to one rune, so expansions are mapped back to Go's results.

const reLetter = /\p{L}/u;
const reDigit = /\p{Nd}/u;
const reSpace = /\p{White_Space}/u;
const reUpper = /\p{Lu}/u;
const reLower = /\p{Ll}/u;
const reTitle = /\p{Lt}/u;

const ch = (r: number) => String.fromCodePoint(r);

export function isLetter(r: number): boolean {
  if (r < 0x80) return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return reLetter.test(ch(r));
}

export function isDigit(r: number): boolean {
  if (r < 0x80) return r >= 0x30 && r <= 0x39;
  return reDigit.test(ch(r));
}

/** unicode.IsSpace: \t \n \v \f \r space U+0085 U+00A0 and the White_Space property. */
export function isSpace(r: number): boolean {
  if (r < 0x80) return r === 0x20 || (r >= 0x09 && r <= 0x0d);
  return reSpace.test(ch(r));
}

export function isUpper(r: number): boolean {
  if (r < 0x80) return r >= 0x41 && r <= 0x5a;
  return reUpper.test(ch(r));
}

export function isLower(r: number): boolean {
  if (r < 0x80) return r >= 0x61 && r <= 0x7a;
  return reLower.test(ch(r));
}

export function isTitle(r: number): boolean {
  return r >= 0x80 && reTitle.test(ch(r));
}

function single(s: string): number | undefined {
  const r = s.codePointAt(0)!;
  return s.length === (r > 0xffff ? 2 : 1) ? r : undefined;
}

const upperCache = new Map<number, number>();
const lowerCache = new Map<number, number>();

/** unicode.ToUpper. */
export function toUpper(r: number): number {
  if (r < 0x80) return r >= 0x61 && r <= 0x7a ? r - 32 : r;
  let u = upperCache.get(r);
  if (u === undefined) {
    u = single(ch(r).toUpperCase());
    if (u === undefined) {
      // Only Greek letters with ypogegrammeni have a simple mapping among
      // the runes whose full uppercase expands; the others map to themselves.
      const low = r & 0xfff8;
      if ((low === 0x1f80 || low === 0x1f90 || low === 0x1fa0) && (r & 8) === 0) u = r + 8;
      else if (r === 0x1fb3 || r === 0x1fc3 || r === 0x1ff3) u = r + 9;
      else u = r;
    }
    upperCache.set(r, u);
  }
  return u;
}

/** unicode.ToLower. */
export function toLower(r: number): number {
  if (r < 0x80) return r >= 0x41 && r <= 0x5a ? r + 32 : r;
  let l = lowerCache.get(r);
  if (l === undefined) {
    // İ is the only rune whose full lowercase expands; its simple one is i.
    l = single(ch(r).toLowerCase()) ?? (r === 0x130 ? 0x69 : r);
    lowerCache.set(r, l);
  }
  return l;
}

/** unicode.ToTitle: as ToUpper except for the Latin digraphs and Georgian letters. */
export function toTitle(r: number): number {
  if (r >= 0x1c4 && r <= 0x1cc) return 0x1c5 + 3 * Math.floor((r - 0x1c4) / 3);
  if (r >= 0x1f1 && r <= 0x1f3) return 0x1f2;
  if ((r >= 0x10d0 && r <= 0x10fa) || (r >= 0x10fd && r <= 0x10ff)) return r;
  return toUpper(r);
}

/** Whether r takes part in case folding (Go: unicode.SimpleFold(r) != r). */
export function isCasedRune(r: number): boolean {
  if (r < 0x80) return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  // ß has no case mappings itself but folds with ẞ.
  return toUpper(r) !== r || toLower(r) !== r || toTitle(r) !== r || r === 0xdf;
}

/** Maps every rune of s; invalid bytes become U+FFFD as in Go's strings.Map. */
function mapRunes(s: string, f: (r: number) => number): string {
  let out = '';
  for (const r of runes(s)) out += encodeRune(f(r));
  return out;
}

export function upper(s: string): string {
  return isAscii(s) ? s.toUpperCase() : mapRunes(s, toUpper);
}

export function lower(s: string): string {
  return isAscii(s) ? s.toLowerCase() : mapRunes(s, toLower);
}

function isCasedString(s: string): boolean {
  return runes(s).some(isCasedRune);
}

// ---- iterable views ----

function unhashable(t: string): EvalError {
  return new EvalError(`unhashable: ${t}`);
}

/** "...".elems() / .elem_ords(): an indexable sequence of bytes. */
export class StringElems extends StarObject {
  constructor(
    readonly s: string,
    readonly ords: boolean,
  ) {
    super();
  }
  get type() {
    return 'string.elems';
  }
  override hashKey(): HashKey {
    throw unhashable(this.type);
  }
  repr(out: string[]) {
    out.push(quote(this.s) + (this.ords ? '.elem_ords()' : '.elems()'));
  }
  len(): number {
    return this.s.length;
  }
  /** Requires 0 <= i < len(). */
  index(i: number): Value {
    return this.ords ? this.s.charCodeAt(i) : this.s[i];
  }
  elements(): Value[] {
    const out: Value[] = new Array(this.s.length);
    for (let i = 0; i < this.s.length; i++) out[i] = this.index(i);
    return out;
  }
}

/** "...".codepoints() / .codepoint_ords(): iterable only (no len, no index). */
export class StringCodepoints extends StarObject {
  constructor(
    readonly s: string,
    readonly ords: boolean,
  ) {
    super();
  }
  get type() {
    return 'string.codepoints';
  }
  override hashKey(): HashKey {
    throw unhashable(this.type);
  }
  repr(out: string[]) {
    out.push(quote(this.s) + (this.ords ? '.codepoint_ords()' : '.codepoints()'));
  }
  elements(): Value[] {
    const out: Value[] = [];
    const s = this.s;
    for (let i = 0; i < s.length;) {
      const [r, size] = decodeRune(s, i);
      if (this.ords) out.push(r);
      else out.push(r === RUNE_ERROR ? encodeRune(r) : s.slice(i, i + size));
      i += size;
    }
    return out;
  }
}

/** b"...".elems(): iterable of byte values. */
export class BytesElems extends StarObject {
  constructor(readonly b: Bytes) {
    super();
  }
  get type() {
    return 'bytes.elems';
  }
  override hashKey(): HashKey {
    throw unhashable(this.type);
  }
  repr(out: string[]) {
    this.b.repr(out);
    out.push('.elems()');
  }
  elements(): Value[] {
    const s = this.b.s;
    const out: Value[] = new Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
}

// ---- argument helpers ----

function str(fn: string, i: number, v: Value): string {
  if (typeof v !== 'string')
    throw new EvalError(`${fn}: for parameter ${i}: got ${typeOf(v)}, want string`);
  return v;
}

/** A Go `int` parameter (AsInt into 64 bits). */
function int64(fn: string, i: number, v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') {
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return Number(v);
    throw new EvalError(
      `${fn}: for parameter ${i}: ${v} out of range (want value in signed 64-bit range)`,
    );
  }
  throw new EvalError(`${fn}: for parameter ${i}: got ${typeOf(v)}, want int`);
}

/** go.starlark.net's asIndex: an int32 index, negative ones counted from the end. */
function asIndex(v: Value | undefined, len: number, dflt: number): number {
  if (v === undefined || v === None) return dflt;
  if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) return v < 0 ? v + len : v;
  if (typeof v === 'number' || typeof v === 'bigint') throw new Error(`${v} out of range`);
  throw new Error(`got ${typeOf(v)}, want int`);
}

/** Start and end indices clamped to [0, len] (start may exceed end). */
function indices(fn: string, start_: Value | undefined, end_: Value | undefined, len: number) {
  const clamp = (i: number) => Math.min(Math.max(i, 0), len);
  let start: number;
  let end: number;
  try {
    start = clamp(asIndex(start_, len, 0));
  } catch (e) {
    throw new EvalError(`${fn}: invalid start index: ${(e as Error).message}`);
  }
  try {
    end = clamp(asIndex(end_, len, len));
  } catch (e) {
    throw new EvalError(`${fn}: invalid end index: ${(e as Error).message}`);
  }
  return [start, end];
}

// ---- methods ----

/** Go's strings.Count: empty sub matches between every rune. */
function countSub(s: string, sub: string): number {
  if (sub === '') return runeCount(s) + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Go's strings.Replace(s, old, new, n): empty old inserts around every rune. */
function replace(s: string, old: string, rep: string, n: number): string {
  if (old === rep || n === 0) return s;
  const m = countSub(s, old);
  if (m === 0) return s;
  if (n < 0 || m < n) n = m;
  let out = '';
  let start = 0;
  for (let i = 0; i < n; i++) {
    let j = start;
    if (old === '') {
      if (i > 0) j += decodeRune(s, start)[1];
    } else j = s.indexOf(old, start);
    out += s.slice(start, j) + rep;
    start = j + old.length;
  }
  return out + s.slice(start);
}

/** Trims runes in the cutset (decoded as runes, invalid bytes as U+FFFD) or satisfying pred. */
function trimLeft(s: string, pred: (r: number) => boolean): string {
  let i = 0;
  while (i < s.length) {
    const [r, size] = decodeRune(s, i);
    if (!pred(r)) break;
    i += size;
  }
  return s.slice(i);
}

function trimRight(s: string, pred: (r: number) => boolean): string {
  let end = s.length;
  while (end > 0) {
    const [r, size] = decodeLastRune(s, end);
    if (!pred(r)) break;
    end -= size;
  }
  return s.slice(0, end);
}

/** Go's strings.Fields(s) (max < 0) and go.starlark.net's splitspace. */
function splitSpace(s: string, max: number): string[] {
  const res: string[] = [];
  let start = -1; // start of the current field, or -1 in a run of spaces
  for (let i = 0; i < s.length;) {
    const [r, size] = decodeRune(s, i);
    if (isSpace(r)) {
      if (start >= 0) {
        if (res.length === max) break; // let this field run to the end
        res.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
    i += size;
  }
  if (start >= 0) res.push(s.slice(start));
  return res;
}

function rsplitSpace(s: string, max: number): string[] {
  const res: string[] = [];
  let end = -1; // end of the current field, or -1 in a run of spaces
  for (let i = s.length; i > 0;) {
    const [r, size] = decodeLastRune(s, i);
    if (isSpace(r)) {
      if (end >= 0) {
        if (res.length === max) break; // let this field run to the start
        res.push(s.slice(i, end));
        end = -1;
      }
    } else if (end < 0) end = i;
    i -= size;
  }
  if (end >= 0) res.push(s.slice(0, end));
  return res.reverse();
}

function split(self: Builtin, args: Value[], kwargs: Kwargs): Value {
  const fn = self.name;
  const s = self.recv as string;
  unpackPositional(fn, args, kwargs, 0, 2);
  const sep = args[0];
  const max = args.length > 1 ? int64(fn, 2, args[1]) : -1;
  let res: string[];
  if (sep === undefined || sep === None) {
    if (max < 0) res = splitSpace(s, -1);
    else res = fn === 'split' ? splitSpace(s, max) : rsplitSpace(s, max);
  } else if (typeof sep === 'string') {
    if (sep === '') throw new EvalError('split: empty separator');
    res = s.split(sep);
    if (max >= 0) {
      if (fn === 'split') {
        if (res.length > max + 1) res = [...res.slice(0, max), res.slice(max).join(sep)];
      } else {
        const excess = res.length - max;
        if (excess > 0) res = [res.slice(0, excess).join(sep), ...res.slice(excess)];
      }
    }
  } else {
    throw new EvalError(`split: got ${typeOf(sep)} for separator, want string`);
  }
  return new List(res);
}

function find(self: Builtin, args: Value[], kwargs: Kwargs, allowMissing: boolean, last: boolean) {
  const fn = self.name;
  const s = self.recv as string;
  unpackPositional(fn, args, kwargs, 1, 3);
  const sub = str(fn, 1, args[0]);
  const [start, end] = indices(fn, args[1], args[2], s.length);
  const slice = start < end ? s.slice(start, end) : '';
  const i = last ? slice.lastIndexOf(sub) : slice.indexOf(sub);
  if (i < 0) {
    if (!allowMissing) throw new EvalError(`${fn}: substring not found`);
    return -1;
  }
  return i + start;
}

function startsWith(self: Builtin, args: Value[], kwargs: Kwargs): Value {
  const fn = self.name;
  unpackPositional(fn, args, kwargs, 1, 3);
  let s = self.recv as string;
  const [start, end] = indices(fn, args[1], args[2], s.length);
  s = s.slice(start, Math.max(start, end));
  const test = fn === 'startswith' ? (p: string) => s.startsWith(p) : (p: string) => s.endsWith(p);
  const x = args[0];
  if (typeof x === 'string') return test(x);
  if (x instanceof Tuple) {
    for (let i = 0; i < x.elems.length; i++) {
      const p = x.elems[i];
      if (typeof p !== 'string') {
        throw new EvalError(`${fn}: want string, got ${typeOf(p)}, for element ${i}`);
      }
      if (test(p)) return true;
    }
    return false;
  }
  throw new EvalError(`${fn}: got ${typeOf(x)}, want string or tuple of string`);
}

function strip(self: Builtin, args: Value[], kwargs: Kwargs): Value {
  const fn = self.name;
  unpackPositional(fn, args, kwargs, 0, 1);
  const chars = args.length > 0 ? str(fn, 1, args[0]) : '';
  let pred = isSpace;
  if (chars !== '') {
    const set = new Set(runes(chars));
    pred = (r) => set.has(r);
  }
  let s = self.recv as string;
  if (fn !== 'rstrip') s = trimLeft(s, pred);
  if (fn !== 'lstrip') s = trimRight(s, pred);
  return s;
}

function partition(self: Builtin, args: Value[], kwargs: Kwargs): Value {
  const fn = self.name;
  const s = self.recv as string;
  unpackPositional(fn, args, kwargs, 1, 1);
  const sep = str(fn, 1, args[0]);
  if (sep === '') throw new EvalError(`${fn}: empty separator`);
  const front = fn === 'partition';
  const i = front ? s.indexOf(sep) : s.lastIndexOf(sep);
  if (i < 0) return new Tuple(front ? [s, '', ''] : ['', '', s]);
  return new Tuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
}

/** A method taking no arguments that computes from the receiver. */
function nullary(f: (s: string) => Value): BuiltinFn {
  return (_thread, args, kwargs, self) => {
    noArgs(self.name, args, kwargs);
    return f(self.recv as string);
  };
}

/** is{alnum,alpha,digit,space}: every rune satisfies pred, and s is not empty. */
function allRunes(pred: (r: number) => boolean): BuiltinFn {
  return nullary((s) => s !== '' && runes(s).every(pred));
}

function title(s: string): string {
  // Python semantics: uppercase only after uncased runes, lowercase after cased ones.
  let out = '';
  let prevCased = false;
  for (let r of runes(s)) {
    r = prevCased ? toLower(r) : toTitle(r);
    prevCased = isCasedRune(r);
    out += encodeRune(r);
  }
  return out;
}

function isTitleString(s: string): boolean {
  let cased = false;
  let prevCased = false;
  for (const r of runes(s)) {
    if ((r >= 0x41 && r <= 0x5a) || isTitle(r)) {
      if (prevCased) return false;
      prevCased = cased = true;
    } else if (isLower(r)) {
      if (!prevCased) return false;
      prevCased = cased = true;
    } else if (isUpper(r)) {
      return false;
    } else {
      prevCased = false;
    }
  }
  return cased;
}

const stringFns: Record<string, BuiltinFn> = {
  capitalize: nullary((s) => {
    const rs = runes(s);
    return rs.map((r, i) => encodeRune(i === 0 ? toTitle(r) : toLower(r))).join('');
  }),
  codepoint_ords: nullary((s) => new StringCodepoints(s, true)),
  codepoints: nullary((s) => new StringCodepoints(s, false)),
  count: (_t, args, kwargs, self) => {
    const fn = self.name;
    const s = self.recv as string;
    unpackPositional(fn, args, kwargs, 1, 3);
    const sub = str(fn, 1, args[0]);
    const [start, end] = indices(fn, args[1], args[2], s.length);
    return countSub(start < end ? s.slice(start, end) : '', sub);
  },
  elem_ords: nullary((s) => new StringElems(s, true)),
  elems: nullary((s) => new StringElems(s, false)),
  endswith: (_t, args, kwargs, self) => startsWith(self, args, kwargs),
  find: (_t, args, kwargs, self) => find(self, args, kwargs, true, false),
  format: (thread, args, kwargs, self) => strFormat(thread, self.recv as string, args, kwargs),
  index: (_t, args, kwargs, self) => find(self, args, kwargs, false, false),
  isalnum: allRunes((r) => isLetter(r) || isDigit(r)),
  isalpha: allRunes(isLetter),
  isdigit: allRunes(isDigit),
  islower: nullary((s) => isCasedString(s) && s === lower(s)),
  isspace: allRunes(isSpace),
  istitle: nullary(isTitleString),
  isupper: nullary((s) => isCasedString(s) && s === upper(s)),
  join: (_t, args, kwargs, self) => {
    unpackPositional('join', args, kwargs, 1, 1);
    const x = args[0];
    const elems = x instanceof List || x instanceof Tuple ? x.elems : elementsOf(x);
    if (elems === undefined) {
      throw new EvalError(`join: for parameter 1: got ${typeOf(x)}, want iterable`);
    }
    for (const e of elems) {
      if (typeof e !== 'string')
        throw new EvalError(`join: in list, want string, got ${typeOf(e)}`);
    }
    return (elems as string[]).join(self.recv as string);
  },
  lower: nullary(lower),
  lstrip: (_t, args, kwargs, self) => strip(self, args, kwargs),
  partition: (_t, args, kwargs, self) => partition(self, args, kwargs),
  removeprefix: (_t, args, kwargs, self) => {
    unpackPositional(self.name, args, kwargs, 1, 1);
    const fix = str(self.name, 1, args[0]);
    const s = self.recv as string;
    return s.startsWith(fix) ? s.slice(fix.length) : s;
  },
  removesuffix: (_t, args, kwargs, self) => {
    unpackPositional(self.name, args, kwargs, 1, 1);
    const fix = str(self.name, 1, args[0]);
    const s = self.recv as string;
    return s.endsWith(fix) ? s.slice(0, s.length - fix.length) : s;
  },
  replace: (_t, args, kwargs, self) => {
    const fn = self.name;
    unpackPositional(fn, args, kwargs, 2, 3);
    const old = str(fn, 1, args[0]);
    const rep = str(fn, 2, args[1]);
    const n = args.length > 2 ? int64(fn, 3, args[2]) : -1;
    return replace(self.recv as string, old, rep, n);
  },
  rfind: (_t, args, kwargs, self) => find(self, args, kwargs, true, true),
  rindex: (_t, args, kwargs, self) => find(self, args, kwargs, false, true),
  rpartition: (_t, args, kwargs, self) => partition(self, args, kwargs),
  rsplit: (_t, args, kwargs, self) => split(self, args, kwargs),
  rstrip: (_t, args, kwargs, self) => strip(self, args, kwargs),
  split: (_t, args, kwargs, self) => split(self, args, kwargs),
  splitlines: (_t, args, kwargs, self) => {
    unpackPositional('splitlines', args, kwargs, 0, 1);
    const keep = args[0];
    if (keep !== undefined && typeof keep !== 'boolean') {
      throw new EvalError(`splitlines: for parameter 1: got ${typeOf(keep)}, want bool`);
    }
    const s = self.recv as string;
    if (s === '') return new List([]);
    // only \n ends a line, as in go.starlark.net
    const lines = s.split('\n');
    if (keep) for (let i = 0; i < lines.length - 1; i++) lines[i] += '\n';
    if (s.endsWith('\n')) lines.pop();
    return new List(lines);
  },
  startswith: (_t, args, kwargs, self) => startsWith(self, args, kwargs),
  strip: (_t, args, kwargs, self) => strip(self, args, kwargs),
  title: nullary(title),
  upper: nullary(upper),
};

/** Unbound string methods, by name in sorted order; the receiver is bound on access. */
export const stringMethods: Map<string, Builtin> = new Map(
  Object.keys(stringFns)
    .sort()
    .map((name) => [name, new Builtin(name, stringFns[name])]),
);

/** Unbound bytes methods. */
export const bytesMethods: Map<string, Builtin> = new Map([
  [
    'elems',
    new Builtin('elems', (_t, args, kwargs, self) => {
      noArgs('elems', args, kwargs);
      return new BytesElems(self.recv as Bytes);
    }),
  ],
]);

for (const [name, b] of stringMethods) methodTables.string.set(name, b);
for (const [name, b] of bytesMethods) methodTables.bytes.set(name, b);
