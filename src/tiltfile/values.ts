// Starlark value types shared by several Tiltfile builtin families.

import { EvalError } from '../starlark/errors.js';
import { encodeUtf8 } from '../starlark/values/utf8.js';
import { StarObject, type HashKey, type Value } from '../starlark/values/value.js';

/**
 * Text produced by the Tiltfile's environment (file contents, command
 * output): what read_file, local and blob return. str(blob) is the text.
 */
export class Blob extends StarObject {
  constructor(
    /** Host text. */
    readonly text: string,
    /** Where the text came from, for messages (a path, or a command). */
    readonly source = '',
  ) {
    super();
  }
  get type() {
    return 'blob';
  }
  override truth() {
    return this.text.length > 0;
  }
  override hashKey(): HashKey {
    return '\u0104blob' + this.text;
  }
  repr(out: string[]) {
    out.push(encodeUtf8(this.text));
  }
  binary(op: string, other: Value, side: 'left' | 'right'): Value | undefined {
    // blob + string and string + blob concatenate, as in Tilt
    if (op !== '+') return undefined;
    const o =
      other instanceof Blob
        ? encodeUtf8(other.text)
        : typeof other === 'string'
          ? other
          : undefined;
    if (o === undefined) return undefined;
    const me = encodeUtf8(this.text);
    return new Blob(side === 'left' ? decode(me + o) : decode(o + me));
  }
}

function decode(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** A read-only record of fields (e.g. the id passed to workload_to_resource_function). */
export class Record_ extends StarObject {
  constructor(
    readonly typeName: string,
    readonly fields: Map<string, Value>,
  ) {
    super();
  }
  get type() {
    return this.typeName;
  }
  attr(name: string): Value | undefined {
    return this.fields.get(name);
  }
  attrNames(): string[] {
    return [...this.fields.keys()];
  }
  override hashKey(): HashKey {
    throw new EvalError(`unhashable type: ${this.typeName}`);
  }
  repr(out: string[]) {
    out.push(`<${this.typeName}>`);
  }
}
