// The verdict of `tilt ci` over the engine's state: success once every enabled
// resource is updated and ready, failure at the first error, a timeout
// otherwise. Pure: the caller re-evaluates on every change and at deadlines.

import { goDurationShort } from './duration.js';
import { currentPod, podErrorMessage } from './status.js';
import { isUpdating, type EngineStore, type ResourceState } from './store.js';

export type CIVerdict =
  | { done: false; /** The next time a deadline passes, if any. */ nextDeadline?: number }
  | { done: true; ok: true }
  | { done: true; ok: false; error: string };

export interface CIClock {
  now: number;
  /** When tilt ci started. */
  startedAt: number;
  timeoutMs: number;
  readinessTimeoutMs: number;
  /** ci_settings(k8s_grace_period): runtime errors this soon after a deploy are tolerated. */
  k8sGracePeriodMs?: number;
}

/** Resources `tilt ci` waits for: enabled and started at init. */
function awaited(r: ResourceState): boolean {
  return r.manifest.enabled && r.manifest.autoInit;
}

export function ciVerdict(store: EngineStore, clock: CIClock): CIVerdict {
  if (store.tiltfile.error) return { done: true, ok: false, error: store.tiltfile.error };
  if (store.tiltfile.loads === 0) return pendingOrTimeout(store, clock);
  const resources = store.resources.filter(awaited);
  let nextDeadline = clock.startedAt + clock.timeoutMs;
  for (const r of resources) {
    if (r.status === 'failed')
      return { done: true, ok: false, error: r.lastUpdate?.error ?? 'Build Failed' };
    if (r.status !== 'succeeded') continue;
    const finished = r.lastUpdate?.finishedAt ?? clock.now;
    if (r.runtime.status === 'error') {
      const grace = r.manifest.type === 'k8s' ? (clock.k8sGracePeriodMs ?? 0) : 0;
      if (clock.now - finished >= grace) return { done: true, ok: false, error: runtimeError(r) };
      nextDeadline = Math.min(nextDeadline, finished + grace);
      continue;
    }
    if (!r.runtime.ready) {
      const deadline = finished + clock.readinessTimeoutMs;
      if (clock.now >= deadline) {
        return {
          done: true,
          ok: false,
          error: `Timeout after ${goDurationShort(clock.readinessTimeoutMs)} waiting for resource ${JSON.stringify(r.manifest.name)} to become ready`,
        };
      }
      nextDeadline = Math.min(nextDeadline, deadline);
    }
  }
  // A sync into a new container (initial_sync) is part of getting there.
  if (resources.every((r) => r.status === 'succeeded' && r.runtime.ready && !isUpdating(r)))
    return { done: true, ok: true };
  if (clock.now >= clock.startedAt + clock.timeoutMs) {
    const waiting = resources
      .filter((r) => !(r.status === 'succeeded' && r.runtime.ready))
      .map((r) => `${r.manifest.name}:${r.status === 'succeeded' ? 'runtime' : 'update'}`);
    return {
      done: true,
      ok: false,
      error: `Timeout after ${goDurationShort(clock.timeoutMs)}: ${waiting.length} resources waiting (${waiting.join(',')})`,
    };
  }
  return { done: false, nextDeadline };
}

function pendingOrTimeout(store: EngineStore, clock: CIClock): CIVerdict {
  if (clock.now >= clock.startedAt + clock.timeoutMs) {
    return {
      done: true,
      ok: false,
      error: `Timeout after ${goDurationShort(clock.timeoutMs)}: Tiltfile not loaded`,
    };
  }
  return { done: false, nextDeadline: clock.startedAt + clock.timeoutMs };
}

function runtimeError(r: ResourceState): string {
  const pod = currentPod(r.runtime.pods ?? []);
  const podMsg = pod && podErrorMessage(pod);
  if (podMsg) return podMsg;
  return `Resource ${JSON.stringify(r.manifest.name)} failed: ${r.runtime.detail ?? 'runtime error'}`;
}
