// What a running `tilt up` serves: the objects the web UI and the CLI read
// (UIResource, UISession and the engine's own kinds), the view and its
// websocket deltas, and the requests that change things. Plain JSON types,
// shared by the server (src/server), the CLI client (src/client) and the web
// UI (web/), which imports this file directly.

export const API_VERSION = 'tilt.dev/v1alpha1';

export type UpdateStatus = 'ok' | 'error' | 'pending' | 'in_progress' | 'not_applicable' | 'none';
export type RuntimeStatus = 'ok' | 'error' | 'pending' | 'not_applicable' | 'none';
export type TriggerMode = 'auto' | 'manual';
export type ResourceType = 'k8s' | 'local' | 'dc' | 'tiltfile';

export interface ObjectMeta {
  name: string;
  labels?: Record<string, string>;
  /** RFC 3339. */
  creationTimestamp?: string;
}

/** One past or running update. Times are RFC 3339. */
export interface BuildRecord {
  /** `Initial Build`, `1 File Changed: [a]`, `Manual Trigger`, ... */
  reason: string;
  startTime: string;
  finishTime?: string;
  error?: string;
  /** The log span of the update's output. */
  spanId?: string;
}

export interface Condition {
  type: 'Ready' | 'UpToDate';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  lastTransitionTime?: string;
}

export interface UIResourceStatus {
  type: ResourceType;
  /** Position in the Tiltfile; the Tiltfile resource is 0. */
  order: number;
  updateStatus: UpdateStatus;
  runtimeStatus: RuntimeStatus;
  /** Why it is pending or in error, in one line. */
  detail?: string;
  triggerMode: TriggerMode;
  autoInit: boolean;
  /** Waiting in the trigger queue. */
  queued: boolean;
  /** Files changed that no update has picked up yet (a manual resource's trigger is highlighted). */
  hasPendingChanges: boolean;
  pendingBuildSince?: string;
  currentBuild?: BuildRecord;
  /** Newest first; at most a few. */
  buildHistory: BuildRecord[];
  endpointLinks: { url: string; name?: string }[];
  /** The newest pod (k8s) and its state. */
  podName?: string;
  containerIds?: string[];
  restarts?: number;
  disabled: boolean;
  /** Labels from the Tiltfile (`labels=`), used as groups. */
  labels: string[];
  conditions: Condition[];
}

export interface UIResource {
  kind: 'UIResource';
  apiVersion: typeof API_VERSION;
  metadata: ObjectMeta;
  status: UIResourceStatus;
}

export interface UISessionStatus {
  tiltfileError: string | null;
  tiltStartTime: string;
  version: string;
  /** Arguments after `--`, as `tilt args` sets them. */
  tiltfileArgs: string[];
  /** `up` or `ci`. */
  mode: string;
}

export interface UISession {
  kind: 'UISession';
  apiVersion: typeof API_VERSION;
  metadata: ObjectMeta;
  status: UISessionStatus;
}

/** An object of one of the engine's own kinds, for `tilt get` / `tilt describe`. */
export interface EngineObject {
  kind: string;
  apiVersion: typeof API_VERSION;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

export type ApiObject = UIResource | UISession | EngineObject;

/** A piece of log text, as the log store keeps it. */
export interface LogSegmentJSON {
  index: number;
  /** '' for global output; `(Tiltfile)` for the Tiltfile's. */
  resource: string;
  spanId: string;
  level: 'INFO' | 'WARN' | 'ERROR';
  source: 'build' | 'runtime' | 'tiltfile';
  /** ms since the epoch. */
  time: number;
  text: string;
}

export interface LogChunk {
  segments: LogSegmentJSON[];
  /** Pass back to read what comes after. */
  checkpoint: number;
  /** Lines dropped to stay within the log budget, in this range. */
  dropped: number;
}

/** Everything the UI shows. */
export interface View {
  session: UISession;
  /** In Tiltfile order, the Tiltfile resource first. */
  resources: UIResource[];
  logs: LogChunk;
}

/** Messages on /ws/view: the whole view first, then only what changed. */
export type ViewMessage =
  | { type: 'view'; view: View }
  | {
      type: 'delta';
      /** Resources that changed or appeared (whole objects). */
      resources: UIResource[];
      /** Names of resources that are gone. */
      removed: string[];
      session?: UISession;
      /** Log text since the previous message. */
      logs: LogChunk;
    };

/** Messages on /ws/objects/<kind>: all objects of the kind, then those that changed. */
export type ObjectWatchMessage =
  { type: 'list'; items: ApiObject[] } | { type: 'changed'; items: ApiObject[]; removed: string[] };

// Requests (POST, JSON bodies), answered with `{}` or `{ "error": "..." }` and a 4xx status.

/** POST /api/trigger */
export interface TriggerRequest {
  manifest_names: string[];
  build_reason?: number;
}

/** POST /api/override/trigger_mode */
export interface TriggerModeRequest {
  manifest_names: string[];
  /** Tilt's numbers: 0 auto, 1 manual (with auto_init), 2 manual, 3 auto (without auto_init). */
  trigger_mode: number;
}

/** POST /api/set_tiltfile_args */
export type SetArgsRequest = string[];

/** POST /api/enable (enable or disable resources) */
export interface EnableRequest {
  manifest_names: string[];
  enable: boolean;
}

/** GET /api/snapshot: the view and every log line, for `tilt snapshot create`. */
export interface Snapshot {
  view: View;
  createdAt: string;
}

/** Header that carries the per-instance token for the CLI (the page gets a cookie). */
export const TOKEN_HEADER = 'x-tilt-token';

/** The page's cookie; named per port, as cookies are shared by every port of a host. */
export const tokenCookie = (port: number) => `tilt_token_${port}`;
