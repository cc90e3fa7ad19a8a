// Which resource to update next: a pure function over a plain snapshot of the
// engine's state, following Tilt's build control (max_parallel_updates,
// serialized local resources, shared images, resource_deps on the first
// update, trigger modes, the trigger queue). No I/O, no timers.

import type { TriggerMode } from '../model/manifest.js';

/** The outcome of a resource's last update, or that it is updating now. */
export type UpdateStatus = 'never-built' | 'building' | 'succeeded' | 'failed';

/** What the scheduler needs to know about one resource. */
export interface ScheduleResource {
  name: string;
  /** Disabled resources never update. */
  enabled: boolean;
  /** Auto: file changes start an update. Manual: they only mark it pending. */
  triggerMode: TriggerMode;
  /** False (TRIGGER_MODE_*_NO_INIT): no update at start until triggered or changed. */
  autoInit: boolean;
  /** Names of resources whose first update must succeed and be ready before ours starts. */
  resourceDeps: string[];
  /** A local_resource. */
  local: boolean;
  /** local_resource(allow_parallel=...); ignored unless `local`. */
  allowParallel: boolean;
  /** Refs of the image targets it builds; resources sharing one never build at once. */
  imageRefs: string[];
  status: UpdateStatus;
  /**
   * Its runtime is ready (pods ready, serve_cmd's readiness probe passing, or a
   * local resource with no serve_cmd whose update succeeded). Only true after
   * a successful update.
   */
  ready: boolean;
  /** Changed files not yet picked up by an update, in the order seen. */
  pendingChanges: string[];
  /** Its definition changed in a Tiltfile reload since its last update. */
  configChanged?: boolean;
}

export interface ScheduleState {
  /** In Tiltfile order. */
  resources: ScheduleResource[];
  /** update_settings(max_parallel_updates=...); Tilt's default is 3. */
  maxParallelUpdates?: number;
  /** Names queued by `tilt trigger` or the UI, oldest first. */
  triggerQueue: string[];
}

export const DEFAULT_MAX_PARALLEL_UPDATES = 3;

export type UpdateReason =
  | { kind: 'initial' }
  | { kind: 'changed-files'; paths: string[] }
  | { kind: 'config-changed' }
  | { kind: 'manual-trigger' };

/** Why a resource that wants to update cannot start now. */
export type Hold =
  /** As many updates as allowed are running. */
  | { reason: 'waiting-for-parallelism'; building: string[] }
  /** A serialized local resource is running, or this one is serialized and others run. */
  | { reason: 'waiting-for-local'; building: string[] }
  /** Another resource is building an image this one also builds. */
  | { reason: 'waiting-for-image'; image: string; building: string }
  /** Its first update waits for these resource_deps to succeed and be ready. */
  | { reason: 'waiting-for-deps'; deps: string[] };

export interface ScheduleResult {
  next?: { name: string; reason: UpdateReason };
  holds: Map<string, Hold>;
}

/** Tilt prints at most this many changed paths, then `...`. */
const MAX_CHANGED_FILES_TO_PRINT = 5;

/** The line Tilt logs at the start of an update, e.g. `1 File Changed: [a]`. */
export function reasonText(reason: UpdateReason): string {
  switch (reason.kind) {
    case 'initial':
      return 'Initial Build';
    case 'manual-trigger':
      return 'Manual Trigger';
    case 'config-changed':
      return 'Config Changed';
    case 'changed-files': {
      const n = reason.paths.length;
      const shown =
        n > MAX_CHANGED_FILES_TO_PRINT
          ? [...reason.paths.slice(0, MAX_CHANGED_FILES_TO_PRINT), '...']
          : reason.paths;
      return `${n} File${n === 1 ? '' : 's'} Changed: [${shown.join(' ')}]`;
    }
  }
}

const serialized = (r: ScheduleResource): boolean => r.local && !r.allowParallel;

/** Why `r` wants to update now, if it does (ignoring holds). */
function wantedReason(r: ScheduleResource, triggered: boolean): UpdateReason | undefined {
  if (!r.enabled || r.status === 'building') return undefined;
  if (triggered) return { kind: 'manual-trigger' };
  if (r.status === 'never-built' && r.autoInit) return { kind: 'initial' };
  // A changed definition is like a changed file: it waits for a trigger in manual mode.
  if (r.configChanged && r.status !== 'never-built' && r.triggerMode === 'TRIGGER_MODE_AUTO') {
    return { kind: 'config-changed' };
  }
  if (r.pendingChanges.length > 0 && r.triggerMode === 'TRIGGER_MODE_AUTO') {
    return { kind: 'changed-files', paths: [...r.pendingChanges] };
  }
  return undefined;
}

function holdFor(
  r: ScheduleResource,
  building: ScheduleResource[],
  max: number,
  byName: Map<string, ScheduleResource>,
): Hold | undefined {
  const names = building.map((b) => b.name);
  if (building.some(serialized)) {
    return {
      reason: 'waiting-for-local',
      building: building.filter(serialized).map((b) => b.name),
    };
  }
  if (building.length >= max) return { reason: 'waiting-for-parallelism', building: names };
  if (serialized(r) && building.length > 0) return { reason: 'waiting-for-local', building: names };
  for (const image of r.imageRefs) {
    const other = building.find((b) => b.imageRefs.includes(image));
    if (other) return { reason: 'waiting-for-image', image, building: other.name };
  }
  if (r.status === 'never-built') {
    // Unknown names are dropped (with a warning) when the Tiltfile loads.
    const deps = r.resourceDeps.filter((d) => {
      const dep = byName.get(d);
      return dep !== undefined && !(dep.ready && dep.status !== 'never-built');
    });
    if (deps.length > 0) return { reason: 'waiting-for-deps', deps };
  }
  return undefined;
}

/**
 * Picks the next resource to update: first the trigger queue in order, then
 * resources never updated (Tiltfile order), then those with pending file
 * changes (Tiltfile order). Every resource that wants to update but cannot
 * gets a hold saying why.
 */
export function nextToUpdate(state: ScheduleState): ScheduleResult {
  const max = Math.max(1, state.maxParallelUpdates ?? DEFAULT_MAX_PARALLEL_UPDATES);
  const byName = new Map(state.resources.map((r) => [r.name, r]));
  const building = state.resources.filter((r) => r.status === 'building');
  const queued = new Set(state.triggerQueue);

  const tiers: { r: ScheduleResource; reason: UpdateReason }[][] = [[], [], []];
  for (const name of queued) {
    const r = byName.get(name);
    const reason = r && wantedReason(r, true);
    if (r && reason) tiers[0].push({ r, reason });
  }
  for (const r of state.resources) {
    if (queued.has(r.name)) continue;
    const reason = wantedReason(r, false);
    if (reason) tiers[reason.kind === 'initial' ? 1 : 2].push({ r, reason });
  }

  const holds = new Map<string, Hold>();
  let next: ScheduleResult['next'];
  for (const { r, reason } of tiers.flat()) {
    const hold = holdFor(r, building, max, byName);
    if (hold) holds.set(r.name, hold);
    else next ??= { name: r.name, reason };
  }
  return next ? { next, holds } : { holds };
}
