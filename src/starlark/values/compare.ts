// Equality and ordering of Starlark values.

import { EvalError } from '../errors.js';
import {
  Bytes,
  Dict,
  Float,
  List,
  Range,
  StarObject,
  StarSet,
  Tuple,
  typeOf,
  type Value,
} from './value.js';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Values that define their own comparison (structs, host types). */
export interface Comparable {
  /** Three-way comparison with a value of the same type, or undefined if unordered. */
  compareSameType(op: CompareOp, y: StarObject, depth: number): boolean;
}

const MAX_DEPTH = 10;

export function equals(x: Value, y: Value): boolean {
  if (x === y && typeof x !== 'object') return true;
  return equalDepth(x, y, MAX_DEPTH);
}

export function equalDepth(x: Value, y: Value, depth: number): boolean {
  if (typeof x !== 'object' || typeof y !== 'object') {
    if (typeof x === typeof y) return x === y;
    return compareMixed('==', x, y);
  }
  return compareDepth('==', x, y, depth);
}

/** x op y for any values. */
export function compare(op: CompareOp, x: Value, y: Value): boolean {
  return compareDepth(op, x, y, MAX_DEPTH);
}

function cmpResult(op: CompareOp, c: number): boolean {
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

function notImpl(op: CompareOp, x: Value, y: Value): EvalError {
  return new EvalError(`${typeOf(x)} ${op} ${typeOf(y)} not implemented`);
}

export function compareDepth(op: CompareOp, x: Value, y: Value, depth: number): boolean {
  const tx = typeof x;
  if (tx === typeof y) {
    switch (tx) {
      case 'number':
      case 'string':
      case 'bigint':
        return cmpResult(op, x < y ? -1 : x > y ? 1 : 0);
      case 'boolean':
        return cmpResult(op, (x as boolean) === (y as boolean) ? 0 : x ? 1 : -1);
    }
    if (tx === 'object' && Object.getPrototypeOf(x) === Object.getPrototypeOf(y)) {
      return compareSameType(op, x as StarObject, y as StarObject, depth);
    }
  }
  return compareMixed(op, x, y);
}

function compareMixed(op: CompareOp, x: Value, y: Value): boolean {
  // int and float compare numerically
  const nx = numeric(x);
  const ny = numeric(y);
  if (nx !== undefined && ny !== undefined) return cmpResult(op, cmpNumeric(nx, ny));
  if (op === '==') return false;
  if (op === '!=') return true;
  throw notImpl(op, x, y);
}

function numeric(v: Value): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Float) return v.v;
  return undefined;
}

/** Total order on ints and floats: NaN is above everything and equal to itself. */
export function cmpNumeric(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    const an = a !== a;
    const bn = b !== b;
    return an && bn ? 0 : an ? 1 : -1;
  }
  // at least one bigint: exact comparison
  if (typeof a === 'number' && a !== a) return 1;
  if (typeof b === 'number' && b !== b) return -1;
  if (typeof a === 'number' && !Number.isFinite(a)) return a > 0 ? 1 : -1;
  if (typeof b === 'number' && !Number.isFinite(b)) return b > 0 ? -1 : 1;
  const ba = typeof a === 'bigint' ? a : null;
  const bb = typeof b === 'bigint' ? b : null;
  if (ba !== null && bb !== null) return ba < bb ? -1 : ba > bb ? 1 : 0;
  // one finite float (maybe fractional) vs a bigint
  if (ba !== null) return -cmpFloatBig(b as number, ba);
  return cmpFloatBig(a as number, bb as bigint);
}

function cmpFloatBig(f: number, b: bigint): number {
  const fl = Math.floor(f);
  const bf = BigInt(fl);
  if (bf < b) return -1;
  if (bf > b) return 1;
  return f > fl ? 1 : 0;
}

function compareSameType(op: CompareOp, x: StarObject, y: StarObject, depth: number): boolean {
  if (x instanceof Float) return cmpResult(op, cmpNumeric(x.v, (y as Float).v));
  if (x instanceof List || x instanceof Tuple) {
    return compareSeq(op, x.elems, (y as List | Tuple).elems, depth);
  }
  if (x instanceof Bytes) {
    const a = x.s;
    const b = (y as Bytes).s;
    return cmpResult(op, a < b ? -1 : a > b ? 1 : 0);
  }
  if (x instanceof Dict) {
    if (op !== '==' && op !== '!=') throw notImpl(op, x, y);
    const eq = dictEqual(x, y as Dict, depth);
    return op === '==' ? eq : !eq;
  }
  if (x instanceof StarSet) {
    return compareSets(op, x, y as StarSet);
  }
  if (x instanceof Range) {
    if (op !== '==' && op !== '!=') throw notImpl(op, x, y);
    const eq = rangeEqual(x, y as Range);
    return op === '==' ? eq : !eq;
  }
  const c = x as StarObject & Partial<Comparable>;
  if (typeof c.compareSameType === 'function') return c.compareSameType(op, y, depth);
  // identity equality
  if (op === '==') return x === y;
  if (op === '!=') return x !== y;
  throw notImpl(op, x, y);
}

function compareSeq(op: CompareOp, a: Value[], b: Value[], depth: number): boolean {
  if (depth < 1) throw new EvalError('comparison exceeded maximum recursion depth');
  if ((op === '==' || op === '!=') && a.length !== b.length) return op === '!=';
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (!equalDepth(a[i], b[i], depth - 1)) {
      if (op === '==') return false;
      if (op === '!=') return true;
      return compareDepth(op, a[i], b[i], depth - 1);
    }
  }
  return cmpResult(op, a.length - b.length);
}

function dictEqual(x: Dict, y: Dict, depth: number): boolean {
  if (depth < 1) throw new EvalError('comparison exceeded maximum recursion depth');
  if (x.size !== y.size) return false;
  const ym = y.map;
  let eq = true;
  // forEach is the fastest way through a Map; once unequal, the rest is skipped cheaply.
  x.map.forEach((v, hk) => {
    if (!eq) return;
    const w = ym.get(hk);
    if (w === undefined || !equalDepth(v, w, depth - 1)) eq = false;
  });
  return eq;
}

function compareSets(op: CompareOp, x: StarSet, y: StarSet): boolean {
  const subset = (a: StarSet, b: StarSet) => {
    if (a.size > b.size) return false;
    for (const k of a.map.keys()) if (!b.map.has(k)) return false;
    return true;
  };
  switch (op) {
    case '==':
      return x.size === y.size && subset(x, y);
    case '!=':
      return !(x.size === y.size && subset(x, y));
    case '<=':
      return subset(x, y);
    case '>=':
      return subset(y, x);
    case '<':
      return x.size < y.size && subset(x, y);
    case '>':
      return y.size < x.size && subset(y, x);
  }
}

function rangeEqual(x: Range, y: Range): boolean {
  if (x.len !== y.len) return false;
  if (x.len === 0) return true;
  if (x.start !== y.start) return false;
  return x.len === 1 || x.step === y.step;
}

/** Three-way comparison for sorting; throws for unordered types. */
export function cmp(x: Value, y: Value): number {
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (compare('<', x, y)) return -1;
  if (compare('<', y, x)) return 1;
  return 0;
}
