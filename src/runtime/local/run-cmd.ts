// One-shot commands: the `cmd` of a local_resource, run to completion on each update.

import {
  pipeLines,
  spawnGroup,
  type Command,
  type OutputHandler,
  type SpawnOptions,
} from './command.js';
import { killGroupQuietly, track, untrack, type GroupOwner } from './process-group.js';

export interface RunCmdOptions extends SpawnOptions {
  /** The working directory; tilt's own when not given. */
  dir?: string;
  /** Variables set over tilt's environment. */
  env?: Record<string, string>;
  /** Each line of output, per stream in order; a last line without a line break included. */
  onOutput?: OutputHandler;
  /** Aborting kills the command's whole process group (SIGKILL), as Tilt does on cancel. */
  signal?: AbortSignal;
}

export interface RunCmdResult {
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  /** Whether the command was killed (or never started) because `signal` was aborted. */
  aborted: boolean;
}

/** How long output may still arrive after a killed command's leader is gone. */
const DRAIN_AFTER_KILL_MS = 1000;

/**
 * Runs a command to completion, in a process group of its own (so that a
 * cancel reaches the children of a shell). Resolves when the process has
 * exited and its output has been read to the end — like Tilt (Go's
 * Cmd.Wait), a background child that keeps stdout open holds the result
 * back. Rejects with a CmdError when the command cannot start (missing dir
 * or executable).
 */
export async function runCmd(cmd: Command, opts: RunCmdOptions = {}): Promise<RunCmdResult> {
  const { signal } = opts;
  if (signal?.aborted) return { exitCode: null, signal: null, aborted: true };
  const { child, pid, exited } = await spawnGroup(cmd, opts);

  let aborted = false;
  let onKilled!: () => void;
  const killed = new Promise<void>((resolve) => {
    onKilled = resolve;
  });
  const kill = () => {
    if (aborted) return;
    aborted = true;
    killGroupQuietly(pid);
    onKilled();
  };
  const output = pipeLines(child, opts.onOutput);
  let finished: Promise<unknown> = Promise.resolve();
  const owner: GroupOwner = {
    dispose: async () => {
      kill();
      await finished;
    },
    killNow: kill,
  };
  track(owner);
  signal?.addEventListener('abort', kill, { once: true });
  if (signal?.aborted) kill();
  const run = async (): Promise<RunCmdResult> => {
    try {
      const exit = await exited;
      // A killed command's output ends with its group, unless a process that
      // left the group still holds the pipes: then stop reading.
      const drained = killed.then(
        () =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, DRAIN_AFTER_KILL_MS);
            void output.then(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
      );
      await Promise.race([output, drained]);
      child.stdout.destroy();
      child.stderr.destroy();
      return { exitCode: exit.exitCode, signal: exit.signal, aborted };
    } finally {
      signal?.removeEventListener('abort', kill);
      untrack(owner);
    }
  };
  const result = run();
  finished = result.catch(() => {});
  return result;
}
