// Commands of local resources: how a Tiltfile command becomes a process, the
// errors for one that cannot start, and output split into lines.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { showCmd } from '../../tiltfile/builtins/local.js';
import type { ExitInfo } from './process-group.js';

/**
 * A command as a Tiltfile gives it: a string runs through `sh -c` (as Tilt's
 * ToUnixCmd does), a list is an argv run directly, with no shell.
 */
export type Command = string | readonly string[];

export type OutputStream = 'stdout' | 'stderr';

/** Receives the output of a process one line at a time, without the line break. */
export type OutputHandler = (line: string, stream: OutputStream) => void;

/** The argv of a command: a string becomes `sh -c <string>`. */
export function toArgv(cmd: Command): string[] {
  if (typeof cmd === 'string') return ['sh', '-c', cmd];
  return [...cmd];
}

/** A command as Tilt prints it: the script of a one-line `sh -c`, else the argv. */
export function displayCmd(cmd: Command): string {
  return showCmd(toArgv(cmd));
}

/** A command that could not be started: a missing dir or executable, a bad argv. */
export class CmdError extends Error {
  override readonly name = 'CmdError';
  constructor(
    /** The command as Tilt prints it. */
    readonly command: string,
    /** What went wrong, as Go's os/exec words it (e.g. `chdir /x: no such file or directory`). */
    readonly reason: string,
    /** The errno code behind it, when there is one (ENOENT, EACCES, ...). */
    readonly code?: string,
  ) {
    super(`${command}: ${reason}`);
  }
}

/** The environment of a process: Tilt's own, with the command's variables over it. */
export function mergeEnv(env: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return env ? { ...process.env, ...env } : { ...process.env };
}

/**
 * The variables Tilt adds to the environment of the commands it runs (under
 * the command's own env, over tilt's): LINES=24 and COLUMNS=80 (always: Tilt
 * means to keep the user's, but its check is inverted, so these win),
 * FORCE_COLOR=1 when the log shows colors and FORCE_COLOR is not set, and,
 * unless already set, TILT_PORT and TILT_HOST (for `tilt` commands run from a
 * command) and TILT_DISABLE_ANALYTICS=1.
 */
export function tiltCommandEnv(
  opts: { port: number; host: string; color: boolean },
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = { LINES: '24', COLUMNS: '80' };
  if (opts.color && parent.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';
  if (parent.TILT_PORT === undefined) env.TILT_PORT = String(opts.port);
  if (parent.TILT_HOST === undefined) env.TILT_HOST = opts.host;
  if (parent.TILT_DISABLE_ANALYTICS === undefined) env.TILT_DISABLE_ANALYTICS = '1';
  return env;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOEXEC: 'exec format error',
  E2BIG: 'argument list too long',
};

function errnoText(e: NodeJS.ErrnoException): string {
  return (e.code && ERRNO_TEXT[e.code]) || e.message;
}

/** The reason a directory cannot be a working directory, or undefined when it can. */
async function checkDir(dir: string): Promise<CmdError | undefined> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return new CmdError('', `chdir ${dir}: not a directory`, 'ENOTDIR');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return new CmdError('', `chdir ${dir}: ${errnoText(err)}`, err.code);
  }
  return undefined;
}

/** The error of a failed spawn, in the words of Go's os/exec (which Tilt's messages carry). */
function spawnError(argv: string[], dir: string | undefined, e: NodeJS.ErrnoException): CmdError {
  const shown = showCmd(argv);
  const exe = JSON.stringify(argv[0]);
  if (e.code === 'ENOENT' && !argv[0].includes('/')) {
    return new CmdError(shown, `exec: ${exe}: executable file not found in $PATH`, e.code);
  }
  if (e.code === 'ENOTDIR' && dir !== undefined) {
    return new CmdError(shown, `chdir ${dir}: not a directory`, e.code);
  }
  return new CmdError(shown, `fork/exec ${argv[0]}: ${errnoText(e)}`, e.code);
}

export type Child = ChildProcessByStdio<null, Readable, Readable>;

/** A started process: the leader of its own process group (its pid is the group id). */
export interface Spawned {
  child: Child;
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<ExitInfo>;
}

export interface SpawnOptions {
  dir?: string;
  env?: Record<string, string>;
}

/**
 * Starts a command in a process group of its own (a new session: Node's
 * `detached`), stdin from /dev/null, stdout and stderr piped. Resolves once
 * the process runs; rejects with a CmdError when it cannot start.
 */
export async function spawnGroup(cmd: Command, opts: SpawnOptions): Promise<Spawned> {
  const argv = toArgv(cmd);
  if (argv.length === 0 || argv[0] === '') throw new CmdError(showCmd(argv), 'empty cmd');
  if (opts.dir !== undefined) {
    const bad = await checkDir(opts.dir);
    if (bad) throw new CmdError(showCmd(argv), bad.reason, bad.code);
  }
  let child: Child;
  try {
    child = spawn(argv[0], argv.slice(1), {
      cwd: opts.dir,
      env: mergeEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (e) {
    throw spawnError(argv, opts.dir, e as NodeJS.ErrnoException);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  return new Promise<Spawned>((resolve, reject) => {
    const onError = (e: Error) => {
      child.off('spawn', onSpawn);
      // The streams of a child that never ran would otherwise stay open.
      child.stdout.destroy();
      child.stderr.destroy();
      reject(spawnError(argv, opts.dir, e as NodeJS.ErrnoException));
    };
    const onSpawn = () => {
      child.off('error', onError);
      // Errors after the start (a failed kill) must not become uncaught exceptions.
      child.on('error', () => {});
      resolve({ child, pid: child.pid!, exited });
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
}

/** The longest line passed on whole; longer ones are cut, so memory stays bounded. */
export const MAX_LINE = 1 << 20;

/**
 * Splits a byte stream into lines (UTF-8, `\n` or `\r\n`), the unterminated
 * last line passed on at the end of the stream.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    let text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.emit(text.slice(start, end));
      start = nl + 1;
    }
    text = text.slice(start);
    while (text.length > MAX_LINE) {
      this.emit(text.slice(0, MAX_LINE));
      text = text.slice(MAX_LINE);
    }
    this.partial = text;
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') this.emit(rest);
  }
}

/**
 * Passes the output of a child to `onOutput` line by line, per stream in
 * order. Resolves when both streams have ended.
 */
export function pipeLines(child: Child, onOutput: OutputHandler | undefined): Promise<void> {
  const one = (stream: Readable, name: OutputStream) =>
    new Promise<void>((resolve) => {
      const lines = new LineSplitter((line) => onOutput?.(line, name));
      stream.on('data', (chunk: Buffer) => lines.write(chunk));
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        lines.end();
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
  return Promise.all([one(child.stdout, 'stdout'), one(child.stderr, 'stderr')]).then(() => {});
}
