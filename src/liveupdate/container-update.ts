// Live-updates one container through the runtime's exec: remove deleted
// files, unpack the changed ones with `tar`, run the triggered run steps,
// then restart the container when asked. Errors say whether the user's run
// step failed (shown, no fallback) or the update itself did (fall back to a
// full build), in Tilt's words.

import type { Readable } from 'node:stream';
import { cmdString } from '../tiltfile/builtins/liveupdate.js';
import type { ContainerRef, WorkloadRuntime } from '../runtime/workload.js';
import type { RunStep } from './plan.js';

export const TAR_COMMAND = ['tar', '-C', '/', '-x', '-f', '-'];

const EXIT_KILLED = 137;
const EXIT_CANNOT_EXEC = 126;
const EXIT_NOT_FOUND = 127;
const EXIT_TAR_PERMISSION_DENIED = 2;

/** A command in the container exited non-zero. */
export function execErrorMessage(argv: string[], exitCode: number): string {
  let reason = '';
  if (exitCode === EXIT_KILLED) reason = ' (killed by container runtime)';
  if (exitCode === EXIT_CANNOT_EXEC || exitCode === EXIT_NOT_FOUND) {
    reason = ' (not found in PATH or not executable)';
  }
  return `command ${JSON.stringify(cmdString(argv))} failed with exit code: ${exitCode}${reason}`;
}

/** A run step exited non-zero: the user's command failed; the update does not fall back. */
export class RunStepFailure extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number,
    containerId: string,
  ) {
    super(
      `executing on container ${containerId.slice(0, 10)}: ${execErrorMessage(argv, exitCode)}`,
    );
    this.name = 'RunStepFailure';
  }
}

/** Copying into or restarting the container failed: the update falls back to a full build. */
export class ContainerUpdateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContainerUpdateError';
  }
}

function tarFailure(exitCode: number): ContainerUpdateError {
  const err = execErrorMessage(TAR_COMMAND, exitCode);
  if (exitCode === EXIT_TAR_PERMISSION_DENIED) {
    return new ContainerUpdateError(
      `${err}\nThis usually means the container filesystem denied access. Please check:\n` +
        '  1) That the container image has writable files\n' +
        '  2) That the container image default user has write access to the files\n' +
        "  3) That the Pod spec doesn't have a SecurityContext that would block writes",
    );
  }
  if (exitCode === EXIT_CANNOT_EXEC || exitCode === EXIT_NOT_FOUND) {
    return new ContainerUpdateError(
      `${err}\nThis usually means that Tilt could not exec \`tar\`.\n` +
        'Please check that the container image includes `tar` in $PATH.\n' +
        'Some minimal images, such as those that are built `FROM scratch`, will not work with Live Update by default.',
    );
  }
  return new ContainerUpdateError(err);
}

export interface ContainerWork {
  /** Container paths of files deleted locally. */
  deletes: string[];
  /** The tar stream of changed files, or undefined when there are none. */
  archive?: () => Readable;
  runs: RunStep[];
  restart: boolean;
}

export interface ContainerUpdateOptions {
  runtime: WorkloadRuntime;
  resource: string;
  container: ContainerRef;
  work: ContainerWork;
  /** The update's log (run steps' `[CMD i/n]` lines and their output). */
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Applies the work to one container; rejects with RunStepFailure or ContainerUpdateError. */
export async function updateContainer(o: ContainerUpdateOptions): Promise<void> {
  const { runtime, resource, container: c, work, signal } = o;
  const exec = async (argv: string[], stdin?: Readable, output?: (t: string) => void) => {
    try {
      return await runtime.exec(resource, c, argv, { stdin, output, signal });
    } catch (e) {
      stdin?.destroy();
      throw new ContainerUpdateError(`${(e as Error).message}`, { cause: e });
    }
  };
  if (work.deletes.length > 0) {
    let out = '';
    const code = await exec(['rm', '-rf', ...work.deletes], undefined, (t) => (out += t));
    if (code !== 0) {
      throw new ContainerUpdateError(`Error deleting files from container: ${out.trim()}`);
    }
  }
  if (work.archive) {
    let out = '';
    const code = await exec(TAR_COMMAND, work.archive(), (t) => (out += t));
    if (code !== 0) {
      const err = tarFailure(code);
      if (out.trim()) err.message = `${out.trim()}\n${err.message}`;
      throw err;
    }
  }
  const output = lineWriter(o.log);
  for (const [i, run] of work.runs.entries()) {
    if (!run.echoOff) o.log(`[CMD ${i + 1}/${work.runs.length}] ${run.cmd.join(' ')}`);
    const code = await exec(run.cmd, undefined, output.write);
    output.flush();
    if (code === EXIT_KILLED) {
      throw new ContainerUpdateError(
        `executing on container ${c.id.slice(0, 10)}: ${execErrorMessage(run.cmd, code)}`,
      );
    }
    if (code !== 0) throw new RunStepFailure(run.cmd, code, c.id);
  }
  if (work.restart) {
    if (!runtime.restartContainer) {
      throw new ContainerUpdateError(
        `the ${runtime.kind} runtime cannot restart containers: use the restart_process extension instead of restart_container()`,
      );
    }
    try {
      await runtime.restartContainer(resource, c);
    } catch (e) {
      throw new ContainerUpdateError(`ContainerRestart: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** Splits streamed output into whole lines for the log. */
function lineWriter(log: (line: string) => void): {
  write: (t: string) => void;
  flush: () => void;
} {
  let partial = '';
  return {
    write: (t) => {
      const lines = (partial + t).split('\n');
      partial = lines.pop()!;
      for (const l of lines) log(l.replace(/\r$/, ''));
    },
    flush: () => {
      if (partial) log(partial);
      partial = '';
    },
  };
}
