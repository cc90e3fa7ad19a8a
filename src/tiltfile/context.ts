// The state of one Tiltfile execution: which file is running, what the
// builtins recorded, the config files to watch, warnings and log lines.
// Each builtin family keeps its own records in a typed part of the context.

import { dirname } from 'node:path';
import { EvalError, type CallFrame } from '../starlark/errors.js';
import type { Thread } from '../starlark/eval/thread.js';
import { absPath } from './args.js';

export interface ContextOptions {
  /** Absolute path of the main Tiltfile. */
  mainPath: string;
  /** Arguments after `--`. */
  args: string[];
  /** The tilt subcommand running the Tiltfile: up, ci, down, alpha tiltfile-result, ... */
  subcommand: string;
  /** The environment seen by os.getenv and commands (os.putenv changes it). */
  env: Record<string, string>;
  /** Receives Tiltfile log lines (print, local output, warnings). */
  log: (line: string) => void;
  /** The runtime restarts containers in place, so restart_container() works for k8s resources. */
  containerRestarts?: boolean;
}

/** Formats a call stack like a backtrace's frames, innermost last. */
export function formatStack(stack: CallFrame[]): string {
  return stack
    .map((f) =>
      f.pos ? `${f.pos.file}:${f.pos.line}:${f.pos.col}: in ${f.name}` : `<builtin>: in ${f.name}`,
    )
    .join('\n');
}

export class TiltfileContext {
  readonly mainPath: string;
  readonly mainDir: string;
  readonly args: string[];
  readonly subcommand: string;
  readonly env: Record<string, string>;
  readonly log: (line: string) => void;
  readonly containerRestarts: boolean;
  /** Files whose change re-runs the Tiltfile, in the order first seen. */
  readonly configFiles = new Set<string>();
  readonly warnings: string[] = [];
  private readonly fileStack: string[] = [];
  private readonly parts = new Map<string, unknown>();

  constructor(opts: ContextOptions) {
    this.mainPath = opts.mainPath;
    this.mainDir = dirname(opts.mainPath);
    this.args = opts.args;
    this.subcommand = opts.subcommand;
    this.env = opts.env;
    this.log = opts.log;
    this.containerRestarts = opts.containerRestarts ?? false;
  }

  /** The records of one builtin family, created on first use. */
  part<T>(key: string, init: () => T): T {
    let p = this.parts.get(key) as T | undefined;
    if (p === undefined) {
      p = init();
      this.parts.set(key, p);
    }
    return p;
  }

  /** The file being executed (the innermost load). */
  get currentFile(): string {
    return this.fileStack[this.fileStack.length - 1] ?? this.mainPath;
  }

  /** Directory against which relative paths resolve: that of the file being executed. */
  get dir(): string {
    return dirname(this.currentFile);
  }

  absPath(p: string): string {
    return absPath(this.dir, p);
  }

  /** Runs fn while `path` is the file being executed. */
  inFile<T>(path: string, fn: () => T): T {
    this.fileStack.push(path);
    try {
      return fn();
    } finally {
      this.fileStack.pop();
    }
  }

  addConfigFile(path: string): void {
    this.configFiles.add(path);
  }

  warn(msg: string): void {
    this.warnings.push(msg);
    this.log(`WARNING: ${msg}`);
  }

  /** Where the running builtin was called from, as "file:line:col". */
  callerPos(thread: Thread): string {
    const site = thread.callStack().pop();
    return site?.pos ? `${site.pos.file}:${site.pos.line}:${site.pos.col}` : this.currentFile;
  }

  /** Fails the Tiltfile with a message. */
  fail(msg: string): never {
    throw new EvalError(msg);
  }
}
