// Operators on Starlark values: binary and unary operators, indexing,
// slicing, attributes, iteration and len. Messages follow go.starlark.net.

import { EvalError } from '../errors.js';
import { percentFormat } from '../lib/format.js';
import { binaryNumeric, unaryNumeric } from '../lib/numbers.js';
import { compare, equals, type CompareOp } from './compare.js';
import { nearest } from './spell.js';
import {
  Bytes,
  Dict,
  Float,
  List,
  Range,
  StarObject,
  StarSet,
  Tuple,
  hashKey,
  makeTuple,
  repr,
  typeOf,
  type Value,
} from './value.js';

// ---- protocols that host values may implement ----

/** A one-pass iterator; `done` must be called when iteration ends early or late. */
export interface StarIterator {
  next(): Value | undefined;
  done(): void;
}

export interface HasAttrs {
  attr(name: string): Value | undefined;
  attrNames(): string[];
}
export interface HasSetField {
  setField(name: string, v: Value): void;
}
export interface HasBinary {
  /** x op y where this is x (side 'left') or y (side 'right'); undefined if unsupported. */
  binary(op: string, other: Value, side: 'left' | 'right'): Value | undefined;
}
export interface Indexable {
  index(i: number): Value;
  len(): number;
}
export interface Mapping {
  getKey(k: Value): Value | undefined;
}
export interface Callable {
  callInternal(thread: unknown, args: Value[], kwargs: [string, Value][]): Value;
  readonly name: string;
}

function has<K extends string>(v: object, k: K): v is Record<K, (...a: never[]) => unknown> {
  return typeof (v as Record<string, unknown>)[k] === 'function';
}

// ---- attributes ----

/** Method tables of the built-in types, filled in by lib modules. */
export const methodTables = {
  string: new Map<string, import('./value.js').Builtin>(),
  bytes: new Map<string, import('./value.js').Builtin>(),
  list: new Map<string, import('./value.js').Builtin>(),
  dict: new Map<string, import('./value.js').Builtin>(),
  set: new Map<string, import('./value.js').Builtin>(),
};

function methodTable(x: Value) {
  switch (typeof x) {
    case 'string':
      return methodTables.string;
    case 'object':
      if (x instanceof List) return methodTables.list;
      if (x instanceof Dict) return methodTables.dict;
      if (x instanceof StarSet) return methodTables.set;
      if (x instanceof Bytes) return methodTables.bytes;
  }
  return undefined;
}

export function getAttr(x: Value, name: string): Value {
  const table = methodTable(x);
  if (table) {
    const m = table.get(name);
    if (m) return m.bind(x);
    throw noSuchAttr(x, name, [...table.keys()]);
  }
  if (typeof x === 'object' && has(x, 'attr')) {
    const h = x as unknown as HasAttrs & { noSuchAttr?(name: string): EvalError };
    const v = h.attr(name);
    if (v !== undefined) return v;
    if (h.noSuchAttr) throw h.noSuchAttr(name);
    throw noSuchAttr(x, name, h.attrNames());
  }
  throw noSuchAttr(x, name, []);
}

export function hasAttr(x: Value, name: string): boolean {
  const table = methodTable(x);
  if (table) return table.has(name);
  if (typeof x === 'object' && has(x, 'attr'))
    return (x as unknown as HasAttrs).attr(name) !== undefined;
  return false;
}

export function attrNames(x: Value): string[] {
  const table = methodTable(x);
  if (table) return [...table.keys()].sort();
  if (typeof x === 'object' && has(x, 'attrNames'))
    return [...(x as unknown as HasAttrs).attrNames()].sort();
  return [];
}

function noSuchAttr(x: Value, name: string, candidates: string[]): EvalError {
  let msg = `${typeOf(x)} has no .${name} field or method`;
  const n = nearest(name, candidates);
  if (n) msg += ` (did you mean .${n}?)`;
  return new EvalError(msg);
}

export function setAttr(x: Value, name: string, v: Value): void {
  if (typeof x === 'object' && has(x, 'setField')) {
    (x as unknown as HasSetField).setField(name, v);
    return;
  }
  throw new EvalError(`can't assign to .${name} field of ${typeOf(x)}`);
}

// ---- len and iteration ----

/** len(x), or -1 if x has no length. */
export function len(x: Value): number {
  if (typeof x === 'string') return x.length;
  if (typeof x !== 'object') return -1;
  if (x instanceof List || x instanceof Tuple) return x.elems.length;
  if (x instanceof Dict || x instanceof StarSet) return x.size;
  if (x instanceof Range) return x.len;
  if (x instanceof Bytes) return x.s.length;
  if (has(x, 'len')) return (x as unknown as Indexable).len();
  return -1;
}

/** Iterates a list, refusing its mutation meanwhile. */
class ListIterator implements StarIterator {
  private i = 0;
  private open = true;
  constructor(private readonly l: List) {
    l.itercount++;
  }
  next(): Value | undefined {
    const e = this.l.elems;
    return this.i < e.length ? e[this.i++] : undefined;
  }
  done(): void {
    if (this.open) {
      this.open = false;
      this.l.itercount--;
    }
  }
}

/** Iterates a snapshot of elements, refusing mutation of their container (if any) meanwhile. */
class ArrayIterator implements StarIterator {
  private i = 0;
  private open = true;
  constructor(
    private readonly elems: Value[],
    private readonly owner?: Dict | StarSet,
  ) {
    if (owner) owner.itercount++;
  }
  next(): Value | undefined {
    return this.i < this.elems.length ? this.elems[this.i++] : undefined;
  }
  done(): void {
    if (this.open && this.owner) this.owner.itercount--;
    this.open = false;
  }
}

class RangeIterator implements StarIterator {
  private i = 0;
  constructor(private readonly r: Range) {}
  next(): Value | undefined {
    const r = this.r;
    return this.i < r.len ? r.start + this.i++ * r.step : undefined;
  }
  done(): void {}
}

/** Starts iterating x, or returns undefined if x is not iterable. */
export function iterate(x: Value): StarIterator | undefined {
  if (typeof x !== 'object') return undefined;
  if (x instanceof List) return new ListIterator(x);
  if (x instanceof Tuple) return new ArrayIterator(x.elems);
  if (x instanceof Dict) return new ArrayIterator(x.keys(), x);
  if (x instanceof StarSet) return new ArrayIterator(x.elems(), x);
  if (x instanceof Range) return new RangeIterator(x);
  if (has(x, 'iterate')) return (x as unknown as { iterate(): StarIterator }).iterate();
  if (has(x, 'elements'))
    return new ArrayIterator((x as unknown as { elements(): Value[] }).elements());
  return undefined;
}

/** All elements of an iterable (a fresh array), or undefined if x is not iterable. */
export function elementsOf(x: Value): Value[] | undefined {
  if (x instanceof Range && x.len > MAX_REPEAT) {
    throw new EvalError(`range with ${x.len} elements is too large to list`);
  }
  if (typeof x === 'object') {
    if (x instanceof List || x instanceof Tuple) return x.elems.slice();
    if (x instanceof Dict) return x.keys();
    if (x instanceof StarSet) return x.elems();
  }
  const it = iterate(x);
  if (!it) return undefined;
  const out: Value[] = [];
  try {
    for (let v = it.next(); v !== undefined; v = it.next()) out.push(v);
  } finally {
    it.done();
  }
  return out;
}

// ---- binary operators ----

export type BinOp =
  '+' | '-' | '*' | '/' | '//' | '%' | '|' | '&' | '^' | '<<' | '>>' | 'in' | 'not in' | CompareOp;

function unknownBinary(op: string, x: Value, y: Value): EvalError {
  return new EvalError(`unknown binary op: ${typeOf(x)} ${op} ${typeOf(y)}`);
}

/** x op y for every binary operator except `and`/`or`. */
export function binary(op: BinOp, x: Value, y: Value): Value {
  switch (op) {
    case '==':
      return equals(x, y);
    case '!=':
      return !equals(x, y);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(op, x, y);
    case 'in':
      return contains(y, x);
    case 'not in':
      return !contains(y, x);
  }
  const n = binaryNumeric(op, x, y);
  if (n !== undefined) return n;
  const r = otherBinary(op, x, y);
  if (r !== undefined) return r;
  // Host types: the left operand is asked first, as in go.starlark.net.
  if (typeof x === 'object' && has(x, 'binary')) {
    const v = (x as unknown as HasBinary).binary(op, y, 'left');
    if (v !== undefined) return v;
  }
  if (typeof y === 'object' && has(y, 'binary')) {
    const v = (y as unknown as HasBinary).binary(op, x, 'right');
    if (v !== undefined) return v;
  }
  throw unknownBinary(op, x, y);
}

/**
 * Maximum number of elements a repetition (or a listed range) may produce.
 * go.starlark.net allows 2^30, but V8 aborts the whole process on arrays of
 * more than about 2^27 elements, so the limit is lower here.
 */
const MAX_REPEAT = 1 << 25;
/** Maximum length of a string or bytes a repetition may produce (near V8's limit). */
const MAX_REPEAT_STRING = (1 << 29) - 24;

/** Refuses sequences longer than MAX_REPEAT elements (see there); returns `elems`. */
export function checkLength<T>(n: number, elems: T): T {
  if (n > MAX_REPEAT) throw new EvalError(`sequence of ${n} elements is too large`);
  return elems;
}

function repeat<T>(
  n: number | bigint,
  size: number,
  make: (k: number) => T,
  limit = MAX_REPEAT,
): T {
  if (typeof n === 'bigint' || n > 0x7fffffff) throw new EvalError(`repeat count ${n} too large`);
  const k = size === 0 ? 0 : Math.max(0, n);
  if (k * size > limit) throw new EvalError(`excessive repeat (${size} * ${k} elements)`);
  return make(k);
}

function otherBinary(op: BinOp, x: Value, y: Value): Value | undefined {
  switch (op) {
    case '+':
      if (typeof x === 'string' && typeof y === 'string') return x + y;
      if (x instanceof List && y instanceof List) {
        return new List(x.elems.concat(checkLength(x.elems.length + y.elems.length, y.elems)));
      }
      if (x instanceof Tuple && y instanceof Tuple) {
        return makeTuple(x.elems.concat(checkLength(x.elems.length + y.elems.length, y.elems)));
      }
      if (x instanceof Bytes && y instanceof Bytes) return new Bytes(x.s + y.s);
      return undefined;
    case '-':
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const [k, v] of x.map) if (!y.map.has(k)) out.map.set(k, v);
        return out;
      }
      return undefined;
    case '*': {
      let seq = x;
      let n = y;
      if (typeof x === 'number' || typeof x === 'bigint') {
        seq = y;
        n = x;
      }
      if (typeof n !== 'number' && typeof n !== 'bigint') return undefined;
      if (typeof seq === 'string')
        return repeat(n, seq.length, (k) => seq.repeat(k), MAX_REPEAT_STRING);
      if (seq instanceof Bytes) {
        const s = seq.s;
        return repeat(n, s.length, (k) => new Bytes(s.repeat(k)), MAX_REPEAT_STRING);
      }
      if (seq instanceof List || seq instanceof Tuple) {
        const e = seq.elems;
        const isList = seq instanceof List;
        return repeat(n, e.length, (k) => {
          const out: Value[] = [];
          for (let i = 0; i < k; i++) for (const v of e) out.push(v);
          return isList ? new List(out) : makeTuple(out);
        });
      }
      return undefined;
    }
    case '%':
      if (typeof x === 'string') return percentFormat(x, y);
      return undefined;
    case '|':
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const [k, v] of x.map) out.map.set(k, v);
        for (const [k, v] of y.map) if (!out.map.has(k)) out.map.set(k, v);
        return out;
      }
      if (x instanceof Dict && y instanceof Dict) {
        const out = new Dict();
        out.copyFrom(x);
        for (const e of y.entries()) out.setUnchecked(e.k, e.v);
        return out;
      }
      return undefined;
    case '&':
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const [k, v] of x.map) if (y.map.has(k)) out.map.set(k, v);
        return out;
      }
      return undefined;
    case '^':
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const [k, v] of x.map) if (!y.map.has(k)) out.map.set(k, v);
        for (const [k, v] of y.map) if (!x.map.has(k)) out.map.set(k, v);
        return out;
      }
      return undefined;
  }
  return undefined;
}

/** x in container */
export function contains(container: Value, x: Value): boolean {
  if (typeof container === 'string') {
    if (typeof x !== 'string')
      throw new EvalError(`'in <string>' requires string as left operand, not ${typeOf(x)}`);
    return container.includes(x);
  }
  if (typeof container === 'object') {
    if (container instanceof List || container instanceof Tuple) {
      for (const e of container.elems) if (equals(e, x)) return true;
      return false;
    }
    if (container instanceof Dict || container instanceof StarSet) {
      let k;
      try {
        k = hashKey(x);
      } catch {
        return false; // an unhashable value is in no dict or set
      }
      return container.map.has(k);
    }
    if (container instanceof Range) {
      if (typeof x !== 'number') {
        if (x instanceof Float) return Number.isInteger(x.v) && rangeContains(container, x.v);
        if (typeof x === 'bigint') return false;
        throw new EvalError(`'in <range>' requires integer as left operand, not ${typeOf(x)}`);
      }
      return rangeContains(container, x);
    }
    if (container instanceof Bytes) {
      if (x instanceof Bytes) return container.s.includes(x.s);
      if (typeof x === 'number') {
        if (x < 0 || x > 255) throw new EvalError(`int in bytes: ${x} out of range`);
        return container.s.includes(String.fromCharCode(x));
      }
      throw new EvalError(`'in bytes' requires bytes or int as left operand, not ${typeOf(x)}`);
    }
    if (has(container, 'getKey')) return (container as unknown as Mapping).getKey(x) !== undefined;
    const it = iterate(container);
    if (it) {
      try {
        for (let v = it.next(); v !== undefined; v = it.next()) if (equals(v, x)) return true;
      } finally {
        it.done();
      }
      return false;
    }
  }
  throw unknownBinary('in', x, container);
}

function rangeContains(r: Range, x: number): boolean {
  if (r.step > 0 ? x < r.start || x >= r.stop : x > r.start || x <= r.stop) return false;
  return (x - r.start) % r.step === 0;
}

// ---- unary operators ----

export function unary(op: '-' | '+' | '~', x: Value): Value {
  const n = unaryNumeric(op, x);
  if (n !== undefined) return n;
  if (typeof x === 'object' && has(x, 'unary')) {
    const v = (x as unknown as { unary(op: string): Value | undefined }).unary(op);
    if (v !== undefined) return v;
  }
  throw new EvalError(`unknown unary op: ${op} ${typeOf(x)}`);
}

// ---- indexing and slicing ----

function outOfRange(i: number | bigint, n: number, x: Value): EvalError {
  if (n === 0) return new EvalError(`index ${i} out of range: empty ${typeOf(x)}`);
  return new EvalError(`${typeOf(x)} index ${i} out of range [${-n}:${n - 1}]`);
}

/** Converts an index value to a position in [0, n), with negative indices from the end. */
function seqIndex(x: Value, y: Value, n: number): number {
  if (typeof y !== 'number') {
    if (typeof y === 'bigint') throw outOfRange(y, n, x);
    throw new EvalError(`${typeOf(x)} index: got ${typeOf(y)}, want int`);
  }
  const i = y < 0 ? y + n : y;
  if (i < 0 || i >= n) throw outOfRange(y, n, x);
  return i;
}

export function getIndex(x: Value, y: Value): Value {
  if (typeof x === 'object') {
    if (x instanceof List || x instanceof Tuple) return x.elems[seqIndex(x, y, x.elems.length)];
    if (x instanceof Dict) {
      const v = x.get(y);
      if (v === undefined) throw new EvalError(`key ${repr(y)} not in dict`);
      return v;
    }
    if (x instanceof Range) return x.at(seqIndex(x, y, x.len));
    if (x instanceof Bytes) return new Bytes(x.s[seqIndex(x, y, x.s.length)]);
    if (has(x, 'getKey')) {
      const v = (x as unknown as Mapping).getKey(y);
      if (v === undefined) throw new EvalError(`key ${repr(y)} not in ${typeOf(x)}`);
      return v;
    }
    if (has(x, 'index') && has(x, 'len')) {
      const ix = x as unknown as Indexable;
      return ix.index(seqIndex(x, y, ix.len()));
    }
  } else if (typeof x === 'string') {
    return x[seqIndex(x, y, x.length)];
  }
  throw new EvalError(`unhandled index operation ${typeOf(x)}[${typeOf(y)}]`);
}

export function setIndex(x: Value, y: Value, v: Value): void {
  if (x instanceof List) {
    const i = seqIndex(x, y, x.elems.length);
    x.checkMutable('assign to element of');
    x.elems[i] = v;
    return;
  }
  if (x instanceof Dict) {
    x.set(y, v);
    return;
  }
  if (typeof x === 'object' && has(x, 'setKey')) {
    (x as unknown as { setKey(k: Value, v: Value): void }).setKey(y, v);
    return;
  }
  throw new EvalError(`${typeOf(x)} value does not support item assignment`);
}

function sliceArg(v: Value | undefined, what: string): number | undefined {
  if (v === undefined || (typeof v === 'object' && v.type === 'NoneType')) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  throw new EvalError(`invalid ${what}: got ${typeOf(v)}, want int`);
}

/** Resolves Python slice bounds to start, stop, step over a sequence of length n. */
export function sliceIndices(
  n: number,
  lo: Value | undefined,
  hi: Value | undefined,
  stepV: Value | undefined,
): [number, number, number] {
  const step = sliceArg(stepV, 'slice step') ?? 1;
  if (step === 0) throw new EvalError('zero is not a valid slice step');
  let start = sliceArg(lo, 'start index');
  let stop = sliceArg(hi, 'end index');
  if (step > 0) {
    start = start === undefined ? 0 : clampIndex(start, n, 0, n);
    stop = stop === undefined ? n : clampIndex(stop, n, 0, n);
  } else {
    start = start === undefined ? n - 1 : clampIndex(start, n, -1, n - 1);
    stop = stop === undefined ? -1 : clampIndex(stop, n, -1, n - 1);
  }
  return [start, stop, step];
}

function clampIndex(i: number, n: number, min: number, max: number): number {
  if (i < 0) i += n;
  return i < min ? min : i > max ? max : i;
}

function sliceArray<T>(a: ArrayLike<T>, start: number, stop: number, step: number): T[] {
  const out: T[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(a[i]);
  else for (let i = start; i > stop; i += step) out.push(a[i]);
  return out;
}

function sliceString(s: string, start: number, stop: number, step: number): string {
  if (step === 1) return start < stop ? s.slice(start, stop) : '';
  return sliceArray(s, start, stop, step).join('');
}

export function slice(
  x: Value,
  lo: Value | undefined,
  hi: Value | undefined,
  step: Value | undefined,
): Value {
  const n = len(x);
  if (typeof x === 'string') return sliceString(x, ...sliceIndices(n, lo, hi, step));
  if (x instanceof List) return new List(sliceArray(x.elems, ...sliceIndices(n, lo, hi, step)));
  if (x instanceof Tuple) return makeTuple(sliceArray(x.elems, ...sliceIndices(n, lo, hi, step)));
  if (x instanceof Bytes) return new Bytes(sliceString(x.s, ...sliceIndices(n, lo, hi, step)));
  if (x instanceof Range) {
    const [start, stop, st] = sliceIndices(n, lo, hi, step);
    const s = x.start + start * x.step;
    const e = x.start + stop * x.step;
    return new Range(s, e, x.step * st);
  }
  throw new EvalError(`invalid slice operand ${typeOf(x)}`);
}

export function isStarObject(v: Value): v is StarObject {
  return typeof v === 'object';
}
