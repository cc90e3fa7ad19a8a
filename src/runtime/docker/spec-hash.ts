// The spec hash of a pod: what decides whether an apply keeps a running pod or
// replaces it. It covers the pod template (with the injected images) and the data
// of the ConfigMaps and Secrets it reads, but not the replica count.

import { createHash } from 'node:crypto';
import type { JSONValue } from '../../k8s/json.js';
import { referencedData } from './config-refs.js';
import type { ObjectLookup } from './config-store.js';
import type { WorkloadPlan } from './workloads.js';

/** JSON with object keys sorted, so that equal values give equal text. */
export function stableJSON(value: JSONValue | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJSON).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJSON(value[k])}`).join(',')}}`;
}

/** 32 hex digits of the SHA-256 of the value's stable JSON. */
export function specHash(value: JSONValue): string {
  return createHash('sha256').update(stableJSON(value)).digest('hex').slice(0, 32);
}

/**
 * The spec hash of a workload's pods: the pod template (images injected), what
 * the object says about running it (a Job's limits, a StatefulSet's claims) and
 * the data of the ConfigMaps and Secrets the pods read.
 */
export function podSpecHash(plan: WorkloadPlan, lookup: ObjectLookup): string {
  return specHash({
    kind: plan.ref.kind,
    labels: plan.labels,
    annotations: plan.annotations,
    spec: plan.spec,
    job: plan.job ? { ...plan.job } : null,
    claimTemplates: plan.claimTemplates,
    serviceName: plan.serviceName ?? null,
    config: referencedData(plan.spec, plan.ref.namespace, lookup),
  });
}
