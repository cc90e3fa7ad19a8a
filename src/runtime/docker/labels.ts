// The labels on everything the Docker runtime creates. They name the project and
// resource (so `tilt down` removes exactly what `tilt up` made) and carry what a
// later `tilt up` needs to adopt running pods instead of recreating them.

import type { JSONObject } from '../../k8s/json.js';

export const LABEL_PROJECT = 'dev.tilt.project';
export const LABEL_RESOURCE = 'dev.tilt.resource';
/** `<Kind>/<namespace>/<name>` of the object that made the pod, e.g. `Deployment/default/web`. */
export const LABEL_OBJECT = 'dev.tilt.object';
export const LABEL_POD = 'dev.tilt.pod';
export const LABEL_SPEC_HASH = 'dev.tilt.spec-hash';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** `sandbox`, `init` or `app`. */
export const LABEL_ROLE = 'dev.tilt.role';
/** The container's name in the pod spec. */
export const LABEL_CONTAINER = 'dev.tilt.container';
/** The container's position among the pod's init or app containers. */
export const LABEL_INDEX = 'dev.tilt.index';
/** On the sandbox: the pod as JSON (PodRecord), to adopt it without its Tiltfile. */
export const LABEL_POD_RECORD = 'dev.tilt.pod-record';

export type ContainerRole = 'sandbox' | 'init' | 'app';

/** A pod as the sandbox's label keeps it. */
export interface PodRecord {
  namespace: string;
  labels: Record<string, string>;
  spec: JSONObject;
  /** ms since the epoch. */
  createdAt: number;
}

/** An object of a resource, as it is named in labels and messages. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export function objectLabel(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function parseObjectLabel(value: string): ObjectRef | undefined {
  const parts = value.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
}

/** How Tilt names an object in messages and pod owners: `deployment/web`. */
export function ownerName(ref: Pick<ObjectRef, 'kind' | 'name'>): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}

/** Labels that every container, volume and network of a resource carries. */
export function resourceLabels(project: string, resource: string): Record<string, string> {
  return {
    [LABEL_PROJECT]: project,
    [LABEL_RESOURCE]: resource,
    [LABEL_MANAGED_BY]: 'tilt',
  };
}

export interface PodLabelInput {
  project: string;
  resource: string;
  object: ObjectRef;
  pod: string;
  specHash: string;
}

/** Labels of one of a pod's containers (or its sandbox). */
export function containerLabels(
  pod: PodLabelInput,
  role: ContainerRole,
  container?: { name: string; index: number },
): Record<string, string> {
  const labels: Record<string, string> = {
    ...resourceLabels(pod.project, pod.resource),
    [LABEL_OBJECT]: objectLabel(pod.object),
    [LABEL_POD]: pod.pod,
    [LABEL_SPEC_HASH]: pod.specHash,
    [LABEL_ROLE]: role,
  };
  if (container) {
    labels[LABEL_CONTAINER] = container.name;
    labels[LABEL_INDEX] = String(container.index);
  }
  return labels;
}

/** What the labels of an existing container say about it; undefined when they are not ours. */
export interface LabelledContainer {
  resource: string;
  object: ObjectRef;
  pod: string;
  specHash: string;
  role: ContainerRole;
  container: string;
  index: number;
  record?: PodRecord;
}

export function readContainerLabels(
  labels: Record<string, string> | undefined,
): LabelledContainer | undefined {
  if (!labels) return undefined;
  const object = parseObjectLabel(labels[LABEL_OBJECT] ?? '');
  const role = labels[LABEL_ROLE];
  const resource = labels[LABEL_RESOURCE];
  const pod = labels[LABEL_POD];
  if (!object || !resource || !pod) return undefined;
  if (role !== 'sandbox' && role !== 'init' && role !== 'app') return undefined;
  const index = Number(labels[LABEL_INDEX] ?? '0');
  let record: PodRecord | undefined;
  const raw = labels[LABEL_POD_RECORD];
  if (raw) {
    try {
      record = JSON.parse(raw) as PodRecord;
    } catch {
      record = undefined;
    }
  }
  return {
    resource,
    object,
    pod,
    specHash: labels[LABEL_SPEC_HASH] ?? '',
    role,
    container: labels[LABEL_CONTAINER] ?? '',
    index: Number.isInteger(index) ? index : 0,
    record,
  };
}

/** The `label=` filters that select a project's (or one resource's) Docker objects. */
export function labelFilters(project: string, resource?: string): string[] {
  const filters = [`${LABEL_PROJECT}=${project}`];
  if (resource !== undefined) filters.push(`${LABEL_RESOURCE}=${resource}`);
  return filters;
}
