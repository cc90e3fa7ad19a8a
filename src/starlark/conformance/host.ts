// Host values and builtins that the conformance suite expects its embedder
// to predeclare: hasfields, fibonacci, gensym, and assert.star's helpers.

import { EvalError } from '../errors.js';
import { call, toEvalError, type Thread } from '../eval/thread.js';
import { noArgs, unpackArgs, unpackPositional } from '../values/args.js';
import type { StarIterator } from '../values/ops.js';
import { nearest } from '../values/spell.js';
import { Symbol } from '../values/struct.js';
import { decodeUtf8 } from '../values/utf8.js';
import {
  Builtin,
  Float,
  None,
  StarObject,
  freeze,
  reprTo,
  str,
  type HashKey,
  type Value,
} from '../values/value.js';

/** An application-defined type with settable fields. */
export class HasFields extends StarObject {
  frozen = false;
  readonly fields = new Map<string, Value>();
  get type() {
    return 'hasfields';
  }
  override hashKey(): HashKey {
    return '\u0103hasfields';
  }
  override freeze() {
    if (!this.frozen) {
      this.frozen = true;
      for (const v of this.fields.values()) freeze(v);
    }
  }
  repr(out: string[]) {
    out.push('hasfields');
  }
  attr(name: string): Value | undefined {
    return this.fields.get(name);
  }
  attrNames(): string[] {
    return [...this.fields.keys()];
  }
  setField(name: string, v: Value): void {
    if (name.startsWith('no')) {
      let msg = `hasfields has no .${name} field or method`;
      const n = nearest(name, this.fields.keys());
      if (n) msg += ` (did you mean .${n}?)`;
      throw new EvalError(msg);
    }
    if (this.frozen) throw new EvalError('cannot set field on a frozen hasfields');
    this.fields.set(name, v);
  }
  binary(op: string, _other: Value, side: 'left' | 'right'): Value | undefined {
    return op === '+' && side === 'right' ? 42 : undefined;
  }
}

/** The infinite Fibonacci sequence: iterable, unhashable. */
export class Fibonacci extends StarObject {
  get type() {
    return 'fib';
  }
  override hashKey(): HashKey {
    throw new EvalError('fib is unhashable');
  }
  repr(out: string[]) {
    out.push('fib');
  }
  iterate(): StarIterator {
    let a = 0;
    let b = 1;
    return {
      next: () => {
        const v = a;
        [a, b] = [b, a + b];
        return v;
      },
      done: () => {},
    };
  }
}

/** Host builtins of the suite. `onError` records a failure reported by the program. */
export function hostBuiltins(onError: (thread: Thread, msg: string) => void): Map<string, Value> {
  const m = new Map<string, Value>();
  const add = (b: Builtin, name = b.name) => m.set(name, b);
  add(
    new Builtin('hasfields', (_t, args, kwargs) => {
      if (args.length > 0 || kwargs.length > 0)
        throw new EvalError('hasfields: unexpected arguments');
      return new HasFields();
    }),
  );
  m.set('fibonacci', new Fibonacci());
  add(
    new Builtin('gensym', (_t, args, kwargs) => {
      const [name] = unpackArgs('gensym', args, kwargs, ['name']);
      return new Symbol(str(name!));
    }),
  );
  add(
    new Builtin('error', (thread, args, kwargs) => {
      const [msg] = unpackPositional('error', args, kwargs, 1, 1);
      onError(thread as Thread, str(msg));
      return None;
    }),
  );
  add(
    new Builtin('catch', (thread, args, kwargs) => {
      const [f] = unpackPositional('catch', args, kwargs, 1, 1);
      try {
        call(thread as Thread, f, [], []);
        return None;
      } catch (e) {
        return toEvalError(e).msg;
      }
    }),
  );
  add(
    new Builtin('matches', (_t, args, kwargs) => {
      const [pattern, s] = unpackPositional('matches', args, kwargs, 2, 2);
      return goRegExp(str(pattern)).test(decodeUtf8(str(s)));
    }),
  );
  add(
    new Builtin('freeze', (_t, args, kwargs) => {
      const [x] = unpackPositional('freeze', args, kwargs, 1, 1);
      freeze(x);
      return x;
    }),
    '_freeze',
  );
  add(
    new Builtin('_floateq', (_t, args, kwargs) => {
      const [x, y] = unpackPositional('floateq', args, kwargs, 2, 2);
      if (!(x instanceof Float) || !(y instanceof Float))
        throw new EvalError('floateq: want floats');
      return floatEq(x.v, y.v);
    }),
  );
  return m;
}

/** Equality within one unit in the last place. */
function floatEq(a: number, b: number): boolean {
  if (a === b) return true;
  if (a !== a || b !== b) return a !== a && b !== b;
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a);
  buf.setFloat64(8, b);
  const ia = buf.getBigInt64(0);
  const ib = buf.getBigInt64(8);
  const d = ia - ib;
  return d >= -1n && d <= 1n;
}

/** A JavaScript RegExp for an RE2 pattern from the suite (decoded to text). */
export function goRegExp(pattern: string): RegExp {
  return new RegExp(decodeUtf8(pattern));
}

export function reprOf(v: Value): string {
  const out: string[] = [];
  reprTo(v, out, []);
  return out.join('');
}

export { noArgs };
