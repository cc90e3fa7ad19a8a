// One container of a pod as the pod runner tracks it: its Docker ID, its state
// as Kubernetes reports it, its restarts and crash-loop back-off, and the log
// follower and readiness prober of its current run.

import type { JSONObject } from '../../k8s/json.js';
import type { ContainerState, ContainerStatus } from '../workload.js';
import type { LogFollower } from './logs.js';
import type { ReadinessProber } from './probes.js';

type Terminated = Extract<ContainerState, { state: 'terminated' }>;

/** Kubernetes resets a container's back-off once it has run this long. */
export const BACKOFF_RESET_MS = 10 * 60 * 1000;

/** The crash-loop back-off before restart number `step + 1`: base, 2×base, 4×base... capped. */
export function backoffDelay(step: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** step, maxMs);
}

/** `10s`, `2m40s`, `5m0s` — as the kubelet words back-offs. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/** Docker's zero time means "never". */
export const hasRun = (t: string | undefined): boolean => !!t && !t.startsWith('0001-');

export class ContainerSlot {
  id = '';
  state: ContainerState = { state: 'waiting', reason: 'ContainerCreating' };
  lastExit: Terminated | undefined;
  ready = false;
  restarts = 0;
  /** Docker's StartedAt / FinishedAt of the run last handled. */
  startedAt = '';
  finishedAt = '';
  /** An init container that succeeded, or a container that will not run again. */
  done = false;
  /** A start request is in flight. */
  starting = false;
  private backoffStep = 0;
  private timer: NodeJS.Timeout | undefined;
  private logs: LogFollower | undefined;
  private prober: ReadinessProber | undefined;
  private lastProbeFailure: string | undefined;

  constructor(
    readonly name: string,
    readonly image: string,
    readonly init: boolean,
    readonly index: number,
    readonly spec: JSONObject,
  ) {}

  get hasRun(): boolean {
    return hasRun(this.startedAt);
  }

  get backingOff(): boolean {
    return this.timer !== undefined;
  }

  /** Neither started nor waiting to restart: the runner may start it. */
  get startable(): boolean {
    return !this.done && !this.hasRun && !this.starting && !this.backingOff;
  }

  status(): ContainerStatus {
    return {
      name: this.name,
      image: this.image,
      id: this.id,
      state: this.state,
      ready: this.ready,
      restarts: this.restarts,
      init: this.init,
    };
  }

  waiting(reason: string, message?: string): void {
    this.state =
      message === undefined ? { state: 'waiting', reason } : { state: 'waiting', reason, message };
  }

  /** A run began (Docker's StartedAt); its output is followed by `logs`. */
  running(startedAt: string, logs: LogFollower): void {
    this.startedAt = startedAt;
    this.cancelBackoff();
    this.state = { state: 'running', startedAt: Date.parse(startedAt) };
    this.ready = false;
    this.logs?.stop();
    this.logs = logs;
  }

  /** Readiness from now on: by `prober`, or at once when the container has no probe. */
  watchReadiness(prober: ReadinessProber | undefined): void {
    this.prober?.stop();
    this.prober = prober;
    this.ready = prober === undefined;
    prober?.start();
  }

  /**
   * A probe result. Returns whether readiness changed, and the failure to report
   * (each different message once in a row, not every period).
   */
  probeResult(
    success: boolean,
    message: string,
    ready: boolean,
    changed: boolean,
  ): { changed: boolean; report?: string } {
    const report = !success && message !== this.lastProbeFailure ? message : undefined;
    this.lastProbeFailure = success ? undefined : message;
    if (changed) this.ready = ready;
    return { changed, report };
  }

  terminated(exitCode: number, reason: string, finishedAt: number, ranMs: number): void {
    this.stopProbe();
    this.ready = false;
    this.lastProbeFailure = undefined;
    this.lastExit = { state: 'terminated', exitCode, reason, finishedAt };
    this.state = this.lastExit;
    if (ranMs >= BACKOFF_RESET_MS) this.backoffStep = 0;
  }

  /** Waits out the next back-off (showing CrashLoopBackOff), then calls `restart`. */
  backOff(baseMs: number, maxMs: number, pod: string, restart: () => void): void {
    const delay = backoffDelay(this.backoffStep, baseMs, maxMs);
    this.backoffStep++;
    this.waiting(
      'CrashLoopBackOff',
      `back-off ${formatDelay(delay)} restarting failed container=${this.name} pod=${pod}`,
    );
    this.cancelBackoff();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      restart();
    }, delay);
    this.timer.unref();
  }

  /** Ends for good: a pod that finished or is stopped shows the last exit, not a back-off. */
  settle(): void {
    this.stopActivity();
    this.done = true;
    if (this.state.state === 'waiting' && this.lastExit) this.state = this.lastExit;
  }

  stopActivity(): void {
    this.stopProbe();
    this.cancelBackoff();
  }

  /**
   * Waits (at most `ms`) until the output of the run that ended has been passed
   * on, so that a container shows as terminated only after its last lines.
   */
  async drainLogs(ms: number): Promise<void> {
    const logs = this.logs;
    if (!logs) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([logs.ended, timeout]);
    clearTimeout(timer);
  }

  stopLogs(): void {
    this.logs?.stop();
    this.logs = undefined;
  }

  private stopProbe(): void {
    this.prober?.stop();
    this.prober = undefined;
  }

  private cancelBackoff(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
