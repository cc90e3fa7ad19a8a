// Methods of list, dict and set.

import { EvalError } from '../errors.js';
import { argSmallInt, noArgs, unpackPositional } from '../values/args.js';
import { equals } from '../values/compare.js';
import { checkLength, contains, elementsOf, iterate, len, methodTables } from '../values/ops.js';
import {
  Builtin,
  Dict,
  List,
  None,
  Range,
  StarSet,
  hashKey,
  makeTuple,
  typeOf,
  type BuiltinFn,
  type Kwargs,
  type Value,
} from '../values/value.js';

/** A method whose own errors are prefixed with its name, as go.starlark.net does. */
function method(name: string, fn: BuiltinFn): Builtin {
  return new Builtin(name, (thread, args, kwargs, self) => {
    try {
      return fn(thread, args, kwargs, self);
    } catch (e) {
      if (e instanceof EvalError && e.frames.length === 0 && !e.msg.startsWith(`${name}: `)) {
        throw new EvalError(`${name}: ${e.msg}`);
      }
      throw e;
    }
  });
}

function table(entries: Builtin[]): Map<string, Builtin> {
  return new Map(entries.map((b) => [b.name, b]));
}

// ---- list ----

function indexArg(fn: string, v: Value | undefined, n: number, dflt: number): number {
  if (v === undefined || v === None) return dflt;
  let i = argSmallInt(fn, 'index', v);
  if (i < 0) i += n;
  return Math.max(0, Math.min(n, i));
}

const listMethods = table([
  method('append', (_t, args, kwargs, self) => {
    const [x] = unpackPositional('append', args, kwargs, 1, 1);
    const l = self.recv as List;
    l.checkMutable('append to');
    l.elems.push(x);
    return None;
  }),
  method('clear', (_t, args, kwargs, self) => {
    noArgs('clear', args, kwargs);
    const l = self.recv as List;
    l.checkMutable('clear');
    l.elems.length = 0;
    return None;
  }),
  method('extend', (_t, args, kwargs, self) => {
    const [x] = unpackPositional('extend', args, kwargs, 1, 1);
    const l = self.recv as List;
    l.checkMutable('extend');
    const elems = typeof x === 'string' ? undefined : elementsOf(x);
    if (!elems) throw new EvalError(`got ${typeOf(x)}, want iterable`);
    checkLength(l.elems.length + elems.length, elems);
    for (const v of elems) l.elems.push(v);
    return None;
  }),
  method('index', (_t, args, kwargs, self) => {
    const [x, start, end] = unpackPositional('index', args, kwargs, 1, 3);
    const e = (self.recv as List).elems;
    const lo = indexArg('index', start, e.length, 0);
    const hi = indexArg('index', end, e.length, e.length);
    for (let i = lo; i < hi; i++) if (equals(e[i], x)) return i;
    throw new EvalError('value not in list');
  }),
  method('insert', (_t, args, kwargs, self) => {
    const [i, x] = unpackPositional('insert', args, kwargs, 2, 2);
    const l = self.recv as List;
    l.checkMutable('insert into');
    let at = argSmallInt('insert', 'index', i);
    const n = l.elems.length;
    if (at < 0) at += n;
    at = Math.max(0, Math.min(n, at));
    l.elems.splice(at, 0, x);
    return None;
  }),
  method('pop', (_t, args, kwargs, self) => {
    const [iv] = unpackPositional('pop', args, kwargs, 0, 1);
    const l = self.recv as List;
    const n = l.elems.length;
    const i0 = iv === undefined ? -1 : argSmallInt('pop', 'index', iv);
    const i = i0 < 0 ? i0 + n : i0;
    if (i < 0 || i >= n) {
      if (n === 0) throw new EvalError(`index ${i0} out of range: empty list`);
      throw new EvalError(`index ${i0} out of range [${-n}:${n - 1}]`);
    }
    l.checkMutable('pop from');
    return l.elems.splice(i, 1)[0];
  }),
  method('remove', (_t, args, kwargs, self) => {
    const [x] = unpackPositional('remove', args, kwargs, 1, 1);
    const l = self.recv as List;
    l.checkMutable('remove from');
    for (let i = 0; i < l.elems.length; i++) {
      if (equals(l.elems[i], x)) {
        l.elems.splice(i, 1);
        return None;
      }
    }
    throw new EvalError('element not found');
  }),
]);

// ---- dict ----

/** dict(...) and dict.update(...): a mapping or iterable of pairs, then keyword arguments. */
export function updateDict(d: Dict, args: Value[], kwargs: Kwargs): void {
  if (args.length === 1) {
    const x = args[0];
    if (x instanceof Dict) {
      if (d.size === 0 && !d.frozen) d.copyFrom(x);
      else for (const e of x.entries()) d.set(e.k, e.v);
    } else {
      const it = typeof x === 'string' ? undefined : iterate(x);
      if (!it) throw new EvalError(`got ${typeOf(x)}, want iterable`);
      try {
        let i = 0;
        for (let pair = it.next(); pair !== undefined; pair = it.next(), i++) {
          const n = len(pair);
          const elems = typeof pair === 'string' ? undefined : elementsOf(pair);
          if (!elems)
            throw new EvalError(
              `dictionary update sequence element #${i} is not iterable (${typeOf(pair)})`,
            );
          if (n < 0)
            throw new EvalError(
              `dictionary update sequence element #${i} has unknown length (${typeOf(pair)})`,
            );
          if (n !== 2)
            throw new EvalError(`dictionary update sequence element #${i} has length ${n}, want 2`);
          d.set(elems[0], elems[1]);
        }
      } finally {
        it.done();
      }
    }
  }
  const before = d.size;
  for (const [k, v] of kwargs) d.set(k, v);
  if (d.size < before + kwargs.length) {
    const seen = new Set<string>();
    for (const [k] of kwargs) {
      if (seen.has(k)) throw new EvalError(`duplicate keyword arg: ${JSON.stringify(k)}`);
      seen.add(k);
    }
  }
}

const dictMethods = table([
  method('clear', (_t, args, kwargs, self) => {
    noArgs('clear', args, kwargs);
    (self.recv as Dict).clear();
    return None;
  }),
  method('get', (_t, args, kwargs, self) => {
    const [k, d] = unpackPositional('get', args, kwargs, 1, 2);
    return (self.recv as Dict).get(k) ?? d ?? None;
  }),
  method('items', (_t, args, kwargs, self) => {
    noArgs('items', args, kwargs);
    const out: Value[] = [];
    for (const e of (self.recv as Dict).entries()) out.push(makeTuple([e.k, e.v]));
    return new List(out);
  }),
  method('keys', (_t, args, kwargs, self) => {
    noArgs('keys', args, kwargs);
    return new List((self.recv as Dict).keys());
  }),
  method('pop', (_t, args, kwargs, self) => {
    const [k, d] = unpackPositional('pop', args, kwargs, 1, 2);
    const v = (self.recv as Dict).delete(k);
    if (v !== undefined) return v;
    if (d !== undefined) return d;
    throw new EvalError('missing key');
  }),
  method('popitem', (_t, args, kwargs, self) => {
    noArgs('popitem', args, kwargs);
    const dict = self.recv as Dict;
    const first = dict.map.keys().next();
    if (first.done) throw new EvalError('empty dict');
    const k = dict.keyOf(first.value);
    const v = dict.delete(k)!;
    return makeTuple([k, v]);
  }),
  method('setdefault', (_t, args, kwargs, self) => {
    const [k, d] = unpackPositional('setdefault', args, kwargs, 1, 2);
    const dict = self.recv as Dict;
    const v = dict.get(k);
    if (v !== undefined) return v;
    const nv = d ?? None;
    dict.set(k, nv);
    return nv;
  }),
  method('update', (_t, args, kwargs, self) => {
    if (args.length > 1) throw new EvalError(`got ${args.length} arguments, want at most 1`);
    updateDict(self.recv as Dict, args, kwargs);
    return None;
  }),
  method('values', (_t, args, kwargs, self) => {
    noArgs('values', args, kwargs);
    return new List((self.recv as Dict).values());
  }),
]);

// ---- set ----

function iterableArgs(fn: string, args: Value[], kwargs: Kwargs): Value[][] {
  if (kwargs.length > 0) throw new EvalError(`${fn}: does not accept keyword arguments`);
  return args.map((a, i) => {
    const elems = typeof a === 'string' ? undefined : elementsOf(a);
    if (!elems) throw new EvalError(`${fn}: argument #${i + 1} is not iterable: ${typeOf(a)}`);
    return elems;
  });
}

function setOf(elems: Iterable<Value>): StarSet {
  const s = new StarSet();
  for (const v of elems) s.addUnchecked(v);
  return s;
}

function copySet(x: StarSet): StarSet {
  const s = new StarSet();
  for (const [k, v] of x.map) s.map.set(k, v);
  return s;
}

const setMethods = table([
  method('add', (_t, args, kwargs, self) => {
    const [x] = unpackPositional('add', args, kwargs, 1, 1);
    const s = self.recv as StarSet;
    hashKey(x);
    s.checkMutable('insert into');
    s.add(x);
    return None;
  }),
  method('clear', (_t, args, kwargs, self) => {
    noArgs('clear', args, kwargs);
    const s = self.recv as StarSet;
    if (s.size === 0) return None; // clearing an empty set mutates nothing, even if frozen
    s.checkMutable('clear');
    s.map.clear();
    return None;
  }),
  method('difference', (_t, args, kwargs, self) => {
    const out = copySet(self.recv as StarSet);
    for (const elems of iterableArgs('difference', args, kwargs))
      for (const v of elems) out.map.delete(hashKey(v));
    return out;
  }),
  method('discard', (_t, args, kwargs, self) => {
    const [x] = unpackPositional('discard', args, kwargs, 1, 1);
    const s = self.recv as StarSet;
    const k = hashKey(x);
    s.checkMutable('delete from');
    s.map.delete(k);
    return None;
  }),
  method('intersection', (_t, args, kwargs, self) => {
    let out = copySet(self.recv as StarSet);
    for (const elems of iterableArgs('intersection', args, kwargs)) {
      const other = setOf(elems);
      const next = new StarSet();
      for (const [k, v] of out.map) if (other.map.has(k)) next.map.set(k, v);
      out = next;
    }
    return out;
  }),
  method('issubset', (_t, args, kwargs, self) => {
    const [x] = unpackPositional('issubset', args, kwargs, 1, 1);
    const s = self.recv as StarSet;
    if (x instanceof Range) {
      // membership in a range is arithmetic: no need to build a set of it
      for (const v of s.map.values()) if (!contains(x, v)) return false;
      return true;
    }
    const other = x instanceof StarSet ? x : setOf(iterableArgs('issubset', [x], [])[0]);
    if (s.size > other.size) return false;
    for (const k of s.map.keys()) if (!other.map.has(k)) return false;
    return true;
  }),
  method('issuperset', (_t, args, kwargs, self) => {
    const [elems] = iterableArgs(
      'issuperset',
      unpackPositional('issuperset', args, kwargs, 1, 1),
      [],
    );
    const s = self.recv as StarSet;
    for (const v of elems) if (!s.map.has(hashKey(v))) return false;
    return true;
  }),
  method('pop', (_t, args, kwargs, self) => {
    noArgs('pop', args, kwargs);
    const s = self.recv as StarSet;
    s.checkMutable('delete from');
    const first = s.map.entries().next();
    if (first.done) throw new EvalError('empty set');
    s.map.delete(first.value[0]);
    return first.value[1];
  }),
  method('remove', (_t, args, kwargs, self) => {
    const [x] = unpackPositional('remove', args, kwargs, 1, 1);
    const s = self.recv as StarSet;
    const k = hashKey(x);
    s.checkMutable('delete from');
    if (!s.map.delete(k)) throw new EvalError('missing key');
    return None;
  }),
  method('symmetric_difference', (_t, args, kwargs, self) => {
    const [elems] = iterableArgs(
      'symmetric_difference',
      unpackPositional('symmetric_difference', args, kwargs, 1, 1),
      [],
    );
    const x = self.recv as StarSet;
    const y = setOf(elems);
    const out = new StarSet();
    for (const [k, v] of x.map) if (!y.map.has(k)) out.map.set(k, v);
    for (const [k, v] of y.map) if (!x.map.has(k)) out.map.set(k, v);
    return out;
  }),
  method('union', (_t, args, kwargs, self) => {
    const out = copySet(self.recv as StarSet);
    for (const elems of iterableArgs('union', args, kwargs))
      for (const v of elems) out.addUnchecked(v);
    return out;
  }),
  method('update', (_t, args, kwargs, self) => {
    const s = self.recv as StarSet;
    const all = iterableArgs('update', args, kwargs);
    s.checkMutable('insert into');
    for (const elems of all) for (const v of elems) s.add(v);
    return None;
  }),
]);

for (const [k, v] of listMethods) methodTables.list.set(k, v);
for (const [k, v] of dictMethods) methodTables.dict.set(k, v);
for (const [k, v] of setMethods) methodTables.set.set(k, v);

export { setOf };
