// The engine of `tilt up` and `tilt ci`: the store, and the controllers that
// react to it. Tiltfile loads fill the store with resources; file watches add
// pending changes; the update controller builds and deploys; the runtime
// reports pods; port-forwards follow deploys.

import { dirname, join } from 'node:path';
import type { BuildEngine } from '../build/builder.js';
import { BuildRecord } from '../build/record.js';
import { TILTFILE_RESOURCE, type LogStore } from '../logs/index.js';
import type { Manifest, TriggerMode } from '../model/manifest.js';
import type { WorkloadRuntime } from '../runtime/workload.js';
import type { RegistrySpec } from '../tiltfile/builtins/images.js';
import { readTiltignore, FileWatcher } from '../watch/index.js';
import { K8sUpdater } from './k8s-update.js';
import { LiveSyncController } from './live-sync-controller.js';
import { LiveUpdater } from './live-update.js';
import { LocalUpdater } from './local-update.js';
import { storeLog, type ResourceLog } from './log.js';
import { PortForwardController } from './port-forward-controller.js';
import { RuntimeController } from './runtime-controller.js';
import { EngineStore } from './store.js';
import { TiltfileController } from './tiltfile-controller.js';
import { UpdateController } from './update-controller.js';
import { WatchController } from './watch-controller.js';

/**
 * Quiet period before a batch of file changes starts an update. Tilt waits
 * 200 ms; bench/watch.mjs shows 50 ms still coalesces loops of 5,000 writes,
 * `cp -r`, a git checkout and an editor's save into one batch, and it takes
 * 150 ms off every save.
 */
export const WATCH_QUIET_MS = 50;

export interface EngineOptions {
  /** Absolute path of the Tiltfile. */
  tiltfile: string;
  /** Tiltfile args (after `--`). */
  args: string[];
  mode: 'up' | 'ci';
  logs: LogStore;
  /** Runs the Kubernetes workloads. */
  runtime: WorkloadRuntime;
  /** Builds images (an engine that does not answer fails builds with DockerUnreachableError, and they are retried). */
  images: () => BuildEngine;
  /** Variables for the Tiltfile and local commands, over tilt's own environment. */
  env: Record<string, string>;
  /** Where the build record lives: outside the project, so that writing it changes no watched file. */
  stateDir: string;
  disablePortForwards?: boolean;
  /** Delay before retrying what failed because Docker did not answer. */
  retryDelayMs?: number;
}

export class Engine {
  readonly store: EngineStore;
  private readonly log: ResourceLog;
  private readonly watcher?: FileWatcher;
  private readonly tiltfile: TiltfileController;
  private readonly watches?: WatchController;
  private readonly updates: UpdateController;
  private readonly local: LocalUpdater;
  private readonly liveSyncs: LiveSyncController;
  private readonly runtimes: RuntimeController;
  private readonly forwards?: PortForwardController;
  private unsubscribe?: () => void;
  /** default_registry() of the last successful load. */
  private registry?: RegistrySpec;

  constructor(private readonly opts: EngineOptions) {
    this.store = new EngineStore(opts.tiltfile);
    this.log = storeLog(opts.logs);
    const baseDir = dirname(opts.tiltfile);
    if (opts.mode === 'up') {
      this.watcher = new FileWatcher({
        quietMs: WATCH_QUIET_MS,
        globalIgnores: [readTiltignore(opts.tiltfile)],
        onError: (err) => this.log('', 'watch', err.message, 'ERROR', 'runtime'),
      });
      this.watches = new WatchController(this.store, this.watcher);
    }
    const env = { ...(process.env as Record<string, string>), ...opts.env };
    this.tiltfile = new TiltfileController({
      store: this.store,
      log: this.log,
      args: opts.args,
      subcommand: opts.mode,
      env,
      containerRestarts: opts.runtime.restartContainer !== undefined,
      watcher: this.watcher,
      onRemoved: (removed) => void this.removeResources(removed),
      onLoaded: (result) => {
        if (!result.error) this.registry = result.registry;
        void this.watcher?.setGlobalIgnores([
          readTiltignore(opts.tiltfile),
          ...result.settings.watchIgnores.map((w) => ({
            baseDir: w.basePath,
            patterns: w.patterns,
          })),
        ]);
      },
    });
    const k8s = new K8sUpdater({
      images: opts.images,
      runtime: () => opts.runtime,
      record: new BuildRecord(join(opts.stateDir, 'builds.json')),
      registry: () => this.registry,
      push: opts.runtime.kind !== 'docker',
      tiltfile: opts.tiltfile,
      env: opts.env,
    });
    this.local = new LocalUpdater({
      env: opts.env,
      serveLog: (name) => (line, level) => this.log(name, `serve:${name}`, line, level, 'runtime'),
      onRuntime: (name, runtime) => {
        const r = this.store.get(name);
        if (!r) return;
        r.runtime = runtime;
        this.store.changed();
      },
    });
    const live = new LiveUpdater({ runtime: () => opts.runtime, tiltfile: opts.tiltfile });
    this.liveSyncs = new LiveSyncController(this.store, live, this.log);
    this.updates = new UpdateController({
      store: this.store,
      k8s,
      local: this.local,
      live,
      runtime: () => opts.runtime,
      log: this.log,
      baseDir,
      retryUnreachable: opts.mode === 'up',
      retryDelayMs: opts.retryDelayMs,
    });
    this.runtimes = new RuntimeController(this.store, opts.runtime, this.log, opts.retryDelayMs);
    if (!opts.disablePortForwards) {
      this.forwards = new PortForwardController(this.store, () => opts.runtime, this.log);
    }
  }

  /** Loads the Tiltfile and starts every controller. Resolves once the first load is done. */
  async start(): Promise<void> {
    this.unsubscribe = this.store.subscribe(() => this.reconcile());
    await this.runtimes.start();
    await this.tiltfile.load();
  }

  private reconcile(): void {
    this.watches?.reconcile();
    this.updates.reconcile();
    this.liveSyncs.reconcile();
    this.forwards?.reconcile();
  }

  /** Queues a manual update, as `tilt trigger` and the UI's button do; the Tiltfile runs again. */
  trigger(name: string): boolean {
    if (name === TILTFILE_RESOURCE) {
      void this.tiltfile.rerun();
      return true;
    }
    if (!this.store.get(name)) return false;
    if (!this.store.triggerQueue.includes(name)) this.store.triggerQueue.push(name);
    this.store.changed();
    return true;
  }

  /** Sets the trigger mode of resources (the UI's toggle); false when one is unknown. */
  setTriggerMode(names: string[], mode: TriggerMode): boolean {
    if (names.some((n) => !this.store.get(n))) return false;
    for (const name of names) {
      this.store.triggerModeOverrides.set(name, mode);
      const r = this.store.get(name)!;
      r.manifest = this.store.withOverrides(r.manifest);
    }
    this.store.changed();
    return true;
  }

  /**
   * Enables or disables resources (`tilt enable` / `tilt disable`): a disabled
   * resource's workloads and processes go away and it does not update; enabled
   * again, it starts over as at its first update. False when one is unknown.
   */
  async setEnabled(names: string[], enabled: boolean): Promise<boolean> {
    if (names.some((n) => !this.store.get(n))) return false;
    const stopping: Manifest[] = [];
    for (const name of names) {
      const r = this.store.get(name)!;
      this.store.enabledOverrides.set(name, enabled);
      const was = r.manifest.enabled;
      r.manifest = this.store.withOverrides(r.manifest);
      if (was === enabled) continue;
      r.status = 'never-built';
      r.pendingChanges = [];
      r.configChanged = false;
      r.deployed = false;
      r.live.clear();
      r.runtime = { status: enabled ? 'pending' : 'none', ready: false, since: Date.now() };
      if (!enabled) {
        this.updates.cancel(name);
        stopping.push(r.manifest);
      }
    }
    this.store.triggerQueue = this.store.triggerQueue.filter(
      (n) => this.store.get(n)?.manifest.enabled,
    );
    this.store.changed();
    await this.removeResources(stopping);
    return true;
  }

  /** Runs the Tiltfile again with new args (`tilt args`). */
  setArgs(args: string[]): Promise<void> {
    return this.tiltfile.setArgs(args);
  }

  /** The Tiltfile args now in use. */
  get args(): string[] {
    return this.tiltfile.args;
  }

  /** Resources a reload removed: their objects go, their processes stop. */
  private async removeResources(removed: Manifest[]): Promise<void> {
    for (const m of removed) {
      try {
        if (m.type === 'local') await this.local.stop(m.name);
        if (m.type === 'k8s' && m.k8s) await this.opts.runtime.delete(m.name, m.k8s.entities);
      } catch (e) {
        this.log(m.name, 'remove', (e as Error).message, 'ERROR');
      }
    }
  }

  /** Stops watching and updating; serve_cmd processes end, workloads keep running. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.updates.stop();
    this.liveSyncs.stop();
    await Promise.all([
      this.tiltfile.close(),
      this.watches?.close(),
      this.forwards?.close(),
      this.local.stopAll(),
      this.runtimes.close(),
    ]);
    await this.watcher?.close();
  }
}
