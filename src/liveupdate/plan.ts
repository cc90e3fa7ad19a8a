// What a live update does with a set of changed files: which container paths
// they map to through the sync steps, which files force a full rebuild
// (matching no sync, or a fall_back_on path), and which run steps they
// trigger. Pure: the caller looks at the disk and the containers.

import { posix, relative, sep } from 'node:path';
import { isUnder } from '../build/plan.js';
import type { LiveUpdateStep } from '../tiltfile/builtins/liveupdate.js';

/** A local path and where it goes in the container. */
export interface PathMapping {
  local: string;
  container: string;
}

export interface SyncPlan {
  /** Changed files that a sync covers, in the order given. */
  mappings: PathMapping[];
  /** Changed files that no sync covers: the update falls back to an image build. */
  noMatch: string[];
  /** Changed files under a fall_back_on path. */
  stopFiles: string[];
}

export type RunStep = Extract<LiveUpdateStep, { type: 'run' }>;
export type SyncStep = Extract<LiveUpdateStep, { type: 'sync' }>;

/** Where a local path lands in the container under `sync`, or undefined when the sync does not cover it. */
export function mapThroughSync(sync: SyncStep, local: string): string | undefined {
  if (!isUnder(local, sync.localPath)) return undefined;
  const rel = relative(sync.localPath, local).split(sep).join('/');
  return rel === '' ? sync.remotePath : posix.join(sync.remotePath, rel);
}

export function syncSteps(steps: readonly LiveUpdateStep[]): SyncStep[] {
  return steps.filter((s): s is SyncStep => s.type === 'sync');
}

export function runSteps(steps: readonly LiveUpdateStep[]): RunStep[] {
  return steps.filter((s): s is RunStep => s.type === 'run');
}

export const hasInitialSync = (steps: readonly LiveUpdateStep[]): boolean =>
  steps.some((s) => s.type === 'initial_sync');

export const restartsContainer = (steps: readonly LiveUpdateStep[]): boolean =>
  steps.some((s) => s.type === 'restart_container');

/** Maps changed files through the syncs (the first sync that covers a file wins). */
export function planSyncs(steps: readonly LiveUpdateStep[], changed: readonly string[]): SyncPlan {
  const syncs = syncSteps(steps);
  const stopPaths = steps.flatMap((s) => (s.type === 'fall_back_on' ? s.paths : []));
  const plan: SyncPlan = { mappings: [], noMatch: [], stopFiles: [] };
  for (const file of new Set(changed)) {
    if (stopPaths.some((p) => isUnder(file, p))) plan.stopFiles.push(file);
    let container: string | undefined;
    for (const s of syncs) {
      container = mapThroughSync(s, file);
      if (container !== undefined) break;
    }
    if (container === undefined) plan.noMatch.push(file);
    else plan.mappings.push({ local: file, container });
  }
  return plan;
}

/** The run steps to execute: those without triggers, and those a synced file triggers. */
export function triggeredRuns(runs: readonly RunStep[], synced: readonly string[]): RunStep[] {
  return runs.filter(
    (r) => r.triggers.length === 0 || synced.some((f) => r.triggers.some((t) => isUnder(f, t))),
  );
}

/** Tilt's list of files in a message: `[a b]`, at most 5 then `...`, relative to `base` when under it. */
export function fileList(files: readonly string[], base: string): string {
  const shown = files.length > 5 ? [...files.slice(0, 5), '...'] : [...files];
  return `[${shown.map((f) => (f !== '...' && isUnder(f, base) ? relative(base, f) || f : f)).join(' ')}]`;
}
