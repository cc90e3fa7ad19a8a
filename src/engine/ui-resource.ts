// The engine's state as the API objects a running tilt serves: UIResource per
// resource (and the Tiltfile), UISession, and the engine's own kinds for
// `tilt get`. Pure functions of the store.

import {
  API_VERSION,
  type BuildRecord,
  type Condition,
  type EngineObject,
  type UIResource,
  type UISession,
} from '../api/types.js';
import { TILTFILE_RESOURCE } from '../logs/index.js';
import { holdText } from './holds.js';
import { updateStatusWord } from './status.js';
import type { EngineStore, ResourceState, UpdateRecord } from './store.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function buildRecord(u: UpdateRecord): BuildRecord {
  return {
    reason: u.reason,
    startTime: iso(u.startedAt)!,
    finishTime: iso(u.finishedAt),
    error: u.error,
    spanId: u.spanId,
  };
}

function conditions(ready: boolean, upToDate: boolean, reason?: string): Condition[] {
  return [
    { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? undefined : reason },
    { type: 'UpToDate', status: upToDate ? 'True' : 'False' },
  ];
}

function firstLine(s: string | undefined): string | undefined {
  return s?.split('\n').find((l) => l.trim() !== '');
}

export function uiResource(r: ResourceState, order: number): UIResource {
  const m = r.manifest;
  const updateStatus = updateStatusWord(r);
  let detail: string | undefined;
  if (updateStatus === 'error') detail = firstLine(r.lastUpdate?.error);
  else if (r.hold) detail = holdText(r.hold);
  else if (r.runtime.status === 'error' || r.runtime.status === 'pending')
    detail = r.runtime.detail;
  const building = r.status === 'building' && r.lastUpdate && r.lastUpdate.finishedAt === undefined;
  const pod = r.runtime.pods?.find((p) => p.name === r.runtime.podName);
  const disabled = !m.enabled;
  const ready = !disabled && r.runtime.ready && r.status === 'succeeded';
  return {
    kind: 'UIResource',
    apiVersion: API_VERSION,
    metadata: { name: m.name, labels: Object.fromEntries(m.labels.map((l) => [l, l])) },
    status: {
      type: m.type,
      order,
      updateStatus: disabled ? 'none' : updateStatus,
      runtimeStatus: disabled ? 'none' : r.runtime.status,
      detail: disabled ? undefined : detail,
      triggerMode: m.triggerMode === 'TRIGGER_MODE_MANUAL' ? 'manual' : 'auto',
      autoInit: m.autoInit,
      queued: false,
      hasPendingChanges: r.pendingChanges.length > 0 || r.configChanged,
      currentBuild: building ? buildRecord(r.lastUpdate!) : undefined,
      buildHistory: r.history.map(buildRecord),
      endpointLinks: r.endpoints.map((url) => ({ url })),
      podName: r.runtime.podName,
      containerIds: pod?.containers.map((c) => c.id),
      restarts: pod?.containers.reduce((n, c) => n + c.restarts, 0),
      disabled,
      labels: m.labels,
      conditions: conditions(
        ready,
        !disabled && r.status === 'succeeded' && updateStatus === 'ok',
        r.runtime.detail,
      ),
    },
  };
}

export function tiltfileResource(store: EngineStore): UIResource {
  const t = store.tiltfile;
  const updateStatus = t.loading
    ? 'in_progress'
    : t.error
      ? 'error'
      : t.loads > 0
        ? 'ok'
        : 'pending';
  return {
    kind: 'UIResource',
    apiVersion: API_VERSION,
    metadata: { name: TILTFILE_RESOURCE, labels: {} },
    status: {
      type: 'tiltfile',
      order: 0,
      updateStatus,
      runtimeStatus: 'not_applicable',
      detail: firstLine(t.error ?? undefined),
      triggerMode: 'auto',
      autoInit: true,
      queued: false,
      hasPendingChanges: false,
      buildHistory: [],
      endpointLinks: [],
      disabled: false,
      labels: [],
      conditions: conditions(updateStatus === 'ok', updateStatus === 'ok'),
    },
  };
}

/** Every resource, the Tiltfile first, in Tiltfile order. */
export function uiResources(store: EngineStore): UIResource[] {
  const queued = new Set(store.triggerQueue);
  return [
    tiltfileResource(store),
    ...store.resources.map((r, i) => {
      const u = uiResource(r, i + 1);
      u.status.queued = queued.has(r.manifest.name);
      return u;
    }),
  ];
}

export interface SessionInfo {
  startedAt: number;
  version: string;
  args: string[];
  mode: string;
}

export function uiSession(store: EngineStore, info: SessionInfo): UISession {
  return {
    kind: 'UISession',
    apiVersion: API_VERSION,
    metadata: { name: 'Tiltfile' },
    status: {
      tiltfileError: store.tiltfile.error,
      tiltStartTime: iso(info.startedAt)!,
      version: info.version,
      tiltfileArgs: info.args,
      mode: info.mode,
    },
  };
}

/** Kinds `tilt get` lists besides uiresource and uisession. */
export const ENGINE_KINDS = ['filewatch', 'imagemap', 'cmd', 'kubernetesdiscovery'] as const;

function object(
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
): EngineObject {
  return { kind, apiVersion: API_VERSION, metadata: { name }, spec, status };
}

/** The engine's objects of one kind (lower-case), for `tilt get KIND`. */
export function engineObjects(store: EngineStore, kind: string): EngineObject[] | undefined {
  switch (kind) {
    case 'filewatch':
      return store.resources.flatMap((r) =>
        r.manifest.imageTargets.map((t) =>
          object(
            'FileWatch',
            `image:${t.ref}`,
            { watchedPaths: t.watch.paths, ignores: t.watch.ignores },
            { pendingChanges: r.pendingChanges },
          ),
        ),
      );
    case 'imagemap':
      return store.resources.flatMap((r) =>
        r.manifest.imageTargets.map((t) => {
          const b = r.built.get(t.ref);
          return object(
            'ImageMap',
            t.ref,
            { selector: t.ref },
            b ? { image: b.deployRef, imageFromCluster: b.deployRef } : {},
          );
        }),
      );
    case 'cmd':
      return store.resources.flatMap((r) => {
        const l = r.manifest.local;
        if (!l) return [];
        const name = r.manifest.name;
        const cmds = [
          { name: `${name}:update`, args: l.updateCmd, dir: l.updateDir, status: {} },
          {
            name: `${name}:serve`,
            args: l.serveCmd,
            dir: l.serveDir,
            status: { ready: r.runtime.ready },
          },
        ];
        return cmds
          .filter((c) => c.args.length > 0)
          .map((c) => object('Cmd', c.name, { args: c.args, dir: c.dir }, c.status));
      });
    case 'kubernetesdiscovery':
      return store.resources
        .filter((r) => r.manifest.type === 'k8s')
        .map((r) =>
          object(
            'KubernetesDiscovery',
            r.manifest.name,
            { objects: r.manifest.k8s?.objectNames ?? [] },
            { pods: r.runtime.pods ?? [] },
          ),
        );
    default:
      return undefined;
  }
}
