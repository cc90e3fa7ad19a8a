// Core Starlark value representation.
//
// Plain JavaScript values carry the common types so that hot paths need no
// allocation or dispatch:
//   int    -> number (a safe integer) or bigint (always outside the safe range)
//   string -> string whose chars are UTF-8 bytes (each char code is 0..255)
//   bool   -> boolean
// Everything else is a StarObject.

import { EvalError } from '../errors.js';

export type Value = number | bigint | string | boolean | StarObject;

/** A key usable in a JS Map that respects Starlark equality of hashable values. */
export type HashKey = number | bigint | string | object;

export abstract class StarObject {
  abstract get type(): string;
  truth(): boolean {
    return true;
  }
  freeze(): void {}
  /** Throws an EvalError when the value is unhashable. */
  hashKey(): HashKey {
    return this;
  }
  /** Appends the repr of the value to out. `seen` guards against cycles. */
  abstract repr(out: string[], seen: StarObject[]): void;
  /** str(x): defaults to repr. */
  str(out: string[], seen: StarObject[]): void {
    this.repr(out, seen);
  }
}

// ---- None ----

export class NoneType extends StarObject {
  get type() {
    return 'NoneType';
  }
  override truth() {
    return false;
  }
  override hashKey(): HashKey {
    return '\u0100N';
  }
  repr(out: string[]) {
    out.push('None');
  }
}
export const None = new NoneType();

// ---- float ----

export class Float extends StarObject {
  constructor(readonly v: number) {
    super();
  }
  get type() {
    return 'float';
  }
  override truth() {
    return this.v !== 0;
  }
  override hashKey(): HashKey {
    return floatKey(this.v);
  }
  repr(out: string[]) {
    out.push(formatFloat(this.v));
  }
}

export function floatKey(f: number): HashKey {
  if (Number.isInteger(f)) {
    return Number.isSafeInteger(f) ? f : BigInt(f);
  }
  if (f !== f) return '\u0100NaN';
  return f; // non-integral numbers never equal an int key
}

let floatFormatter: (f: number) => string = (f) => String(f);
/** Installed by lib/floatfmt to keep this module free of formatting code. */
export function setFloatFormatter(fn: (f: number) => string) {
  floatFormatter = fn;
}
export function formatFloat(f: number): string {
  return floatFormatter(f);
}

// ---- bytes ----

export class Bytes extends StarObject {
  /** Each char is one byte (0..255). */
  constructor(readonly s: string) {
    super();
  }
  get type() {
    return 'bytes';
  }
  override truth() {
    return this.s.length > 0;
  }
  override hashKey(): HashKey {
    return '\u0102' + this.s;
  }
  repr(out: string[]) {
    out.push('b');
    out.push(quoteBytes(this.s, true));
  }
}

let quoter: (s: string, isBytes: boolean) => string = (s) => JSON.stringify(s);
export function setQuoter(fn: (s: string, isBytes: boolean) => string) {
  quoter = fn;
}
/** Go-style double-quoted string literal of a byte string. */
export function quoteBytes(s: string, isBytes: boolean): string {
  return quoter(s, isBytes);
}

// ---- frozen / iteration bookkeeping shared by mutable containers ----

export abstract class Mutable extends StarObject {
  frozen = false;
  /** Number of active iterations; mutation is refused while positive. */
  itercount = 0;
  /** How mutation errors name the container ("list", or "hash table" for dict and set). */
  get mutableName(): string {
    return this.type;
  }
  checkMutable(verb: string): void {
    if (this.frozen) throw new EvalError(`cannot ${verb} frozen ${this.mutableName}`);
    if (this.itercount > 0)
      throw new EvalError(`cannot ${verb} ${this.mutableName} during iteration`);
  }
}

// ---- list ----

export class List extends Mutable {
  constructor(public elems: Value[]) {
    super();
  }
  get type() {
    return 'list';
  }
  override truth() {
    return this.elems.length > 0;
  }
  override freeze() {
    if (!this.frozen) {
      this.frozen = true;
      for (const e of this.elems) freeze(e);
    }
  }
  override hashKey(): HashKey {
    throw new EvalError('unhashable type: list');
  }
  repr(out: string[], seen: StarObject[]) {
    if (seen.includes(this)) {
      out.push('[...]');
      return;
    }
    seen.push(this);
    out.push('[');
    const e = this.elems;
    for (let i = 0; i < e.length; i++) {
      if (i > 0) out.push(', ');
      reprTo(e[i], out, seen);
    }
    out.push(']');
    seen.pop();
  }
}

// ---- tuple ----

export class Tuple extends StarObject {
  constructor(readonly elems: Value[]) {
    super();
  }
  get type() {
    return 'tuple';
  }
  override truth() {
    return this.elems.length > 0;
  }
  override freeze() {
    for (const e of this.elems) freeze(e);
  }
  override hashKey(): HashKey {
    return compositeKey('\u0101t', this.elems);
  }
  repr(out: string[], seen: StarObject[]) {
    if (seen.includes(this)) {
      out.push('(...)');
      return;
    }
    seen.push(this);
    out.push('(');
    const e = this.elems;
    for (let i = 0; i < e.length; i++) {
      if (i > 0) out.push(', ');
      reprTo(e[i], out, seen);
    }
    if (e.length === 1) out.push(',');
    out.push(')');
    seen.pop();
  }
}
export const EmptyTuple = new Tuple([]);

// Identity ids for objects hashed by identity inside composite keys.
const identityIds = new WeakMap<object, number>();
let nextIdentityId = 1;
function identityId(o: object): number {
  let id = identityIds.get(o);
  if (id === undefined) {
    id = nextIdentityId++;
    identityIds.set(o, id);
  }
  return id;
}

/** Builds an unambiguous string key from the keys of the parts. */
export function compositeKey(tag: string, parts: Value[]): string {
  let s = tag;
  for (const p of parts) {
    const k = hashKey(p);
    switch (typeof k) {
      case 'number':
        s += 'n' + k + ';';
        break;
      case 'bigint':
        s += 'b' + k + ';';
        break;
      case 'string':
        s += 's' + k.length + ':' + k;
        break;
      default:
        s += 'o' + identityId(k as object) + ';';
    }
  }
  return s;
}

// ---- dict ----

export interface Entry {
  k: Value;
  v: Value;
}

/** What dict and set share: a Map by hash key, and mutation errors naming a "hash table". */
abstract class HashTable<T> extends Mutable {
  abstract map: Map<HashKey, T>;
  override get mutableName() {
    return 'hash table';
  }
  get size() {
    return this.map.size;
  }
  override truth() {
    return this.map.size > 0;
  }
  override hashKey(): HashKey {
    throw new EvalError(`unhashable type: ${this.type}`);
  }
}

/** Shared by all empty dicts until their first insertion: `{}` is common and must be cheap. Never written. */
const EMPTY_MAP = new Map<HashKey, Value>();

export class Dict extends HashTable<Value> {
  // Values by hash key. A JS Map preserves insertion order, and re-insertion
  // after delete goes last, exactly as Starlark's dict does. Most keys
  // (strings, ints) are their own hash key; the others are kept in `keyObjs`,
  // so that no per-entry object is needed.
  map = EMPTY_MAP;
  private keyObjs: Map<HashKey, Value> | undefined;
  get type() {
    return 'dict';
  }
  override freeze() {
    if (!this.frozen) {
      this.frozen = true;
      if (this.keyObjs) for (const k of this.keyObjs.values()) freeze(k);
      for (const v of this.map.values()) freeze(v);
    }
  }
  /** The key stored under a hash key. */
  keyOf(hk: HashKey): Value {
    return (this.keyObjs?.get(hk) ?? hk) as Value;
  }
  get(k: Value): Value | undefined {
    return this.map.get(hashKey(k));
  }
  has(k: Value): boolean {
    return this.map.has(hashKey(k));
  }
  set(k: Value, v: Value): void {
    const hk = hashKey(k);
    this.checkMutable('insert into');
    this.put(hk, k, v);
  }
  /** Insert without mutability checks (for construction of fresh dicts). */
  setUnchecked(k: Value, v: Value): void {
    this.put(hashKey(k), k, v);
  }
  private put(hk: HashKey, k: Value, v: Value) {
    if (this.map === EMPTY_MAP) this.map = new Map();
    if (hk !== k && !this.map.has(hk)) (this.keyObjs ??= new Map()).set(hk, k);
    this.map.set(hk, v);
  }
  /** Makes this (empty, fresh) dict a copy of d. */
  copyFrom(d: Dict): void {
    this.map = new Map(d.map);
    if (d.keyObjs) this.keyObjs = new Map(d.keyObjs);
  }
  delete(k: Value): Value | undefined {
    const hk = hashKey(k);
    this.checkMutable('delete from');
    const v = this.map.get(hk);
    if (v === undefined) return undefined;
    this.map.delete(hk);
    this.keyObjs?.delete(hk);
    return v;
  }
  clear(): void {
    this.checkMutable('clear');
    this.map = EMPTY_MAP;
    this.keyObjs = undefined;
  }
  keys(): Value[] {
    const out: Value[] = [];
    if (!this.keyObjs) for (const hk of this.map.keys()) out.push(hk as Value);
    else for (const hk of this.map.keys()) out.push(this.keyOf(hk));
    return out;
  }
  values(): Value[] {
    return [...this.map.values()];
  }
  /** A snapshot of the entries, in order. */
  entries(): Entry[] {
    const out: Entry[] = [];
    for (const [hk, v] of this.map) out.push({ k: this.keyOf(hk), v });
    return out;
  }
  repr(out: string[], seen: StarObject[]) {
    if (seen.includes(this)) {
      out.push('{...}');
      return;
    }
    seen.push(this);
    out.push('{');
    let first = true;
    for (const [hk, v] of this.map) {
      if (!first) out.push(', ');
      first = false;
      reprTo(this.keyOf(hk), out, seen);
      out.push(': ');
      reprTo(v, out, seen);
    }
    out.push('}');
    seen.pop();
  }
}

// ---- set ----

export class StarSet extends HashTable<Value> {
  readonly map = new Map<HashKey, Value>();
  get type() {
    return 'set';
  }
  override freeze() {
    if (!this.frozen) {
      this.frozen = true;
      for (const v of this.map.values()) freeze(v);
    }
  }
  has(k: Value): boolean {
    return this.map.has(hashKey(k));
  }
  add(k: Value): void {
    const hk = hashKey(k);
    this.checkMutable('insert into');
    if (!this.map.has(hk)) this.map.set(hk, k);
  }
  addUnchecked(k: Value): void {
    const hk = hashKey(k);
    // A primitive is its own key: overwriting it changes nothing.
    if (hk === k || !this.map.has(hk)) this.map.set(hk, k);
  }
  elems(): Value[] {
    return [...this.map.values()];
  }
  repr(out: string[], seen: StarObject[]) {
    if (seen.includes(this)) {
      out.push('set(...)');
      return;
    }
    seen.push(this);
    out.push('set([');
    let first = true;
    for (const v of this.map.values()) {
      if (!first) out.push(', ');
      first = false;
      reprTo(v, out, seen);
    }
    out.push('])');
    seen.pop();
  }
}

// ---- range ----

export class Range extends StarObject {
  readonly len: number;
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    super();
    this.len = rangeLen(start, stop, step);
  }
  get type() {
    return 'range';
  }
  override truth() {
    return this.len > 0;
  }
  override hashKey(): HashKey {
    throw new EvalError('unhashable: range');
  }
  at(i: number): number {
    return this.start + i * this.step;
  }
  repr(out: string[]) {
    if (this.step !== 1) out.push(`range(${this.start}, ${this.stop}, ${this.step})`);
    else if (this.start !== 0) out.push(`range(${this.start}, ${this.stop})`);
    else out.push(`range(${this.stop})`);
  }
}

function rangeLen(start: number, stop: number, step: number): number {
  if (step > 0) return start < stop ? Math.floor((stop - start - 1) / step) + 1 : 0;
  return start > stop ? Math.floor((start - stop - 1) / -step) + 1 : 0;
}

// ---- callables ----

/** Arguments as passed at a call: positional values and keyword pairs. */
export type Kwargs = [string, Value][];

export interface Callable {
  readonly name: string;
}

/**
 * A function implemented by the host. `fn` receives the calling thread, the
 * positional arguments and the keyword arguments (in call order).
 */
export type BuiltinFn = (thread: ThreadLike, args: Value[], kwargs: Kwargs, self: Builtin) => Value;

/** The part of Thread that values and builtins depend on (see eval/thread.ts). */
export interface ThreadLike {
  call(fn: Value, args: Value[], kwargs: Kwargs): Value;
  print(msg: string): void;
  /** Arbitrary embedder-owned data, keyed by name. */
  locals: Map<string, unknown>;
}

export class Builtin extends StarObject {
  constructor(
    readonly name: string,
    readonly fn: BuiltinFn,
    /** The receiver of a bound method, if any. */
    readonly recv?: Value,
  ) {
    super();
  }
  get type() {
    return 'builtin_function_or_method';
  }
  override hashKey(): HashKey {
    return this; // each bound method value is distinct
  }
  bind(recv: Value): Builtin {
    return new Builtin(this.name, this.fn, recv);
  }
  repr(out: string[]) {
    if (this.recv !== undefined)
      out.push(`<built-in method ${this.name} of ${typeOf(this.recv)} value>`);
    else out.push(`<built-in function ${this.name}>`);
  }
}

// ---- module ----

export class Module extends StarObject {
  constructor(
    readonly name: string,
    readonly members: Map<string, Value>,
  ) {
    super();
  }
  get type() {
    return 'module';
  }
  private frozen = false;
  override freeze() {
    if (this.frozen) return;
    this.frozen = true;
    for (const v of this.members.values()) freeze(v);
  }
  override hashKey(): HashKey {
    throw new EvalError('unhashable: module');
  }
  repr(out: string[]) {
    out.push(`<module "${this.name}">`);
  }
  attr(name: string): Value | undefined {
    return this.members.get(name);
  }
  attrNames(): string[] {
    return [...this.members.keys()];
  }
}

// ---- helpers on all values ----

export function typeOf(v: Value): string {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return v.type;
  }
}

export function truth(v: Value): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return true; // never zero: zero is a number
    case 'string':
      return v.length > 0;
    default:
      return v.truth();
  }
}

export function hashKey(v: Value): HashKey {
  switch (typeof v) {
    case 'number':
    case 'bigint':
    case 'string':
      return v;
    case 'boolean':
      return v ? '\u0100T' : '\u0100F';
    default:
      return v.hashKey();
  }
}

export function freeze(v: Value): void {
  if (typeof v === 'object') v.freeze();
}

export function isInt(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

export function reprTo(v: Value, out: string[], seen: StarObject[]): void {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      out.push(String(v));
      return;
    case 'string':
      out.push(quoteBytes(v, false));
      return;
    case 'boolean':
      out.push(v ? 'True' : 'False');
      return;
    default:
      v.repr(out, seen);
  }
}

export function repr(v: Value): string {
  if (typeof v === 'number') return String(v);
  const out: string[] = [];
  reprTo(v, out, []);
  return out.join('');
}

/** str(x): strings are themselves, everything else as repr except where a type overrides. */
export function str(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') {
    const out: string[] = [];
    v.str(out, []);
    return out.join('');
  }
  return repr(v);
}

/** Normalizes a bigint result: safe integers are numbers. */
export function normInt(b: bigint): number | bigint {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

export function toBig(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

export function makeTuple(elems: Value[]): Tuple {
  return elems.length === 0 ? EmptyTuple : new Tuple(elems);
}
