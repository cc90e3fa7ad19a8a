// Starlark functions: compiled code, closures, frames and argument binding.

import { EvalError, type Position } from '../errors.js';
import type { FunctionInfo } from '../syntax/ast.js';
import {
  Dict,
  StarObject,
  makeTuple,
  repr,
  type HashKey,
  type Kwargs,
  type Value,
} from '../values/value.js';
import { callHooks, toEvalError, type Thread } from './thread.js';

/** A captured variable shared between a function and its closures. */
export class Cell {
  constructor(public v: Value | undefined) {}
}

/** Module-wide state shared by the functions of one file. */
export interface ModuleState {
  file: string;
  globals: (Value | undefined)[];
  globalNames: string[];
  recursion: boolean;
}

/** A compiled function body. */
export interface Code {
  info: FunctionInfo;
  module: ModuleState;
  /** Names of the named parameters, in slot order. */
  paramNames: string[];
  /** Runs one activation with the call's arguments; returns the result. */
  body: (th: Thread, fn: StarFunction, args: Value[], kwargs: Kwargs) => Value;
  /**
   * Activations of this body on the stack. Recursion is detected per body,
   * not per function value, so that closures made anew at each step count too.
   */
  active: number;
}

export class StarFunction extends StarObject {
  private frozen = false;
  constructor(
    readonly code: Code,
    /** Default values of the named parameters; undefined where required. */
    readonly defaults: (Value | undefined)[],
    readonly freevars: Cell[],
  ) {
    super();
  }
  get type() {
    return 'function';
  }
  get name() {
    return this.code.info.name;
  }
  get position(): Position {
    return {
      file: this.code.module.file,
      line: this.code.info.pos.line,
      col: this.code.info.pos.col,
    };
  }
  override hashKey(): HashKey {
    return this;
  }
  override freeze() {
    if (this.frozen) return;
    this.frozen = true;
    for (const d of this.defaults) if (d !== undefined && typeof d === 'object') d.freeze();
    for (const c of this.freevars) if (c.v !== undefined && typeof c.v === 'object') c.v.freeze();
  }
  repr(out: string[]) {
    out.push(`<function ${this.name}>`);
  }
}

export function isFunction(v: Value): v is StarFunction {
  return v instanceof StarFunction;
}

export function callFunction(
  thread: Thread,
  fn: StarFunction,
  args: Value[],
  kwargs: Kwargs,
): Value {
  const code = fn.code;
  if (++thread.steps >= thread.stepLimit) thread.checkSteps();
  if (code.active > 0 && !code.module.recursion) {
    throw new EvalError(`function ${fn.name} called recursively`);
  }
  if (thread.depth >= thread.maxDepth) throw new EvalError('Starlark stack overflow');
  thread.depth++;
  code.active++;
  try {
    return code.body(thread, fn, args, kwargs);
  } catch (e) {
    throw toEvalError(e);
  } finally {
    thread.depth--;
    code.active--;
  }
}

callHooks.callFunction = callFunction;
callHooks.isFunction = isFunction;

/**
 * Binds call arguments to the parameters, with go.starlark.net's messages:
 * the named parameters in order, then *args, then **kwargs.
 */
export function bindArgs(fn: StarFunction, args: Value[], kwargs: Kwargs): (Value | undefined)[] {
  const info = fn.code.info;
  const nparams = info.numParams;
  const name = fn.name;
  const locals = new Array<Value | undefined>(
    nparams + (info.hasVarargs ? 1 : 0) + (info.hasKwargs ? 1 : 0),
  );
  if (nparams === 0 && !info.hasVarargs && !info.hasKwargs) {
    const n = args.length + kwargs.length;
    if (n > 0) throw new EvalError(`function ${name} accepts no arguments (${n} given)`);
    return locals;
  }
  let kwdict: Dict | undefined;
  if (info.hasKwargs) {
    kwdict = new Dict();
    locals[nparams + (info.hasVarargs ? 1 : 0)] = kwdict;
  }
  const nonkwonly = nparams - info.numKwonly;
  let n = args.length;
  if (n > nonkwonly) {
    if (!info.hasVarargs) {
      const atMost = fn.defaults.slice(0, nonkwonly).some((d) => d !== undefined);
      throw new EvalError(
        `function ${name} accepts ${atMost ? 'at most ' : ''}${nonkwonly} positional argument${nonkwonly === 1 ? '' : 's'} (${args.length} given)`,
      );
    }
    n = nonkwonly;
  }
  for (let i = 0; i < n; i++) locals[i] = args[i];
  if (info.hasVarargs) locals[nparams] = makeTuple(args.slice(n));
  const names = fn.code.paramNames;
  for (const [k, v] of kwargs) {
    const i = names.indexOf(k);
    if (i >= 0) {
      if (locals[i] !== undefined) {
        throw new EvalError(`function ${name} got multiple values for parameter ${repr(k)}`);
      }
      locals[i] = v;
      continue;
    }
    if (!kwdict)
      throw new EvalError(`function ${name} got an unexpected keyword argument ${repr(k)}`);
    const before = kwdict.size;
    kwdict.setUnchecked(k, v);
    if (kwdict.size === before) {
      throw new EvalError(`function ${name} got multiple values for parameter ${repr(k)}`);
    }
  }
  if (n < nparams || info.numKwonly > 0) {
    const missing: string[] = [];
    for (let i = n; i < nparams; i++) {
      if (locals[i] !== undefined) continue;
      const d = fn.defaults[i];
      if (d === undefined) missing.push(names[i]);
      else locals[i] = d;
    }
    if (missing.length > 0) {
      throw new EvalError(
        `function ${name} missing ${missing.length} argument${missing.length > 1 ? 's' : ''} (${missing.join(', ')})`,
      );
    }
  }
  return locals;
}
