// A thread of Starlark execution: call depth, step budget and cancellation,
// print and load hooks, and embedder-owned data.

import {
  CancelledError,
  EvalError,
  StarlarkSyntaxError,
  StarlarkSyntaxErrors,
  type CallFrame,
} from '../errors.js';
import { Builtin, typeOf, type Kwargs, type ThreadLike, type Value } from '../values/value.js';
import type { StarFunction } from './function.js';

/** Steps between two looks at the clock when a timeout is set. */
const CLOCK_STEPS = 100_000;

export type LoadFn = (thread: Thread, module: string) => Map<string, Value>;

export interface ThreadOptions {
  name?: string;
  print?: (thread: Thread, msg: string) => void;
  load?: LoadFn;
  /** Abort with an error after this many steps (loop iterations and calls). */
  maxSteps?: number;
  /** Abort with an error once this much wall-clock time (ms) has passed. */
  timeoutMs?: number;
  /** Maximum depth of nested Starlark calls. */
  maxDepth?: number;
}

/** Functions that know how to be called (set by eval/function.ts to avoid an import cycle). */
export const callHooks = {
  callFunction: undefined as unknown as (
    thread: Thread,
    fn: StarFunction,
    args: Value[],
    kwargs: Kwargs,
  ) => Value,
  isFunction: undefined as unknown as (v: Value) => v is StarFunction,
};

export class Thread implements ThreadLike {
  readonly name: string;
  printHook: (thread: Thread, msg: string) => void;
  loadHook?: LoadFn;
  readonly locals = new Map<string, unknown>();
  /**
   * Call sites by depth: sites[d] is where the function running at depth d
   * made its latest call (entries beyond the current depth are stale).
   */
  readonly sites: CallFrame[] = [];
  depth = 0;
  maxDepth: number;
  steps = 0;
  maxSteps: number;
  /** steps value at which checkSteps() runs next. */
  stepLimit: number;
  private cancelReason: string | undefined;
  private readonly deadline: number | undefined;

  constructor(opts: ThreadOptions = {}) {
    this.name = opts.name ?? 'main';
    this.printHook =
      opts.print ?? ((_t, msg) => process.stdout.write(Buffer.from(msg + '\n', 'latin1')));
    this.loadHook = opts.load;
    this.maxSteps = opts.maxSteps ?? Infinity;
    if (opts.timeoutMs !== undefined) this.deadline = Date.now() + opts.timeoutMs;
    // Python's default recursion limit; deeper Starlark calls would exhaust
    // the JavaScript stack of a default Node process.
    this.maxDepth = opts.maxDepth ?? 1000;
    this.stepLimit = this.nextLimit();
  }

  /**
   * The Starlark call stack, outermost first: for each active call, the
   * calling function and the position of the call, as in a backtrace.
   */
  callStack(): CallFrame[] {
    return this.sites.slice(1, this.depth + 1);
  }

  /** Requests that the running program stop at its next step. */
  cancel(reason: string) {
    this.cancelReason = reason;
    this.stepLimit = 0;
  }

  checkSteps(): void {
    if (this.cancelReason !== undefined) throw new CancelledError(this.cancelReason);
    if (this.steps >= this.maxSteps) {
      throw new EvalError(`Starlark computation cancelled: too many steps`);
    }
    if (this.deadline !== undefined && Date.now() > this.deadline) {
      throw new CancelledError('timed out');
    }
    this.stepLimit = this.nextLimit();
  }

  /** With a deadline, the clock is looked at every CLOCK_STEPS steps. */
  private nextLimit(): number {
    if (this.deadline === undefined) return this.maxSteps;
    return Math.min(this.maxSteps, this.steps + CLOCK_STEPS);
  }

  print(msg: string): void {
    this.printHook(this, msg);
  }

  load(module: string): Map<string, Value> {
    if (!this.loadHook) throw new EvalError('load not implemented by this application');
    return this.loadHook(this, module);
  }

  call(fn: Value, args: Value[], kwargs: Kwargs): Value {
    return call(this, fn, args, kwargs);
  }
}

/** Calls any callable value. */
export function call(thread: Thread, fn: Value, args: Value[], kwargs: Kwargs): Value {
  if (callHooks.isFunction(fn)) return callHooks.callFunction(thread, fn, args, kwargs);
  if (fn instanceof Builtin) return callBuiltin(thread, fn, args, kwargs);
  if (
    typeof fn === 'object' &&
    typeof (fn as unknown as { callInternal?: unknown }).callInternal === 'function'
  ) {
    const c = fn as unknown as {
      name: string;
      callInternal(t: Thread, a: Value[], k: Kwargs): Value;
    };
    try {
      return c.callInternal(thread, args, kwargs);
    } catch (e) {
      throw builtinFrame(e, c.name);
    }
  }
  throw new EvalError(`invalid call of non-function (${typeOf(fn)})`);
}

export function callBuiltin(thread: Thread, fn: Builtin, args: Value[], kwargs: Kwargs): Value {
  // A call is a step, so that a cancellation is seen before the next builtin runs.
  if (++thread.steps >= thread.stepLimit) thread.checkSteps();
  try {
    return fn.fn(thread, args, kwargs, fn);
  } catch (e) {
    throw builtinFrame(e, fn.name);
  }
}

/** Records that an error passed through a builtin's frame. */
function builtinFrame(e: unknown, name: string): unknown {
  const err = toEvalError(e);
  err.frames.push({ name });
  err.lastActivation = undefined;
  return err;
}

/** Converts a JavaScript exception into a Starlark error. */
export function toEvalError(e: unknown): EvalError {
  if (e instanceof EvalError) return e;
  if (e instanceof StarlarkSyntaxError || e instanceof StarlarkSyntaxErrors)
    return new EvalError(e.message);
  // Near the stack's end even a regexp can overflow again: test plainly.
  if (e instanceof RangeError && e.message.startsWith('Maximum call stack')) {
    return new EvalError('Starlark stack overflow');
  }
  const err = new EvalError(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  if (e instanceof Error) err.cause = e;
  return err;
}
