// The universe: builtins visible in every Starlark file.

import { EvalError } from '../errors.js';
import { call } from '../eval/thread.js';
import type { Thread } from '../eval/thread.js';
import { argSmallInt, argString, badArg, unpackArgs, unpackPositional } from '../values/args.js';
import { cmp, compare } from '../values/compare.js';
import {
  attrNames,
  elementsOf,
  getAttr,
  hasAttr,
  iterate,
  len,
  type StarIterator,
} from '../values/ops.js';
import { Struct } from '../values/struct.js';
import { RUNE_ERROR, decodeRune, encodeRune } from '../values/utf8.js';
import {
  Builtin,
  Bytes,
  Dict,
  Float,
  List,
  Module,
  None,
  Range,
  StarSet,
  Tuple,
  makeTuple,
  repr,
  str,
  truth,
  typeOf,
  type BuiltinFn,
  type Kwargs,
  type Value,
} from '../values/value.js';
import { floatToInt, intToFloat, parseFloatLiteral, parseIntLiteral } from './numbers.js';
import { setOf, updateDict } from './methods.js';

function iterableArg(fn: string, param: string | number, v: Value): Value[] {
  const elems = typeof v === 'string' ? undefined : elementsOf(v);
  if (!elems) throw badArg(fn, param, v, 'iterable');
  return elems;
}

/** A non-negative int32 for range and similar (go's AsInt32). */
function int32Arg(fn: string, param: string, v: Value): number {
  if (typeof v === 'bigint' || (typeof v === 'number' && (v > 0x7fffffff || v < -0x80000000))) {
    throw new EvalError(
      `${fn}: for parameter ${param}: ${v} out of range (want value in signed 32-bit range)`,
    );
  }
  return argSmallInt(fn, param, v);
}

function minmax(name: 'min' | 'max'): BuiltinFn {
  return (thread, args, kwargs) => {
    let key: Value | undefined;
    let dflt: Value | undefined;
    for (const [k, v] of kwargs) {
      if (k === 'key') key = v;
      else if (k === 'default') dflt = v;
      else {
        let msg = `${name}: unexpected keyword argument ${k}`;
        if (k.length > 1 && 'key'.startsWith(k.slice(0, 2))) msg += ' (did you mean key?)';
        throw new EvalError(msg);
      }
    }
    if (key === None) key = undefined;
    if (args.length === 0) throw new EvalError(`${name} requires at least one positional argument`);
    const elems = args.length === 1 ? elementsOf(args[0]) : args;
    if (!elems) throw new EvalError(`${name}: ${typeOf(args[0])} value is not iterable`);
    if (elems.length === 0) {
      if (dflt !== undefined) return dflt;
      throw new EvalError(`${name}: argument is an empty sequence`);
    }
    const keyOf = (v: Value) => (key === undefined ? v : call(thread as Thread, key, [v], []));
    let best = elems[0];
    let bestKey = keyOf(best);
    for (let i = 1; i < elems.length; i++) {
      const k = keyOf(elems[i]);
      const c = cmp(k, bestKey);
      if (name === 'min' ? c < 0 : c > 0) {
        best = elems[i];
        bestKey = k;
      }
    }
    return best;
  };
}

/** s with each byte of an invalid UTF-8 sequence replaced by U+FFFD. */
function validUtf8(s: string): string {
  if (!/[\x80-\xff]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length;) {
    const [r, size] = decodeRune(s, i);
    out += r === RUNE_ERROR && size === 1 ? '\xef\xbf\xbd' : s.slice(i, i + size);
    i += size;
  }
  return out;
}

/** Java's String.hashCode over the UTF-16 code units of the decoded string. */
function javaStringHash(s: string): number {
  const u16 = Buffer.from(s, 'latin1').toString('utf8');
  let h = 0;
  for (let i = 0; i < u16.length; i++) h = (Math.imul(h, 31) + u16.charCodeAt(i)) | 0;
  return h;
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const builtins: Record<string, BuiltinFn> = {
  abs(_t, args, kwargs) {
    const [x] = unpackPositional('abs', args, kwargs, 1, 1);
    if (typeof x === 'number') return Math.abs(x);
    if (typeof x === 'bigint') return x < 0n ? -x : x;
    if (x instanceof Float) return new Float(Math.abs(x.v));
    throw new EvalError(`got ${typeOf(x)}, want int or float`);
  },
  any(_t, args, kwargs) {
    const [x] = unpackPositional('any', args, kwargs, 1, 1);
    for (const v of iterableArg('any', 1, x)) if (truth(v)) return true;
    return false;
  },
  all(_t, args, kwargs) {
    const [x] = unpackPositional('all', args, kwargs, 1, 1);
    for (const v of iterableArg('all', 1, x)) if (!truth(v)) return false;
    return true;
  },
  bool(_t, args, kwargs) {
    const [x] = unpackPositional('bool', args, kwargs, 0, 1);
    return x === undefined ? false : truth(x);
  },
  bytes(_t, args, kwargs) {
    const [x] = unpackPositional('bytes', args, kwargs, 1, 1);
    if (typeof x === 'string') return new Bytes(validUtf8(x));
    if (x instanceof Bytes) return x;
    const elems = elementsOf(x);
    if (!elems)
      throw new EvalError(`bytes: got ${typeOf(x)}, want string, bytes, or iterable of ints`);
    let s = '';
    elems.forEach((v, i) => {
      if (typeof v !== 'number' && typeof v !== 'bigint') {
        throw new EvalError(`bytes: at index ${i}, got ${typeOf(v)}, want int`);
      }
      if (typeof v === 'bigint' || v < 0 || v > 255) {
        throw new EvalError(
          `bytes: at index ${i}, ${v} out of range (want value in unsigned 8-bit range)`,
        );
      }
      s += String.fromCharCode(v);
    });
    return new Bytes(s);
  },
  chr(_t, args, kwargs) {
    const [x] = unpackPositional('chr', args, kwargs, 1, 1);
    if (typeof x !== 'number' && typeof x !== 'bigint')
      throw new EvalError(`chr: got ${typeOf(x)}, want int`);
    if (x < 0) throw new EvalError(`chr: Unicode code point ${x} out of range (<0)`);
    if (x > 0x10ffff) {
      throw new EvalError(
        `chr: Unicode code point U+${x.toString(16).toUpperCase()} out of range (>0x10FFFF)`,
      );
    }
    return encodeRune(Number(x));
  },
  dict(_t, args, kwargs) {
    if (args.length > 1) throw new EvalError(`dict: got ${args.length} arguments, want at most 1`);
    const d = new Dict();
    try {
      updateDict(d, args, kwargs);
    } catch (e) {
      if (e instanceof EvalError && e.frames.length === 0) throw new EvalError(`dict: ${e.msg}`);
      throw e;
    }
    return d;
  },
  dir(_t, args, kwargs) {
    const [x] = unpackPositional('dir', args, kwargs, 1, 1);
    return new List(attrNames(x));
  },
  enumerate(_t, args, kwargs) {
    const [x, start] = unpackArgs('enumerate', args, kwargs, ['iterable', 'start?']);
    const s = start === undefined ? 0 : argSmallInt('enumerate', 'start', start);
    const elems = iterableArg('enumerate', 'iterable', x!);
    return new List(elems.map((v, i) => makeTuple([s + i, v])));
  },
  fail(_t, args, kwargs) {
    let sep = ' ';
    for (const [k, v] of kwargs) {
      if (k !== 'sep') throw new EvalError(`fail: unexpected keyword argument ${k}`);
      sep = argString('fail', 'sep', v);
    }
    throw new EvalError(`fail: ${args.map((a) => str(a)).join(sep)}`);
  },
  float(_t, args, kwargs) {
    const [x] = unpackPositional('float', args, kwargs, 0, 1);
    if (x === undefined) return new Float(0);
    if (typeof x === 'boolean') return new Float(x ? 1 : 0);
    if (typeof x === 'number' || typeof x === 'bigint') return new Float(intToFloat(x));
    if (x instanceof Float) return x;
    if (typeof x === 'string') return new Float(parseFloatLiteral(x));
    throw new EvalError(`float: got ${typeOf(x)}, want number or string`);
  },
  getattr(_t, args, kwargs) {
    const [x, name, dflt] = unpackPositional('getattr', args, kwargs, 2, 3);
    const n = argString('getattr', 'name', name);
    try {
      return getAttr(x, n);
    } catch (e) {
      if (dflt !== undefined) return dflt;
      throw e;
    }
  },
  hasattr(_t, args, kwargs) {
    const [x, name] = unpackPositional('hasattr', args, kwargs, 2, 2);
    return hasAttr(x, argString('hasattr', 'name', name));
  },
  hash(_t, args, kwargs) {
    const [x] = unpackPositional('hash', args, kwargs, 1, 1);
    if (typeof x === 'string') return javaStringHash(x);
    if (x instanceof Bytes) return fnv32a(x.s);
    throw new EvalError(`hash: got ${typeOf(x)}, want string or bytes`);
  },
  int(_t, args, kwargs) {
    const [x, base] = unpackArgs('int', args, kwargs, ['x', 'base?']);
    const b = base === undefined ? undefined : argSmallInt('int', 'base', base);
    if (typeof x === 'string') return parseIntLiteral(x, b);
    if (b !== undefined) throw new EvalError("int: can't convert non-string with explicit base");
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (typeof x === 'number' || typeof x === 'bigint') return x;
    if (x instanceof Float) {
      try {
        return floatToInt(x.v);
      } catch (e) {
        if (e instanceof EvalError) throw new EvalError(`int: ${e.msg}`);
        throw e;
      }
    }
    throw new EvalError(`int: got ${typeOf(x!)}, want int, float, or string`);
  },
  len(_t, args, kwargs) {
    const [x] = unpackPositional('len', args, kwargs, 1, 1);
    const n = len(x);
    if (n < 0) throw new EvalError(`len: value of type ${typeOf(x)} has no len`);
    return n;
  },
  list(_t, args, kwargs) {
    const [x] = unpackPositional('list', args, kwargs, 0, 1);
    return new List(x === undefined ? [] : iterableArg('list', 1, x));
  },
  max: minmax('max'),
  min: minmax('min'),
  ord(_t, args, kwargs) {
    const [x] = unpackPositional('ord', args, kwargs, 1, 1);
    if (typeof x === 'string') {
      const [r, size] = decodeRune(x, 0);
      if (x.length === 0 || size !== x.length) {
        let n = 0;
        for (let i = 0; i < x.length; n++) i += decodeRune(x, i)[1];
        throw new EvalError(`ord: string encodes ${n} Unicode code points, want 1`);
      }
      return r;
    }
    if (x instanceof Bytes) {
      if (x.s.length !== 1) throw new EvalError(`ord: bytes has length ${x.s.length}, want 1`);
      return x.s.charCodeAt(0);
    }
    throw new EvalError(`ord: got ${typeOf(x)}, want string or bytes`);
  },
  print(thread, args, kwargs) {
    let sep = ' ';
    for (const [k, v] of kwargs) {
      if (k !== 'sep') throw new EvalError(`print: unexpected keyword argument ${k}`);
      sep = argString('print', 'sep', v);
    }
    thread.print(args.map((a) => str(a)).join(sep));
    return None;
  },
  range(_t, args, kwargs) {
    const [a, b, c] = unpackPositional('range', args, kwargs, 1, 3);
    let start = 0;
    let stop: number;
    let step = 1;
    if (b === undefined) stop = int32Arg('range', 'stop', a);
    else {
      start = int32Arg('range', 'start', a);
      stop = int32Arg('range', 'stop', b);
      if (c !== undefined) step = int32Arg('range', 'step', c);
    }
    if (step === 0) throw new EvalError('range: step argument must not be zero');
    return new Range(start, stop, step);
  },
  repr(_t, args, kwargs) {
    const [x] = unpackPositional('repr', args, kwargs, 1, 1);
    return repr(x);
  },
  reversed(_t, args, kwargs) {
    const [x] = unpackPositional('reversed', args, kwargs, 1, 1);
    return new List(iterableArg('reversed', 'iterable', x).reverse());
  },
  set(_t, args, kwargs) {
    const [x] = unpackPositional('set', args, kwargs, 0, 1);
    return x === undefined ? new StarSet() : setOf(iterableArg('set', 'iterable', x));
  },
  sorted(thread, args, kwargs) {
    const [x, key, reverse] = unpackArgs('sorted', args, kwargs, ['iterable', 'key?', 'reverse?']);
    const elems = iterableArg('sorted', 'iterable', x!);
    if (key !== undefined && !isCallable(key)) throw badArg('sorted', 'key', key, 'callable');
    const keys = key === undefined ? elems : elems.map((v) => call(thread as Thread, key, [v], []));
    const rev = reverse !== undefined && truth(reverse);
    const idx = mergeSort(
      elems.map((_, i) => i),
      (i, j) => (rev ? compare('<', keys[j], keys[i]) : compare('<', keys[i], keys[j])),
    );
    return new List(idx.map((i) => elems[i]));
  },
  str(_t, args, kwargs) {
    const [x] = unpackPositional('str', args, kwargs, 1, 1);
    if (x instanceof Bytes) return validUtf8(x.s);
    return str(x);
  },
  tuple(_t, args, kwargs) {
    const [x] = unpackPositional('tuple', args, kwargs, 0, 1);
    if (x === undefined) return makeTuple([]);
    if (x instanceof Tuple) return x;
    return makeTuple(iterableArg('tuple', 1, x));
  },
  type(_t, args, kwargs) {
    const [x] = unpackPositional('type', args, kwargs, 1, 1);
    return typeOf(x);
  },
  zip(_t, args, kwargs) {
    if (kwargs.length > 0) throw new EvalError('zip: unexpected keyword arguments');
    const seqs: StarIterator[] = [];
    const out: Value[] = [];
    try {
      args.forEach((a, i) => {
        const it = typeof a === 'string' ? undefined : iterate(a);
        if (!it) throw new EvalError(`zip: argument #${i + 1} is not iterable: ${typeOf(a)}`);
        seqs.push(it);
      });
      if (seqs.length > 0) {
        for (;;) {
          const row: Value[] = [];
          for (const it of seqs) {
            const v = it.next();
            if (v === undefined) return new List(out);
            row.push(v);
          }
          out.push(makeTuple(row));
        }
      }
    } finally {
      for (const it of seqs) it.done();
    }
    return new List(out);
  },
};

/** Stable top-down merge sort; `less(b, a)` is asked with the later element first. */
function mergeSort<T>(a: T[], less: (x: T, y: T) => boolean): T[] {
  if (a.length < 2) return a;
  const mid = a.length >> 1;
  const l = mergeSort(a.slice(0, mid), less);
  const r = mergeSort(a.slice(mid), less);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < l.length && j < r.length) out.push(less(r[j], l[i]) ? r[j++] : l[i++]);
  while (i < l.length) out.push(l[i++]);
  while (j < r.length) out.push(r[j++]);
  return out;
}

function isCallable(v: Value): boolean {
  if (typeof v !== 'object') return false;
  return (
    v.type === 'function' ||
    v instanceof Builtin ||
    typeof (v as unknown as { callInternal?: unknown }).callInternal === 'function'
  );
}

/** struct(**kwargs) */
const structBuiltin = new Builtin('struct', (_t, args, kwargs) => {
  if (args.length > 0) throw new EvalError('struct: unexpected positional arguments');
  return new Struct(undefined, kwargs);
});

/** module(name, **kwargs): a module value with the given members. */
const moduleBuiltin = new Builtin('module', (_t, args, kwargs: Kwargs) => {
  const [name] = unpackPositional('module', args, [], 1, 1);
  return new Module(argString('module', 'name', name), new Map(kwargs));
});

export function makeUniverse(): Map<string, Value> {
  const u = new Map<string, Value>();
  u.set('None', None);
  u.set('True', true);
  u.set('False', false);
  for (const [name, fn] of Object.entries(builtins)) u.set(name, new Builtin(name, fn));
  return u;
}

export const UNIVERSE = makeUniverse();
export { structBuiltin, moduleBuiltin };
