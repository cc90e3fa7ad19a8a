// Status as Tilt shows it, derived from the engine's state: the runtime status
// of a resource from its pods, and the update status from its last update.
// Pure functions, so the HUD, the web view and `tilt ci` agree.

import type { Manifest } from '../model/manifest.js';
import type { PodStatus } from '../runtime/workload.js';
import { isUpdating, type ResourceState, type RuntimeState } from './store.js';

/** Container waiting reasons that are errors, not progress (as Tilt and `tilt ci` treat them). */
export const ERROR_WAITING_REASONS = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'RunContainerError',
  'StartError',
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
]);

/** Whether the resource's objects make pods at all (a CronJob's are not scheduled here). */
export function expectsPods(m: Manifest): boolean {
  return (m.k8s?.entities ?? []).some((e) => e.kind !== 'CronJob' && e.podTemplate() !== undefined);
}

/** The pod Tilt shows for a resource: the newest one not being deleted. */
export function currentPod(pods: readonly PodStatus[]): PodStatus | undefined {
  const live = pods.filter((p) => !p.deleting);
  return [...live].sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** The runtime status of a deployed k8s resource from its pods. */
export function k8sRuntime(
  m: Manifest,
  pods: readonly PodStatus[],
  now = Date.now(),
): RuntimeState {
  const readiness = m.k8s?.podReadiness ?? '';
  if (!expectsPods(m) && readiness !== 'wait') {
    return { status: 'ok', ready: true, since: now, pods: [...pods] };
  }
  const pod = currentPod(pods);
  const base = { since: now, pods: [...pods], podName: pod?.name };
  if (!pod) return { ...base, status: 'pending', ready: false, detail: 'Waiting for pod' };
  const job = pod.owner.startsWith('job/');
  if (pod.phase === 'Succeeded') return { ...base, status: 'ok', ready: true, detail: 'Completed' };
  if (pod.phase === 'Failed') {
    return { ...base, status: 'error', ready: false, detail: podError(pod) ?? 'Error' };
  }
  const err = podError(pod);
  if (err) return { ...base, status: 'error', ready: false, detail: err };
  // A Job is ready when it completes, unless told to wait only for its pod to run.
  if (job || readiness === 'succeeded') {
    return { ...base, status: 'pending', ready: false, detail: pod.phase };
  }
  if (pod.phase === 'Running' && (pod.ready || readiness === 'ignore')) {
    return { ...base, status: 'ok', ready: true };
  }
  const waiting = pod.containers.find((c) => c.state.state === 'waiting');
  const detail =
    waiting?.state.state === 'waiting'
      ? waiting.state.reason
      : pod.phase === 'Running'
        ? 'Not ready'
        : pod.phase;
  return { ...base, status: 'pending', ready: false, detail };
}

/** `Pod "x" in error state due to container "y": reason`, or undefined when no container is in error. */
export function podErrorMessage(pod: PodStatus): string | undefined {
  for (const c of pod.containers) {
    const reason = containerError(c.state, pod.phase);
    if (reason)
      return `Pod ${JSON.stringify(pod.name)} in error state due to container ${JSON.stringify(c.name)}: ${reason}`;
  }
  if (pod.phase === 'Failed') return `Pod ${JSON.stringify(pod.name)} failed`;
  return undefined;
}

function podError(pod: PodStatus): string | undefined {
  for (const c of pod.containers) {
    const reason = containerError(c.state, pod.phase);
    if (reason) return reason;
  }
  return undefined;
}

function containerError(
  state: PodStatus['containers'][number]['state'],
  phase: string,
): string | undefined {
  if (state.state === 'waiting' && ERROR_WAITING_REASONS.has(state.reason)) return state.reason;
  // A non-zero exit is an error while the pod is not about to restart it (Failed),
  // or when it has not (yet) been put into back-off.
  if (state.state === 'terminated' && state.exitCode !== 0 && phase !== 'Succeeded') {
    return state.reason || `exit code ${state.exitCode}`;
  }
  return undefined;
}

/** Tilt's update status words. */
export type UpdateStatusWord =
  'in_progress' | 'pending' | 'ok' | 'error' | 'none' | 'not_applicable';

export function updateStatusWord(r: ResourceState): UpdateStatusWord {
  const m = r.manifest;
  if (m.type === 'local' && m.local && m.local.updateCmd.length === 0) {
    return r.status === 'building' ? 'in_progress' : 'not_applicable';
  }
  switch (isUpdating(r) ? 'building' : r.status) {
    case 'building':
      return 'in_progress';
    case 'never-built':
      return m.autoInit && m.enabled ? 'pending' : 'none';
    case 'failed':
      return r.pendingChanges.length > 0 || r.configChanged ? 'pending' : 'error';
    case 'succeeded':
      return r.pendingChanges.length > 0 || r.configChanged ? 'pending' : 'ok';
  }
}
