// Helpers called by generated code (see codegen.ts). Each is small so that
// V8 can inline it into the hot paths of the generated functions.

import { EvalError, type CallFrame, type Position } from '../errors.js';
import { compare, equals, type CompareOp } from '../values/compare.js';
import {
  binary,
  checkLength,
  elementsOf,
  getAttr,
  getIndex,
  iterate,
  setAttr,
  setIndex,
  slice,
  unary,
  type BinOp,
  type StarIterator,
} from '../values/ops.js';
import { nearest } from '../values/spell.js';
import {
  Builtin,
  Dict,
  List,
  None,
  Range,
  Tuple,
  makeTuple,
  repr,
  truth,
  typeOf,
  type Kwargs,
  type Value,
} from '../values/value.js';
import { Cell, StarFunction, bindArgs, callFunction, type Code } from './function.js';
import { call, callBuiltin, toEvalError, type Thread } from './thread.js';

/** Records the position of the active operation of one activation on an error passing through it. */
function locate(e: unknown, activation: unknown, name: string, pos: Position): EvalError {
  const err = toEvalError(e);
  if (err.lastActivation !== activation) {
    err.frames.push({ name, pos });
    err.lastActivation = activation;
  }
  return err;
}

function unboundLocal(name: string): never {
  throw new EvalError(`local variable ${name} referenced before assignment`);
}

function unboundGlobal(name: string): never {
  throw new EvalError(`global variable ${name} referenced before assignment`);
}

const noKwargs: Kwargs = [];

// Each call records its call site at the caller's depth, so that builtins can
// see the Starlark call stack (thread.callStack()); a store, no push and pop.

function callPositional(th: Thread, f: Value, args: Value[], site: CallFrame): Value {
  th.sites[th.depth] = site;
  if (f instanceof StarFunction) return callFunction(th, f, args, noKwargs);
  if (f instanceof Builtin) return callBuiltin(th, f, args, noKwargs);
  return call(th, f, args, noKwargs);
}

function callGeneral(th: Thread, f: Value, args: Value[], kwargs: Kwargs, site: CallFrame): Value {
  th.sites[th.depth] = site;
  return call(th, f, args, kwargs);
}

/** Appends the elements of `*x` to a call's arguments. */
function addStar(args: Value[], x: Value): void {
  const elems = typeof x === 'string' ? undefined : elementsOf(x);
  if (!elems) throw new EvalError(`argument after * must be iterable, not ${typeOf(x)}`);
  for (const v of elems) args.push(v);
}

/** Appends the entries of `**x` to a call's keyword arguments. */
function addStarStar(kwargs: Kwargs, x: Value): void {
  if (!(x instanceof Dict))
    throw new EvalError(`argument after ** must be a mapping, not ${typeOf(x)}`);
  for (const e of x.entries()) {
    if (typeof e.k !== 'string')
      throw new EvalError(`keywords must be strings, not ${typeOf(e.k)}`);
    kwargs.push([e.k, e.v]);
  }
}

/** A call site's memory of the last bound method, reused while the receiver is the same. */
export interface MethodCache {
  recv: Value | undefined;
  method: Value | undefined;
}

function getMethod(x: Value, name: string, cache: MethodCache): Value {
  if (cache.recv === x && cache.method !== undefined) return cache.method;
  const m = getAttr(x, name);
  if (m instanceof Builtin && m.recv === x) {
    cache.recv = x;
    cache.method = m;
  }
  return m;
}

/** Starts a for loop over x. */
function iter(x: Value): StarIterator {
  const it = iterate(x);
  if (!it) throw new EvalError(`${typeOf(x)} value is not iterable`);
  return it;
}

/** The n elements of x for a sequence assignment. */
function unpack(x: Value, n: number): Value[] {
  let elems: Value[] | undefined;
  if (x instanceof Tuple) elems = x.elems;
  else if (x instanceof List) elems = x.elems.slice();
  else if (typeof x !== 'string') elems = elementsOf(x);
  if (!elems) throw new EvalError(`got ${typeOf(x)} in sequence assignment`);
  if (elems.length !== n) {
    const which = elems.length > n ? 'too many' : 'too few';
    throw new EvalError(`${which} values to unpack (got ${elems.length}, want ${n})`);
  }
  return elems;
}

/** x op= y: lists extend in place and dicts update in place; otherwise x op y. */
function inplace(op: BinOp, x: Value, y: Value): Value {
  if (op === '+' && x instanceof List) {
    const items =
      y instanceof List || y instanceof Tuple
        ? y.elems.slice()
        : typeof y === 'object'
          ? elementsOf(y)
          : undefined;
    if (items) {
      x.checkMutable('apply += to');
      checkLength(x.elems.length + items.length, items);
      for (const v of items) x.elems.push(v);
      return x;
    }
  }
  if (op === '|' && x instanceof Dict && y instanceof Dict) {
    for (const e of y.entries()) x.set(e.k, e.v);
    return x;
  }
  return binary(op, x, y);
}

/** Inserts an entry of a dict literal. */
function dictPut(d: Dict, k: Value, v: Value): void {
  if (d.has(k)) throw new EvalError(`duplicate key: ${repr(k)}`);
  d.setUnchecked(k, v);
}

function makeFunction(code: Code, defaults: (Value | undefined)[], cells: Cell[]): StarFunction {
  return new StarFunction(code, defaults, cells);
}

/** Executes load(module, names...): the values of the names, in order. */
function load(th: Thread, module: string, names: string[]): Value[] {
  if (!th.loadHook) throw new EvalError('load not implemented by this application');
  let dict: Map<string, Value>;
  try {
    dict = th.load(module);
  } catch (e) {
    if (e instanceof EvalError && e.crossesLoad) throw e;
    // As go.starlark.net: the module's own backtrace is not kept, only its message.
    const msg = e instanceof EvalError ? e.msg : e instanceof Error ? e.message : String(e);
    throw new EvalError(`cannot load ${module}: ${msg}`);
  }
  return names.map((name) => {
    const v = dict.get(name);
    if (v === undefined) {
      let msg = `load: name ${name} not found in module ${module}`;
      const n = nearest(name, dict.keys());
      if (n) msg += ` (did you mean ${n}?)`;
      throw new EvalError(msg);
    }
    return v;
  });
}

function checkNoArgs(fn: StarFunction, args: Value[], kwargs: Kwargs): void {
  if (args.length + kwargs.length > 0) bindArgs(fn, args, kwargs);
}

export const runtime = {
  None,
  List,
  Dict,
  Range,
  Cell,
  tuple: makeTuple,
  truth,
  binary: (op: BinOp, x: Value, y: Value) => binary(op, x, y),
  compare: (op: CompareOp, x: Value, y: Value) => compare(op, x, y),
  equals,
  unary,
  getAttr,
  setAttr,
  getIndex,
  setIndex,
  slice,
  callPositional,
  callGeneral,
  addStar,
  addStarStar,
  getMethod,
  iter,
  unpack,
  inplace,
  dictPut,
  makeFunction,
  load,
  bindArgs,
  checkNoArgs,
  locate,
  unboundLocal,
  unboundGlobal,
};

export type Runtime = typeof runtime;
