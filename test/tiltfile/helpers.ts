// Running a Tiltfile from a temporary project directory in tests.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EvalError } from '../../src/starlark/errors.js';
import { Thread } from '../../src/starlark/eval/thread.js';
import { execFile } from '../../src/starlark/interp.js';
import { TILT_DIALECT } from '../../src/starlark/resolve/resolver.js';
import type { Value } from '../../src/starlark/values/value.js';
import { toHost } from '../../src/tiltfile/args.js';
import { TiltfileContext } from '../../src/tiltfile/context.js';
import { describeTiltfileError, execTiltfile } from '../../src/tiltfile/loader.js';

const projects: string[] = [];

/** A temporary directory holding the given files (paths relative to it, parents created). */
export function writeProject(
  files: Record<string, string>,
  symlinks: Record<string, string> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilt-test-'));
  projects.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  for (const [link, target] of Object.entries(symlinks)) {
    const p = join(dir, link);
    mkdirSync(dirname(p), { recursive: true });
    symlinkSync(target, p);
  }
  return dir;
}

/** Removes the directories made by writeProject (call from afterEach). */
export function removeProjects(): void {
  for (const d of projects.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface RunOptions {
  /** Other files of the project. */
  files?: Record<string, string>;
  /** Symlinks to create: link path -> target. */
  symlinks?: Record<string, string>;
  /** Arguments after `--`. */
  args?: string[];
  env?: Record<string, string>;
  subcommand?: string;
  /** Path of the main Tiltfile in the project (default "Tiltfile"). */
  main?: string;
}

export interface RunResult {
  dir: string;
  ctx: TiltfileContext;
  error: Error | null;
  /** The error's message (without the backtrace), or null. */
  message: string | null;
  /** The error as Tilt shows it, or null. */
  shown: string | null;
  /** Log lines (print output, warnings). */
  logs: string[];
  /** Log lines joined, each followed by a newline. */
  output: string;
  env: Record<string, string>;
}

/** Runs `src` as the main Tiltfile of a fresh project. */
export function runTiltfile(src: string, opts: RunOptions = {}): RunResult {
  const main = opts.main ?? 'Tiltfile';
  const dir = writeProject({ ...opts.files, [main]: src }, opts.symlinks);
  const logs: string[] = [];
  const env = opts.env ?? {};
  const { ctx, error } = execTiltfile({
    mainPath: join(dir, main),
    args: opts.args ?? [],
    subcommand: opts.subcommand ?? 'up',
    env,
    log: (l) => logs.push(l),
  });
  return {
    dir,
    ctx,
    error,
    message: error ? (error instanceof EvalError ? error.msg : error.message) : null,
    shown: error ? describeTiltfileError(error) : null,
    logs,
    output: logs.map((l) => l + '\n').join(''),
    env,
  };
}

export interface PartialRun {
  dir: string;
  ctx: TiltfileContext;
  /** The error's message as host text, if the Tiltfile failed. */
  error?: string;
  /** The error as Tilt shows it, if the Tiltfile failed. */
  backtrace?: string;
}

/**
 * Runs `src` with only the builtins that `setup` adds (a family's register
 * function, stand-ins for other builtins), executing the file without assembly.
 */
export function runWithBuiltins(
  src: string,
  setup: (ctx: TiltfileContext, predeclared: Map<string, Value>) => void,
): PartialRun {
  const dir = writeProject({ Tiltfile: src });
  const path = join(dir, 'Tiltfile');
  const ctx = new TiltfileContext({
    mainPath: path,
    args: [],
    subcommand: 'up',
    env: {},
    log: () => {},
  });
  const predeclared = new Map<string, Value>();
  setup(ctx, predeclared);
  try {
    ctx.inFile(path, () =>
      execFile(new Thread({ print: () => {} }), path, src, { dialect: TILT_DIALECT, predeclared }),
    );
    return { dir, ctx };
  } catch (e) {
    const err = e as Error & { msg?: string };
    return {
      dir,
      ctx,
      error: toHost(err.msg ?? err.message),
      backtrace: describeTiltfileError(err),
    };
  }
}
