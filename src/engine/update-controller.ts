// Starts updates: on every change of the engine's state it asks the scheduler
// for the next resource to update and runs it (image builds and deploy, or the
// local command), recording holds, results and errors on the resource.

import { relative } from 'node:path';
import { ImageBuildError } from '../build/builder.js';
import { k8sRuntime } from './status.js';
import { nextToUpdate, reasonText, type ScheduleResource, type UpdateReason } from './schedule.js';
import { HISTORY_SIZE, isUpdating, type EngineStore, type ResourceState } from './store.js';
import type { K8sUpdater } from './k8s-update.js';
import type { LocalUpdater } from './local-update.js';
import { LiveUpdateRunError, type LiveUpdater } from './live-update.js';
import type { WorkloadRuntime } from '../runtime/workload.js';
import type { ResourceLog } from './log.js';

export interface UpdateControllerOptions {
  store: EngineStore;
  k8s: K8sUpdater;
  local: LocalUpdater;
  live: LiveUpdater;
  runtime: () => WorkloadRuntime | undefined;
  log: ResourceLog;
  /** The Tiltfile's directory: changed paths are shown relative to it. */
  baseDir: string;
  /** Retry an update that failed because Docker did not answer (tilt up, not tilt ci). */
  retryUnreachable: boolean;
  retryDelayMs?: number;
}

export class UpdateController {
  private seq = 0;
  private readonly running = new Map<string, AbortController>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly opts: UpdateControllerOptions) {}

  /** Starts every update the scheduler allows now. */
  reconcile(): void {
    if (this.stopped) return;
    const { store } = this.opts;
    for (;;) {
      const result = nextToUpdate({
        resources: store.resources.map(scheduleView),
        triggerQueue: store.triggerQueue,
        maxParallelUpdates: store.tiltfile.settings?.maxParallelUpdates,
      });
      let holdsChanged = false;
      for (const r of store.resources) {
        const hold = result.holds.get(r.manifest.name);
        if (JSON.stringify(hold) !== JSON.stringify(r.hold)) {
          r.hold = hold;
          holdsChanged = true;
        }
      }
      if (holdsChanged) store.changed();
      if (!result.next) return;
      const r = store.get(result.next.name)!;
      this.start(r, result.next.reason);
    }
  }

  private start(r: ResourceState, reason: UpdateReason): void {
    const { store } = this.opts;
    const name = r.manifest.name;
    // A manual trigger takes the pending changes too, so they may still be live-updated.
    const changed =
      reason.kind === 'changed-files'
        ? reason.paths
        : reason.kind === 'manual-trigger'
          ? [...r.pendingChanges]
          : [];
    r.status = 'building';
    r.hold = undefined;
    r.pendingChanges = [];
    r.configChanged = false;
    store.triggerQueue = store.triggerQueue.filter((n) => n !== name);
    const shown: UpdateReason =
      reason.kind === 'changed-files'
        ? { kind: 'changed-files', paths: changed.map((p) => relative(this.opts.baseDir, p) || p) }
        : reason;
    const spanId = `build:${name}:${++this.seq}`;
    r.lastUpdate = { reason: reasonText(shown), startedAt: Date.now(), spanId };
    store.changed();
    const log = (line: string, level?: 'INFO' | 'WARN' | 'ERROR') =>
      this.opts.log(name, spanId, line, level);
    const abort = new AbortController();
    this.running.set(name, abort);
    log(r.lastUpdate.reason);
    void this.run(r, changed, log, abort.signal).finally(() => {
      if (this.running.get(name) === abort) this.running.delete(name);
    });
  }

  private async run(
    r: ResourceState,
    changed: string[],
    log: (line: string, level?: 'INFO' | 'WARN' | 'ERROR') => void,
    signal: AbortSignal,
  ): Promise<void> {
    const { store } = this.opts;
    const m = r.manifest;
    try {
      if (m.type === 'local') {
        await this.opts.local.update(m, log, signal);
      } else if (m.type === 'k8s') {
        if (!(await this.liveUpdate(r, changed, log, signal))) {
          r.built = await this.opts.k8s.update({
            manifest: m,
            built: r.built,
            changed,
            rebuild: this.opts.live.rebuildSet(r),
            log,
            signal,
          });
          r.deployed = true;
          this.opts.live.afterDeploy(r);
        }
        const runtime = this.opts.runtime();
        if (runtime) r.runtime = k8sRuntime(m, runtime.pods(m.name));
      } else {
        throw new Error('docker_compose resources are not run by tilt up yet');
      }
      if (store.get(m.name) !== r || !r.manifest.enabled) return; // removed or disabled meanwhile
      r.status = 'succeeded';
      r.lastUpdate = { ...r.lastUpdate!, finishedAt: Date.now() };
      remember(r);
    } catch (e) {
      if (store.get(m.name) !== r || !r.manifest.enabled) return;
      const message = (e as Error).message;
      r.status = 'failed';
      r.lastUpdate = { ...r.lastUpdate!, finishedAt: Date.now(), error: message };
      remember(r);
      log('');
      for (const line of `Build Failed: ${message}`.split('\n')) log(line, 'ERROR');
      if (e instanceof ImageBuildError && e.engineUnreachable && this.opts.retryUnreachable) {
        this.retryLater(m.name, log);
      }
    } finally {
      store.changed();
    }
  }

  /**
   * Live-updates the changed files when it can; true when that was the whole
   * update. Logs why when it falls back to a build; a failed run step fails
   * the update without one.
   */
  private async liveUpdate(
    r: ResourceState,
    changed: string[],
    log: (line: string, level?: 'INFO' | 'WARN' | 'ERROR') => void,
    signal: AbortSignal,
  ): Promise<boolean> {
    const decision = this.opts.live.decide(r, changed);
    if (decision.kind === 'full') return false;
    if (decision.kind === 'fallback') {
      const text = `Will not perform Live Update because:\n\t${decision.reason}\nFalling back to a full image build + deploy`;
      for (const line of text.split('\n')) log(line);
      return false;
    }
    try {
      await this.opts.live.run(r, decision.work, log, signal);
      return true;
    } catch (e) {
      if (e instanceof LiveUpdateRunError) throw e;
      const message = (e as Error).message;
      const text = `Live Update failed with unexpected error:\n\t${message.trim().replaceAll('\n', '\n\t')}\nFalling back to a full image build + deploy`;
      for (const line of text.split('\n')) log(line, 'WARN');
      return false;
    }
  }

  /** Docker did not answer: try again later, as if triggered, until it does. */
  private retryLater(name: string, log: (line: string) => void): void {
    const delay = this.opts.retryDelayMs ?? 5000;
    log(`Retrying in ${Math.round(delay / 1000)}s…`);
    clearTimeout(this.retryTimers.get(name));
    this.retryTimers.set(
      name,
      setTimeout(() => {
        this.retryTimers.delete(name);
        const { store } = this.opts;
        if (store.get(name) && !store.triggerQueue.includes(name)) store.triggerQueue.push(name);
        store.changed();
      }, delay),
    );
  }

  /** Cancels the update of one resource, if one runs (it was disabled). */
  cancel(name: string): void {
    this.running.get(name)?.abort();
  }

  /** Cancels running updates and pending retries. */
  stop(): void {
    this.stopped = true;
    for (const a of this.running.values()) a.abort();
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
  }
}

function remember(r: ResourceState): void {
  r.history = [r.lastUpdate!, ...r.history].slice(0, HISTORY_SIZE);
}

function scheduleView(r: ResourceState): ScheduleResource {
  const m = r.manifest;
  return {
    name: m.name,
    enabled: m.enabled,
    triggerMode: m.triggerMode,
    autoInit: m.autoInit,
    resourceDeps: m.resourceDeps,
    local: m.type === 'local',
    allowParallel: m.local?.allowParallel ?? false,
    imageRefs: m.imageTargets.map((t) => t.ref),
    // Syncing files into new containers holds off updates like one.
    status: isUpdating(r) ? 'building' : r.status,
    ready: r.runtime.ready,
    pendingChanges: r.pendingChanges,
    configChanged: r.configChanged,
  };
}
