// Process groups: signalling a whole tree, telling whether any of it still
// runs, the SIGTERM-then-SIGKILL shutdown Tilt gives a serve_cmd, and the
// registry that kills every group still running when tilt goes away.

import { readFileSync, readdirSync } from 'node:fs';

/** Tilt's grace period between SIGTERM and SIGKILL (cmd.DefaultGracePeriod, as Kubernetes'). */
export const DEFAULT_GRACE_PERIOD_MS = 30_000;

export type LogLevel = 'info' | 'error' | 'debug';

/** Receives tilt's own messages about a process (not the process's output). */
export type LogHandler = (message: string, level: LogLevel) => void;

/** How the leader of a group ended. */
export interface ExitInfo {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Sends a signal to every process of a group. False when the group has no
 * process left (ESRCH); other failures (EPERM) are thrown.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

/** Whether a process of the group still runs. Zombies do not count: they are dead. */
export function groupAlive(pgid: number): boolean {
  let any: boolean;
  try {
    any = signalGroup(pgid, 0);
  } catch {
    // EPERM: some member exists but is not ours to signal.
    any = true;
  }
  if (!any) return false;
  // kill(2) succeeds on zombies, and orphaned zombies linger where PID 1 does
  // not reap (containers); on Linux, look for a member that is not one.
  if (process.platform !== 'linux') return true;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const st = procStat(name);
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') return true;
  }
  return false;
}

/** State, parent and group of a process from /proc/PID/stat, or undefined when it is gone. */
function procStat(pid: string): { state: string; ppid: number; pgrp: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

/** Go's time.Duration format for the durations tilt prints: 30s, 500ms, 1m30s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${ms / 1000}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${(ms - m * 60_000) / 1000}s`;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** Whether `p` settles within `ms` milliseconds; the timer is cleared as soon as it does. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    p.then(done, done);
  });
}

/**
 * Stops a process group the way Tilt stops a serve_cmd: SIGTERM to the group,
 * then SIGKILL to the group when the grace period is up. While waiting it logs
 * what Tilt logs (`Waiting 30s for process to exit... (pid: N)` after a
 * twentieth of the grace period, `Still waiting on exit...` after a third,
 * `Time is up! Sending N a kill signal`). Unlike Tilt, which stops waiting
 * when the leader exits, it also waits out the grace period for the rest of
 * the group, so no child of the shell outlives the stop.
 *
 * `exited` resolves when the leader has exited (and been reaped).
 */
export async function terminateGroup(
  pgid: number,
  exited: Promise<unknown>,
  gracePeriodMs: number,
  log?: LogHandler,
): Promise<void> {
  if (!groupAlive(pgid)) {
    await exited;
    return;
  }
  log?.(`About to gracefully shut down process ${pgid}`, 'debug');
  try {
    signalGroup(pgid, 'SIGTERM');
  } catch (e) {
    log?.(
      `Unable to gracefully kill process ${pgid}, sending SIGKILL to the process group: ${(e as Error).message}`,
      'debug',
    );
    killGroupQuietly(pgid);
    await exited;
    return;
  }
  const start = Date.now();
  const deadline = start + gracePeriodMs;
  const checkpoints: [number, string][] = [
    [
      gracePeriodMs / 20,
      `Waiting ${formatDuration(gracePeriodMs)} for process to exit... (pid: ${pgid})`,
    ],
    [gracePeriodMs / 3, `Still waiting on exit... (pid: ${pgid})`],
  ];
  // The leader first, with Tilt's progress messages.
  let leaderDone = false;
  for (const [at, msg] of checkpoints) {
    leaderDone = await settlesWithin(exited, Math.max(0, start + at - Date.now()));
    if (leaderDone) break;
    log?.(msg, 'info');
  }
  if (!leaderDone) {
    leaderDone = await settlesWithin(exited, Math.max(0, deadline - Date.now()));
  }
  // Then whatever else of the group got the SIGTERM, within the same grace period.
  if (leaderDone) {
    const POLL_MS = 50;
    while (groupAlive(pgid) && Date.now() < deadline) {
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
    if (!groupAlive(pgid)) return;
  }
  log?.(`Time is up! Sending ${pgid} a kill signal`, 'info');
  killGroupQuietly(pgid);
  await exited;
  // SIGKILL lands asynchronously: the leader's exit does not mean its group is gone yet.
  const settle = Date.now() + KILL_SETTLE_MS;
  while (groupAlive(pgid) && Date.now() < settle) await sleep(10);
}

/** How long after a SIGKILL the rest of a group may take to die. */
const KILL_SETTLE_MS = 2000;

/** SIGKILL to a group, ignoring a group that is already gone. */
export function killGroupQuietly(pgid: number): void {
  try {
    signalGroup(pgid, 'SIGKILL');
  } catch {
    // EPERM: nothing more we can do.
  }
}

/** Something that owns running process groups. */
export interface GroupOwner {
  /** Stops its processes: gracefully where it would, within the grace period given. */
  dispose(gracePeriodMs?: number): Promise<void>;
  /** SIGKILLs its process groups at once (synchronous: usable while the process exits). */
  killNow(): void;
}

const owners = new Set<GroupOwner>();
let exitHookInstalled = false;

/** Registers an owner of running groups, so that disposeAll and process exit reach it. */
export function track(owner: GroupOwner): void {
  owners.add(owner);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Groups are detached: without this they would outlive tilt.
    process.on('exit', killAllNow);
  }
}

export function untrack(owner: GroupOwner): void {
  owners.delete(owner);
}

/**
 * Stops every serve process and one-shot command still running and waits
 * for them: serve processes get SIGTERM and, after the grace period (each
 * one's own unless `gracePeriodMs` is given), SIGKILL; one-shot commands are
 * killed at once, as Tilt does when their context is canceled.
 */
export async function disposeAll(opts: { gracePeriodMs?: number } = {}): Promise<void> {
  await Promise.all([...owners].map((o) => o.dispose(opts.gracePeriodMs)));
}

/** SIGKILLs every process group still running, synchronously. Installed as a process 'exit' hook. */
export function killAllNow(): void {
  for (const o of [...owners]) o.killNow();
}
