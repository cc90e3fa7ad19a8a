// What the terminal shows of each resource: its UIResource, flattened.

import type { UIResource } from '../api/types.js';
import type { UpdateStatusWord } from './status.js';
import type { EngineStore, ResourceState, RuntimeStatus } from './store.js';
import { tiltfileResource, uiResource } from './ui-resource.js';

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

function flatten(u: UIResource, lastUpdate?: number): ResourceView {
  const s = u.status;
  return {
    name: u.metadata.name,
    type: s.type,
    disabled: s.disabled,
    updateStatus: s.updateStatus,
    runtimeStatus: s.runtimeStatus,
    detail: s.detail,
    endpoints: s.endpointLinks.map((l) => l.url),
    lastUpdate,
    podName: s.podName,
  };
}

export function resourceView(r: ResourceState): ResourceView {
  return flatten(uiResource(r, 0), r.lastUpdate?.finishedAt);
}

export function engineView(store: EngineStore): EngineView {
  return {
    resources: [flatten(tiltfileResource(store)), ...store.resources.map(resourceView)],
    tiltfileError: store.tiltfile.error,
  };
}
