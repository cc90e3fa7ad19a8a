// Executes a Tiltfile: the main file and everything it loads, with the
// Tiltfile builtins predeclared. The result is the context with what the
// builtins recorded; assembly (assemble/) turns it into manifests.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { EvalError, StarlarkSyntaxError, StarlarkSyntaxErrors } from '../starlark/errors.js';
import { Thread } from '../starlark/eval/thread.js';
import { execFile } from '../starlark/interp.js';
import { TILT_DIALECT } from '../starlark/resolve/resolver.js';
import { Dict, None, type Value } from '../starlark/values/value.js';
import { extensionTiltfile } from './builtins/extensions.js';
import { fromHost, tiltBuiltin, toHost } from './args.js';
import { TiltfileContext, type ContextOptions } from './context.js';
import { makeBuiltins } from './builtins.js';

/** Raised by exit(): stops the Tiltfile without failing it. */
export class TiltfileExit extends EvalError {
  constructor(readonly code: number) {
    super(`exit(${code})`);
    this.crossesLoad = true;
  }
}

export interface ExecResult {
  ctx: TiltfileContext;
  /** The error that stopped the Tiltfile, if any. */
  error: Error | null;
}

/** Executes the main Tiltfile; never throws for Tiltfile errors (they are in `error`). */
export function execTiltfile(
  opts: ContextOptions & { maxSteps?: number; timeoutMs?: number },
): ExecResult {
  const ctx = new TiltfileContext(opts);
  const loader = new Loader(ctx);
  const thread = new Thread({
    name: 'tiltfile',
    print: (_t, msg) => ctx.log(toHost(msg)),
    load: (t, module) => loader.load(t as Thread, module),
    maxSteps: opts.maxSteps,
    timeoutMs: opts.timeoutMs,
  });
  thread.locals.set('tiltfile.loader', loader);
  let error: Error | null = null;
  try {
    loader.exec(thread, ctx.mainPath, '__main__');
  } catch (e) {
    if (!(e instanceof TiltfileExit)) error = e instanceof Error ? e : new Error(String(e));
  }
  return { ctx, error };
}

/** Tilt's presentation of a Tiltfile error: a backtrace, or file:line:col: message. */
export function describeTiltfileError(e: Error): string {
  if (e instanceof EvalError) return toHost(e.backtrace());
  if (e instanceof StarlarkSyntaxError || e instanceof StarlarkSyntaxErrors)
    return toHost(e.message);
  return e.message;
}

export class Loader {
  private readonly cache = new Map<string, Map<string, Value>>();
  private readonly loading: string[] = [];
  private builtins: Map<string, Value>;

  constructor(readonly ctx: TiltfileContext) {
    this.builtins = makeBuiltins(ctx);
    for (const b of this.fileBuiltins()) this.builtins.set(b.name, b);
  }

  /** Executes a file (once per absolute path) and returns its globals. */
  exec(thread: Thread, path: string, name = basename(path)): Map<string, Value> {
    const hit = this.cache.get(path);
    if (hit) return hit;
    if (this.loading.includes(path)) throw new EvalError(`Circular load: ${path}`);
    let src: Buffer;
    try {
      src = readFileSync(path);
    } catch (e) {
      throw new EvalError(
        `${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `open ${path}: no such file or directory` : String(e)}`,
      );
    }
    this.ctx.addConfigFile(path);
    const predeclared = new Map(this.builtins);
    predeclared.set('__file__', fromHost(path));
    predeclared.set('__name__', fromHost(name));
    this.loading.push(path);
    try {
      const globals = this.ctx.inFile(path, () =>
        execFile(thread, path, src, { dialect: TILT_DIALECT, predeclared }),
      );
      this.cache.set(path, globals);
      return globals;
    } finally {
      this.loading.pop();
    }
  }

  /** The load() hook: a path relative to the loading file. */
  load(thread: Thread, module: string): Map<string, Value> {
    const m = toHost(module);
    if (m.startsWith('ext://'))
      return this.exec(thread, extensionTiltfile(this.ctx, m.slice('ext://'.length)));
    return this.exec(thread, this.ctx.absPath(m));
  }

  /** include() and load_dynamic(), which execute other files. */
  private fileBuiltins() {
    const ctx = this.ctx;
    return [
      tiltBuiltin(ctx, 'include', ['path'], (a, _c, thread) => {
        this.exec(thread, a.path('path'));
        return None;
      }),
      tiltBuiltin(ctx, 'load_dynamic', ['path'], (a, _c, thread) => {
        // the file's exported symbols, as a dict
        const d = new Dict();
        for (const [k, v] of this.exec(thread, a.path('path')))
          if (!k.startsWith('_')) d.setUnchecked(k, v);
        return d;
      }),
    ];
  }
}
