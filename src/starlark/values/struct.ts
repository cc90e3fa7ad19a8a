// struct: an immutable record of named fields, as in go.starlark.net's
// starlarkstruct. A struct may be branded by a constructor value (a symbol),
// which appears in its repr and must match for equality and `+`.

import { EvalError } from '../errors.js';
import type { CompareOp } from './compare.js';
import { equalDepth } from './compare.js';
import { nearest } from './spell.js';
import {
  StarObject,
  compositeKey,
  freeze,
  reprTo,
  str,
  type HashKey,
  type Value,
} from './value.js';

export class Struct extends StarObject {
  /** Fields sorted by name. */
  readonly fields: Map<string, Value>;
  constructor(
    readonly ctor: Value | undefined,
    fields: Iterable<[string, Value]>,
  ) {
    super();
    this.fields = new Map([...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  }
  get type() {
    return 'struct';
  }
  private frozen = false;
  override freeze() {
    if (this.frozen) return;
    this.frozen = true;
    for (const v of this.fields.values()) freeze(v);
  }
  override hashKey(): HashKey {
    return compositeKey('\u0101s' + [...this.fields.keys()].join(','), [...this.fields.values()]);
  }
  attr(name: string): Value | undefined {
    return this.fields.get(name);
  }
  attrNames(): string[] {
    return [...this.fields.keys()];
  }
  noSuchAttr(name: string): EvalError {
    const prefix = this.ctor === undefined ? '' : `${str(this.ctor)} `;
    let msg = `${prefix}struct has no .${name} attribute`;
    const n = nearest(name, this.fields.keys());
    if (n) msg += ` (did you mean .${n}?)`;
    return new EvalError(msg);
  }
  binary(op: string, other: Value, side: 'left' | 'right'): Value | undefined {
    if (op !== '+' || !(other instanceof Struct)) return undefined;
    const [x, y] = side === 'left' ? [this, other] : [other, this];
    if (x.ctor !== y.ctor) {
      throw new EvalError(
        `cannot add structs of different constructors: ${str(x.ctor!)} + ${str(y.ctor!)}`,
      );
    }
    return new Struct(x.ctor, [...x.fields, ...y.fields]);
  }
  compareSameType(op: CompareOp, y: StarObject, depth: number): boolean {
    const o = y as Struct;
    if (op !== '==' && op !== '!=')
      throw new EvalError(`${this.type} ${op} ${o.type} not implemented`);
    let eq = this.ctor === o.ctor && this.fields.size === o.fields.size;
    if (eq) {
      for (const [k, v] of this.fields) {
        const w = o.fields.get(k);
        if (w === undefined || !equalDepth(v, w, depth - 1)) {
          eq = false;
          break;
        }
      }
    }
    return op === '==' ? eq : !eq;
  }
  repr(out: string[], seen: StarObject[]) {
    out.push(this.ctor === undefined ? 'struct' : str(this.ctor));
    out.push('(');
    let first = true;
    for (const [k, v] of this.fields) {
      if (!first) out.push(', ');
      first = false;
      out.push(k, ' = ');
      reprTo(v, out, seen);
    }
    out.push(')');
  }
}

/** A value of type "symbol": prints as its name, equal only to itself; calling it makes branded structs. */
export class Symbol extends StarObject {
  constructor(readonly name: string) {
    super();
  }
  get type() {
    return 'symbol';
  }
  override hashKey(): HashKey {
    throw new EvalError('unhashable: symbol');
  }
  repr(out: string[]) {
    out.push(this.name);
  }
  callInternal(_thread: unknown, args: Value[], kwargs: [string, Value][]): Value {
    if (args.length > 0) throw new EvalError(`${this.name}: unexpected positional arguments`);
    return new Struct(this, kwargs);
  }
}

export function structFromKwargs(fnName: string, args: Value[], kwargs: [string, Value][]): Struct {
  if (args.length > 0) throw new EvalError(`${fnName}: unexpected positional arguments`);
  return new Struct(undefined, kwargs);
}
