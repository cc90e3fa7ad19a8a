// Long-running commands: the `serve_cmd` of a local_resource.

import {
  CmdError,
  displayCmd,
  pipeLines,
  spawnGroup,
  type Child,
  type Command,
  type OutputHandler,
} from './command.js';
import {
  DEFAULT_GRACE_PERIOD_MS,
  killGroupQuietly,
  terminateGroup,
  track,
  untrack,
  type ExitInfo,
  type GroupOwner,
  type LogHandler,
} from './process-group.js';

/**
 * Where a serve process is. `exited` is an exit nobody asked for — with any
 * code, 0 included: a server is not supposed to exit, and Tilt shows the
 * resource in error — or a command that could not start (`error` says why).
 */
export type ServeStatus =
  | { state: 'idle' }
  | { state: 'starting' }
  | { state: 'running'; pid: number }
  | {
      state: 'exited';
      pid: number | undefined;
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      error?: string;
    }
  | { state: 'stopping'; pid: number }
  | { state: 'stopped'; pid: number | undefined };

export interface ServeOptions {
  /** The working directory (serve_dir); tilt's own when not given. */
  dir?: string;
  /** Variables set over tilt's environment (serve_env). */
  env?: Record<string, string>;
  /** Each line of output, per stream in order. */
  onOutput?: OutputHandler;
  /** Every change of status. */
  onStatus?: (status: ServeStatus) => void;
  /** Tilt's own messages about the process (`Running serve cmd: ...`, `... exited with exit code 1`). */
  onLog?: LogHandler;
  /** Time between SIGTERM and SIGKILL when stopping; Tilt's 30 s when not given. */
  gracePeriodMs?: number;
}

/** How long output may still arrive after the group is gone (from processes that left it). */
const DRAIN_AFTER_STOP_MS = 1000;

interface Run {
  child: Child;
  pid: number;
  exited: Promise<ExitInfo>;
  output: Promise<void>;
  /** Set once a stop was asked for: the exit that follows is expected. */
  stopping: boolean;
}

/**
 * A serve_cmd: a process (and everything it starts) in a process group of its
 * own. Calls are serialized: a restart() during a start() waits for it.
 */
export class ServeProcess {
  private readonly cmd: Command;
  private readonly opts: ServeOptions;
  private run: Run | undefined;
  private current: ServeStatus = { state: 'idle' };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly owner: GroupOwner;

  constructor(cmd: Command, opts: ServeOptions = {}) {
    this.cmd = cmd;
    this.opts = opts;
    this.owner = {
      dispose: (grace) => this.stop({ gracePeriodMs: grace }),
      killNow: () => {
        if (this.run) killGroupQuietly(this.run.pid);
      },
    };
  }

  /** The current status. */
  get status(): ServeStatus {
    return this.current;
  }

  /** The pid (and process group id) of the running process, if one runs. */
  get pid(): number | undefined {
    return this.current.state === 'running' ? this.current.pid : undefined;
  }

  /** The command as Tilt prints it. */
  get displayName(): string {
    return displayCmd(this.cmd);
  }

  get gracePeriodMs(): number {
    return this.opts.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
  }

  /**
   * Starts the process unless it runs. Resolves with the status once it runs,
   * or once it could not start (`exited` with `error`).
   */
  start(): Promise<ServeStatus> {
    return this.enqueue(() => this.doStart());
  }

  /**
   * Stops the process group: SIGTERM, then SIGKILL after the grace period.
   * Resolves once no process of the group is left.
   */
  stop(opts: { gracePeriodMs?: number } = {}): Promise<void> {
    return this.enqueue(() => this.doStop(opts.gracePeriodMs));
  }

  /** Stops the process (if any) and starts a new one, as Tilt does after each update. */
  restart(): Promise<ServeStatus> {
    return this.enqueue(async () => {
      await this.doStop(undefined);
      return this.doStart();
    });
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op);
    this.queue = next.catch(() => {});
    return next;
  }

  private set(status: ServeStatus): void {
    this.current = status;
    this.opts.onStatus?.(status);
  }

  private log(message: string, level: 'info' | 'error' | 'debug'): void {
    this.opts.onLog?.(message, level);
  }

  private async doStart(): Promise<ServeStatus> {
    if (this.current.state === 'running') return this.current;
    // What is left of a process that exited on its own (children of its shell).
    if (this.run) await this.reap(this.run, undefined);
    this.set({ state: 'starting' });
    this.log(`Running serve cmd: ${this.displayName}`, 'info');
    // Tracked from here, so that a disposeAll() during the start stops what it starts.
    track(this.owner);
    let spawned;
    try {
      spawned = await spawnGroup(this.cmd, { dir: this.opts.dir, env: this.opts.env });
    } catch (e) {
      untrack(this.owner);
      const reason = e instanceof CmdError ? e.reason : (e as Error).message;
      this.log(`${this.displayName} failed to start: ${reason}`, 'error');
      this.set({ state: 'exited', pid: undefined, exitCode: null, signal: null, error: reason });
      return this.current;
    }
    const { child, pid, exited } = spawned;
    const run: Run = {
      child,
      pid,
      exited,
      output: pipeLines(child, this.opts.onOutput),
      stopping: false,
    };
    this.run = run;
    void exited.then((exit) => this.onExit(run, exit));
    this.set({ state: 'running', pid });
    return this.current;
  }

  /** The leader exited: expected during a stop, else reported (and not restarted, as in Tilt). */
  private onExit(run: Run, exit: ExitInfo): void {
    if (run.stopping || this.run !== run) return;
    if (exit.exitCode !== null) {
      this.log(`${this.displayName} exited with exit code ${exit.exitCode}`, 'error');
    } else {
      this.log(`${this.displayName} exited with signal ${exit.signal}`, 'error');
    }
    this.set({ state: 'exited', pid: run.pid, exitCode: exit.exitCode, signal: exit.signal });
  }

  private async doStop(gracePeriodMs: number | undefined): Promise<void> {
    const run = this.run;
    if (!run) {
      if (this.current.state === 'exited') this.set({ state: 'stopped', pid: undefined });
      return;
    }
    const wasRunning = this.current.state === 'running';
    if (wasRunning) this.set({ state: 'stopping', pid: run.pid });
    await this.reap(run, gracePeriodMs);
    this.set({ state: 'stopped', pid: run.pid });
  }

  /** Terminates the group of a run and forgets it. */
  private async reap(run: Run, gracePeriodMs: number | undefined): Promise<void> {
    run.stopping = true;
    const log: LogHandler = (msg, level) => this.log(msg, level);
    await terminateGroup(run.pid, run.exited, gracePeriodMs ?? this.gracePeriodMs, log);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DRAIN_AFTER_STOP_MS);
      void run.output.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    run.child.stdout.destroy();
    run.child.stderr.destroy();
    if (this.run === run) {
      this.run = undefined;
      untrack(this.owner);
    }
  }
}
