// What the terminal and the HTTP view show of each resource: plain data
// derived from the store.

import { TILTFILE_RESOURCE } from '../logs/index.js';
import { updateStatusWord, type UpdateStatusWord } from './status.js';
import type { EngineStore, ResourceState, RuntimeStatus } from './store.js';
import { holdText } from './holds.js';

export interface ResourceView {
  name: string;
  type: 'k8s' | 'local' | 'dc' | 'tiltfile';
  disabled: boolean;
  updateStatus: UpdateStatusWord;
  runtimeStatus: RuntimeStatus;
  /** One line on why it is pending or in error. */
  detail?: string;
  endpoints: string[];
  /** ms since the epoch when its last update finished. */
  lastUpdate?: number;
  podName?: string;
}

export interface EngineView {
  resources: ResourceView[];
  tiltfileError: string | null;
}

export function resourceView(r: ResourceState): ResourceView {
  const updateStatus = updateStatusWord(r);
  let detail: string | undefined;
  if (updateStatus === 'error') detail = firstLine(r.lastUpdate?.error);
  else if (r.hold) detail = holdText(r.hold);
  else if (r.runtime.status === 'error' || r.runtime.status === 'pending')
    detail = r.runtime.detail;
  return {
    name: r.manifest.name,
    type: r.manifest.type,
    disabled: !r.manifest.enabled,
    updateStatus,
    runtimeStatus: r.manifest.enabled ? r.runtime.status : 'none',
    detail,
    endpoints: r.endpoints,
    lastUpdate: r.lastUpdate?.finishedAt,
    podName: r.runtime.podName,
  };
}

export function engineView(store: EngineStore): EngineView {
  const t = store.tiltfile;
  const tiltfile: ResourceView = {
    name: TILTFILE_RESOURCE,
    type: 'tiltfile',
    disabled: false,
    updateStatus: t.loading ? 'in_progress' : t.error ? 'error' : t.loads > 0 ? 'ok' : 'pending',
    runtimeStatus: 'not_applicable',
    detail: firstLine(t.error ?? undefined),
    endpoints: [],
  };
  return { resources: [tiltfile, ...store.resources.map(resourceView)], tiltfileError: t.error };
}

function firstLine(s: string | undefined): string | undefined {
  return s?.split('\n').find((l) => l.trim() !== '');
}
