// The embedding API: parse, resolve, compile and run a Starlark file.

import { StarlarkSyntaxError } from './errors.js';
import { compileFile } from './eval/codegen.js';
import { callFunction } from './eval/function.js';
import { Thread } from './eval/thread.js';
import './lib/floatfmt.js';
import './lib/methods.js';
import './lib/quote.js';
import './lib/string.js';
import { UNIVERSE } from './lib/universe.js';
import { STANDARD_DIALECT, resolveFile, type DialectOptions } from './resolve/resolver.js';
import type { File } from './syntax/ast.js';
import { parse } from './syntax/parser.js';
import { type Value } from './values/value.js';

export interface ExecOptions {
  dialect?: DialectOptions;
  /** Names visible to this file in addition to the universe (e.g. `__file__`, Tiltfile builtins). */
  predeclared?: Map<string, Value>;
  /** Leave the globals unfrozen (by default they are frozen, as a loaded module's are). */
  noFreeze?: boolean;
}

/** Converts file contents to the interpreter's byte-string form. */
export function sourceText(src: string | Uint8Array): string {
  return typeof src === 'string'
    ? Buffer.from(src, 'utf8').toString('latin1')
    : Buffer.from(src).toString('latin1');
}

/** Parses and resolves a file; throws StarlarkSyntaxError(s). */
export function parseAndResolve(
  path: string,
  src: string | Uint8Array,
  predeclared: Map<string, Value> = new Map(),
  dialect: DialectOptions = STANDARD_DIALECT,
): File {
  return tooDeep(path, () => {
    const file = parse(path, sourceText(src));
    resolveFile(
      file,
      (n) => predeclared.has(n),
      (n) => UNIVERSE.has(n),
      dialect,
    );
    return file;
  });
}

/**
 * Runs a recursive pass over a program. A tree deeper than the JavaScript
 * stack allows (say, a sum of 20,000 terms) becomes a syntax error of the file.
 */
function tooDeep<T>(path: string, pass: () => T): T {
  try {
    return pass();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new StarlarkSyntaxError(
        { file: path, line: 1, col: 1 },
        'program too deeply nested to compile',
      );
    }
    throw e;
  }
}

/**
 * Executes a file on the thread and returns its globals (frozen unless asked
 * otherwise). Syntax errors throw StarlarkSyntaxError(s); runtime errors
 * throw EvalError with a backtrace.
 */
export function execFile(
  thread: Thread,
  path: string,
  src: string | Uint8Array,
  opts: ExecOptions = {},
): Map<string, Value> {
  const predeclared = opts.predeclared ?? new Map();
  const dialect = opts.dialect ?? STANDARD_DIALECT;
  const file = parseAndResolve(path, src, predeclared, dialect);
  const { module, toplevel } = tooDeep(path, () =>
    compileFile(file, predeclared, UNIVERSE, dialect.recursion),
  );
  callFunction(thread, toplevel, [], []);
  const globals = new Map<string, Value>();
  module.globalNames.forEach((name, i) => {
    const v = module.globals[i];
    if (v !== undefined) globals.set(name, v);
  });
  if (!opts.noFreeze) for (const v of globals.values()) if (typeof v === 'object') v.freeze();
  return globals;
}

export { Thread };
