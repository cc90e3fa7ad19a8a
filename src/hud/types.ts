// What the terminal HUD shows: a flat view of resources, built by the engine.

export type UpdateStatus = 'in_progress' | 'pending' | 'ok' | 'error' | 'none' | 'not_applicable';

export type RuntimeStatus = 'pending' | 'ok' | 'error' | 'not_applicable' | 'none' | 'unknown';

export interface HudResource {
  name: string;
  type: 'k8s' | 'local' | 'dc' | 'tiltfile';
  disabled: boolean;
  updateStatus: UpdateStatus;
  runtimeStatus: RuntimeStatus;
  /** one-line reason for error/pending, e.g. "CrashLoopBackOff", "Waiting on 1 resource: db" */
  detail?: string;
  endpoints: string[];
  /** ms since epoch of the last finished update */
  lastUpdate?: number;
}

export interface HudView {
  resources: HudResource[];
  webUrl?: string;
  /** e.g. "Tiltfile error" shown at the top */
  banner?: string;
}
