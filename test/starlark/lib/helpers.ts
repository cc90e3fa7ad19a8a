// Helpers shared by the tests of the Starlark library modules.

import { expect } from 'vitest';
import { encodeUtf8 } from '../../../src/starlark/values/utf8.js';
import {
  Dict,
  Float,
  List,
  Tuple,
  type ThreadLike,
  type Value,
} from '../../../src/starlark/values/value.js';

/** A thread for builtins that never call back into Starlark. */
export const thread: ThreadLike = {
  call: () => {
    throw new Error('unexpected call');
  },
  print: () => {},
  locals: new Map(),
};

/** A Starlark string literal: JS text as UTF-8 bytes. */
export const u = encodeUtf8;
export const f = (x: number) => new Float(x);
export const list = (...xs: Value[]) => new List(xs);
export const tuple = (...xs: Value[]) => new Tuple(xs);

export function dict(...pairs: [Value, Value][]): Dict {
  const d = new Dict();
  for (const [k, v] of pairs) d.setUnchecked(k, v);
  return d;
}

/** Asserts that fn throws an error whose message matches re. */
export function fails(fn: () => unknown, re: string): void {
  let msg: string | undefined;
  try {
    fn();
  } catch (e) {
    msg = (e as Error).message;
  }
  expect(msg, `want error matching ${re}`).toBeDefined();
  expect(msg).toMatch(new RegExp(re));
}
