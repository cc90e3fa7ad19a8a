// How statuses read and look: a tone (the colour) and a word for the update and runtime
// statuses, the combined status of a sidebar dot, and relative times.

import type { RuntimeStatus, UIResource, UpdateStatus } from '../../src/api/types.js';

export type Tone = 'ok' | 'error' | 'pending' | 'building' | 'idle' | 'disabled';

export function updateTone(s: UpdateStatus): Tone {
  return s === 'in_progress' ? 'building' : runtimeTone(s);
}

export function runtimeTone(s: RuntimeStatus | UpdateStatus): Tone {
  return s === 'ok' || s === 'error' || s === 'pending' ? s : 'idle';
}

const WORDS: Record<string, string> = {
  ok: 'ok',
  error: 'error',
  pending: 'pending',
  in_progress: 'in progress',
  not_applicable: 'n/a',
  none: 'none',
};

export function statusWord(s: UpdateStatus | RuntimeStatus): string {
  return WORDS[s] ?? s;
}

/** One tone for a resource: the update's when it is not healthy, else the runtime's (as Tilt). */
export function resourceTone(r: UIResource): Tone {
  const { status } = r;
  if (status.disabled) return 'disabled';
  const u = updateTone(status.updateStatus);
  if (u === 'error' || u === 'building' || u === 'pending') return u;
  const rt = runtimeTone(status.runtimeStatus);
  return rt === 'idle' ? u : rt;
}

const TYPE_LABELS: Record<string, string> = {
  k8s: 'K8s',
  local: 'Local',
  dc: 'Compose',
  tiltfile: 'Tiltfile',
};

export function typeLabel(r: UIResource): string {
  return TYPE_LABELS[r.status.type] ?? r.status.type;
}

/** When the last update finished (or the current one started), in ms. */
export function lastUpdateTime(r: UIResource): number | undefined {
  const b = r.status.buildHistory[0];
  const t = b?.finishTime ?? b?.startTime ?? r.status.currentBuild?.startTime;
  return t ? Date.parse(t) : undefined;
}

export function formatAgo(ms: number, now: number): string {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** Whether the trigger button can start an update now. */
export function canTrigger(r: UIResource): boolean {
  const s = r.status;
  return !s.disabled && s.updateStatus !== 'in_progress' && !s.queued && !s.currentBuild;
}

/** A colour class for a resource's name, the same for the same name (as `tilt logs`). */
export function nameColour(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return h % 8;
}
