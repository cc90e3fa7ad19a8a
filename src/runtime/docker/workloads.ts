// Which objects make pods, how many, named how, and with which restart rules —
// checked the way the Kubernetes API server checks them, so that a spec the
// cluster would reject fails here too.

import { DEFAULT_NAMESPACE, type K8sEntity } from '../../k8s/entity.js';
import {
  childArray,
  childObject,
  childString,
  isJSONObject,
  stringMap,
  type JSONObject,
} from '../../k8s/json.js';
import type { ObjectRef } from './labels.js';
import type { PodNaming } from './names.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface JobSettings {
  backoffLimit: number;
  completions: number;
  parallelism: number;
}

/** A workload object, reduced to what running its pods needs. */
export interface WorkloadPlan {
  ref: ObjectRef;
  replicas: number;
  naming: PodNaming;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The pod spec, images injected. */
  spec: JSONObject;
  restartPolicy: RestartPolicy;
  job?: JobSettings;
  /** StatefulSet: names of the volumeClaimTemplates, each a volume per pod. */
  claimTemplates: string[];
  /** StatefulSet: the governing Service, which names each pod in DNS. */
  serviceName?: string;
}

/** What the runtime does with an object. */
export type ObjectRole =
  | { role: 'workload'; plan: WorkloadPlan }
  /** Stored for other objects to use: ConfigMap, Secret, Service. */
  | { role: 'config' }
  | { role: 'claim' }
  | { role: 'cronjob' }
  /** A built-in kind that runs nothing here (Namespace, ServiceAccount, Ingress...). */
  | { role: 'inert' }
  | { role: 'unknown' };

/** A workload the API server would refuse; the message says which field, as it does. */
export class WorkloadSpecError extends Error {
  constructor(
    readonly object: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkloadSpecError';
  }
}

const CONFIG_KINDS = new Set(['ConfigMap', 'Secret', 'Service']);
const WORKLOAD_NAMING: Record<string, PodNaming> = {
  Deployment: 'template-hash',
  ReplicaSet: 'random',
  ReplicationController: 'random',
  DaemonSet: 'random',
  StatefulSet: 'ordinal',
  Job: 'random',
  Pod: 'fixed',
};

export function objectRef(entity: K8sEntity): ObjectRef {
  return {
    kind: entity.kind,
    namespace: entity.namespace || DEFAULT_NAMESPACE,
    name: entity.name,
  };
}

export function classifyObject(entity: K8sEntity): ObjectRole {
  const kind = entity.kind;
  if (entity.group === '' && CONFIG_KINDS.has(kind)) return { role: 'config' };
  if (entity.group === '' && kind === 'PersistentVolumeClaim') return { role: 'claim' };
  if (kind === 'CronJob' && entity.group === 'batch') return { role: 'cronjob' };
  if (kind in WORKLOAD_NAMING && entity.podTemplate()) {
    return { role: 'workload', plan: workloadPlan(entity) };
  }
  return entity.isBuiltin ? { role: 'inert' } : { role: 'unknown' };
}

function workloadPlan(entity: K8sEntity): WorkloadPlan {
  const ref = objectRef(entity);
  const where = `${ref.kind.toLowerCase()}/${ref.name}`;
  const fail = (msg: string): never => {
    throw new WorkloadSpecError(where, msg);
  };
  if (!entity.name) fail('metadata.name: Required value: name is required');
  const template = entity.podTemplate()!;
  const prefix = ref.kind === 'Pod' ? 'spec' : 'spec.template.spec';
  const spec = template.spec ?? {};
  checkContainers(spec, prefix, fail);

  const objSpec = childObject(entity.obj, 'spec');
  const policyValue = childString(spec, 'restartPolicy');
  let restartPolicy: RestartPolicy;
  if (ref.kind === 'Job') {
    if (policyValue !== 'OnFailure' && policyValue !== 'Never') {
      fail(
        policyValue === ''
          ? `${prefix}.restartPolicy: Required value: valid values: "OnFailure", "Never"`
          : `${prefix}.restartPolicy: Unsupported value: ${JSON.stringify(policyValue)}: supported values: "OnFailure", "Never"`,
      );
    }
    restartPolicy = policyValue as RestartPolicy;
  } else if (ref.kind === 'Pod') {
    if (policyValue !== '' && !['Always', 'OnFailure', 'Never'].includes(policyValue)) {
      fail(
        `${prefix}.restartPolicy: Unsupported value: ${JSON.stringify(policyValue)}: supported values: "Always", "OnFailure", "Never"`,
      );
    }
    restartPolicy = (policyValue || 'Always') as RestartPolicy;
  } else {
    if (policyValue !== '' && policyValue !== 'Always') {
      fail(
        `${prefix}.restartPolicy: Unsupported value: ${JSON.stringify(policyValue)}: supported values: "Always"`,
      );
    }
    restartPolicy = 'Always';
  }

  let replicas = 1;
  if (['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet'].includes(ref.kind)) {
    replicas = nonNegativeInt(objSpec?.replicas, 1, 'spec.replicas', fail);
  }

  let job: JobSettings | undefined;
  if (ref.kind === 'Job') {
    job = {
      backoffLimit: nonNegativeInt(objSpec?.backoffLimit, 6, 'spec.backoffLimit', fail),
      completions: nonNegativeInt(objSpec?.completions, 1, 'spec.completions', fail),
      parallelism: nonNegativeInt(objSpec?.parallelism, 1, 'spec.parallelism', fail),
    };
    replicas = Math.min(job.parallelism, job.completions);
  }

  const claimTemplates: string[] = [];
  let serviceName: string | undefined;
  if (ref.kind === 'StatefulSet') {
    for (const claim of childArray(objSpec, 'volumeClaimTemplates') ?? []) {
      if (!isJSONObject(claim)) continue;
      const name = childString(childObject(claim, 'metadata'), 'name');
      if (name) claimTemplates.push(name);
    }
    serviceName = childString(objSpec, 'serviceName') || undefined;
  }

  return {
    ref,
    replicas,
    naming: WORKLOAD_NAMING[ref.kind]!,
    labels: template.labels,
    annotations: stringMap(template.metadata?.annotations),
    spec,
    restartPolicy,
    job,
    claimTemplates,
    serviceName,
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkContainers(spec: JSONObject, prefix: string, fail: (msg: string) => never): void {
  const containers = childArray(spec, 'containers') ?? [];
  if (containers.length === 0) fail(`${prefix}.containers: Required value`);
  const seen = new Set<string>();
  for (const field of ['initContainers', 'containers']) {
    (childArray(spec, field) ?? []).forEach((c, i) => {
      const at = `${prefix}.${field}[${i}]`;
      if (!isJSONObject(c)) fail(`${at}: Invalid value: not an object`);
      const name = childString(c as JSONObject, 'name');
      if (!name) fail(`${at}.name: Required value`);
      if (!DNS_LABEL.test(name) || name.length > 63) {
        fail(`${at}.name: Invalid value: ${JSON.stringify(name)}: must be a DNS label`);
      }
      if (seen.has(name)) fail(`${at}.name: Duplicate value: ${JSON.stringify(name)}`);
      seen.add(name);
      if (!childString(c as JSONObject, 'image')) fail(`${at}.image: Required value`);
    });
  }
}

function nonNegativeInt(
  value: unknown,
  dflt: number,
  field: string,
  fail: (msg: string) => never,
): number {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return fail(
      `${field}: Invalid value: ${JSON.stringify(value)}: must be a non-negative integer`,
    );
  }
  return value;
}

/** The containers of a pod spec, init containers first, with their role and position. */
export function podContainers(
  spec: JSONObject,
): { spec: JSONObject; name: string; image: string; init: boolean; index: number }[] {
  const out: { spec: JSONObject; name: string; image: string; init: boolean; index: number }[] = [];
  for (const [field, init] of [
    ['initContainers', true],
    ['containers', false],
  ] as const) {
    (childArray(spec, field) ?? []).forEach((c, index) => {
      if (!isJSONObject(c)) return;
      out.push({
        spec: c,
        name: childString(c, 'name'),
        image: childString(c, 'image'),
        init,
        index,
      });
    });
  }
  return out;
}
