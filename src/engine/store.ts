// The engine's state: the Tiltfile's outcome and one record per resource.
// Controllers change it through the store and react to its change
// notifications (coalesced into one per tick), never by calling each other.

import type { BuiltImage } from '../build/builder.js';
import type { Manifest, TriggerMode } from '../model/manifest.js';
import type { PodStatus } from '../runtime/workload.js';
import type { TiltfileSettings } from '../tiltfile/builtins/settings.js';
import type { Hold, UpdateStatus } from './schedule.js';

/** How the resource's workload is doing (Tilt's runtime status). */
export type RuntimeStatus = 'pending' | 'ok' | 'error' | 'not_applicable' | 'none';

export interface RuntimeState {
  status: RuntimeStatus;
  /** Why it is pending or in error, e.g. `CrashLoopBackOff`, in one line. */
  detail?: string;
  /** Pods ready (Jobs: succeeded), or the serve_cmd up and its probe passing. */
  ready: boolean;
  /** The newest pod's name, for the UI. */
  podName?: string;
  pods?: PodStatus[];
  /** ms since the epoch when the status last changed. */
  since: number;
}

export interface UpdateRecord {
  reason: string;
  startedAt: number;
  finishedAt?: number;
  error?: string;
  /** The log span of its output. */
  spanId?: string;
}

/** How many finished updates a resource remembers. */
export const HISTORY_SIZE = 10;

/** What live update has put into the containers of one image since it was built. */
export interface LiveTargetState {
  /** The image (deploy ref) the containers were created from. */
  image: string;
  /** Raised by every live update of the image. */
  version: number;
  /** Local files live-updated since the image was built, with the version that last did. */
  files: Map<string, number>;
  /** Containers of the image, with the version of files they have. */
  containers: Map<string, number>;
}

export interface ResourceState {
  manifest: Manifest;
  status: UpdateStatus;
  /** The update running now, or the last one. */
  lastUpdate?: UpdateRecord;
  /** Finished updates, newest first (at most HISTORY_SIZE). */
  history: UpdateRecord[];
  /** Changed files not yet picked up by an update, in the order seen. */
  pendingChanges: string[];
  /** Its definition changed in a reload since its last update. */
  configChanged: boolean;
  /** Images built for it, by ref as written. */
  built: Map<string, BuiltImage>;
  runtime: RuntimeState;
  /** Why it waits, while it wants to update and cannot. */
  hold?: Hold;
  /** Its objects were applied at least once in this session. */
  deployed: boolean;
  /** Endpoints shown to the user: port-forward URLs and links. */
  endpoints: string[];
  /** Live update state, by image ref as written. */
  live: Map<string, LiveTargetState>;
  /** Files are being synced into new containers: no update starts meanwhile. */
  liveSyncing: boolean;
}

export interface TiltfileState {
  path: string;
  /** The load running now, if any. */
  loading: boolean;
  /** The last load's error as Tilt shows it, or null. */
  error: string | null;
  /** Number of loads finished, 0 before the first. */
  loads: number;
  settings?: TiltfileSettings;
}

type Listener = () => void;

export class EngineStore {
  readonly tiltfile: TiltfileState;
  private readonly byName = new Map<string, ResourceState>();
  /** Names queued by triggers, oldest first. */
  triggerQueue: string[] = [];
  /** Trigger modes set from the UI or the CLI; they outlast reloads. */
  readonly triggerModeOverrides = new Map<string, TriggerMode>();
  /** Resources enabled or disabled from the UI or the CLI; they outlast reloads. */
  readonly enabledOverrides = new Map<string, boolean>();
  private readonly listeners = new Set<Listener>();
  private notifyScheduled = false;

  constructor(tiltfilePath: string) {
    this.tiltfile = { path: tiltfilePath, loading: false, error: null, loads: 0 };
  }

  /** Resources in Tiltfile order. */
  get resources(): ResourceState[] {
    return [...this.byName.values()];
  }

  get(name: string): ResourceState | undefined {
    return this.byName.get(name);
  }

  /**
   * Replaces the set of resources with a reload's manifests, keeping the state
   * of those that remain. Returns what changed.
   */
  setManifests(manifests: Manifest[]): { added: string[]; removed: Manifest[]; changed: string[] } {
    const added: string[] = [];
    const changed: string[] = [];
    const next = new Map<string, ResourceState>();
    for (const loaded of manifests) {
      const m = this.withOverrides(loaded);
      const old = this.byName.get(m.name);
      if (!old) {
        added.push(m.name);
        next.set(m.name, newResource(m));
        continue;
      }
      if (!sameDefinition(old.manifest, m)) {
        changed.push(m.name);
        old.configChanged = old.status !== 'never-built';
      }
      old.manifest = m;
      next.set(m.name, old);
    }
    const removed = [...this.byName.values()]
      .filter((r) => !next.has(r.manifest.name))
      .map((r) => r.manifest);
    this.byName.clear();
    for (const [k, v] of next) this.byName.set(k, v);
    this.triggerQueue = this.triggerQueue.filter((n) => next.has(n));
    this.changed();
    return { added, removed, changed };
  }

  /** The manifest as the user's overrides change it. */
  withOverrides(m: Manifest): Manifest {
    const mode = this.triggerModeOverrides.get(m.name);
    const enabled = this.enabledOverrides.get(m.name);
    if (mode === undefined && enabled === undefined) return m;
    return { ...m, triggerMode: mode ?? m.triggerMode, enabled: enabled ?? m.enabled };
  }

  /** Call after changing any state: listeners run once, on the next tick. */
  changed(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const l of [...this.listeners]) l();
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function newResource(m: Manifest): ResourceState {
  return {
    manifest: m,
    status: 'never-built',
    history: [],
    pendingChanges: [],
    configChanged: false,
    built: new Map(),
    runtime: {
      status: m.type === 'local' && !m.local?.serveCmd.length ? 'not_applicable' : 'pending',
      ready: false,
      since: Date.now(),
    },
    endpoints: [],
    deployed: false,
    live: new Map(),
    liveSyncing: false,
  };
}

/** An update runs, or files are being synced into new containers: either way, it is busy. */
export function isUpdating(r: ResourceState): boolean {
  return r.status === 'building' || r.liveSyncing;
}

/** Whether two manifests define the same resource (plain data: JSON compares them whole). */
export function sameDefinition(a: Manifest, b: Manifest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
