// The project's Docker network and the DNS names pods have on it. Each pod's
// sandbox is on the network under the names of the Services that select it
// (`web`, `web.default`, `web.default.svc`, `web.default.svc.cluster.local`)
// and its hostname, so pods reach each other by Service name as in a cluster.
// Docker's DNS returns every container with a name, which spreads clients over
// a Service's replicas.

import type Docker from 'dockerode';
import { DEFAULT_NAMESPACE } from '../../k8s/entity.js';
import {
  childArray,
  childObject,
  childString,
  isJSONObject,
  stringMap,
  type JSONObject,
} from '../../k8s/json.js';
import { ignoreGone, statusOf } from './docker-errors.js';
import { labelFilters, LABEL_MANAGED_BY, LABEL_PROJECT } from './labels.js';
import { networkName } from './names.js';

/**
 * Creates the project's network unless it exists. Callers serialize it: the
 * engine's duplicate check is not atomic, and two networks of one name make the
 * name ambiguous — should that have happened, the extra empty ones are removed.
 */
export async function ensureNetwork(docker: Docker, project: string): Promise<string> {
  const name = networkName(project);
  // The name filter matches substrings: keep exact matches, oldest first.
  const found = (await docker.listNetworks({ filters: { name: [name] } }))
    .filter((n) => n.Name === name)
    .sort((a, b) => Date.parse(a.Created) - Date.parse(b.Created));
  if (found.length > 1) {
    for (const extra of found.slice(1)) {
      await docker
        .getNetwork(extra.Id)
        .remove()
        .catch(() => undefined);
    }
  }
  if (found.length > 0) return name;
  try {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [LABEL_PROJECT]: project, [LABEL_MANAGED_BY]: 'tilt' },
    });
  } catch (err) {
    // Made meanwhile by another process: fine.
    if (statusOf(err) !== 409) throw err;
  }
  return name;
}

/** Removes the project's network once no container of the project remains. */
export async function removeNetworkIfUnused(docker: Docker, project: string): Promise<boolean> {
  const left = await docker.listContainers({
    all: true,
    filters: { label: labelFilters(project) },
  });
  if (left.length > 0) return false;
  try {
    await ignoreGone(() => docker.getNetwork(networkName(project)).remove());
    return true;
  } catch {
    // Still in use by a container that is not ours: leave it.
    return false;
  }
}

export interface PodIdentity {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** spec.hostname, or the pod's name. */
  hostname: string;
  /** spec.subdomain (a StatefulSet's serviceName). */
  subdomain?: string;
}

/** Whether a Service's selector picks the pod (an empty or missing selector picks nothing). */
export function serviceSelects(
  service: JSONObject,
  pod: Pick<PodIdentity, 'namespace' | 'labels'>,
): boolean {
  const namespace = childString(childObject(service, 'metadata'), 'namespace') || DEFAULT_NAMESPACE;
  if (namespace !== pod.namespace) return false;
  const selector = stringMap(childObject(service, 'spec')?.selector);
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => pod.labels[k] === v);
}

/** The DNS names of a pod: its hostname, and the names of the Services that select it. */
export function podAliases(pod: PodIdentity, services: readonly JSONObject[]): string[] {
  const names = new Set<string>([pod.hostname]);
  const serviceNames = (svc: string) => [
    svc,
    `${svc}.${pod.namespace}`,
    `${svc}.${pod.namespace}.svc`,
    `${svc}.${pod.namespace}.svc.cluster.local`,
  ];
  if (pod.subdomain) {
    // A pod with a subdomain is `<hostname>.<subdomain>` (a StatefulSet's pods under its Service).
    for (const n of serviceNames(pod.subdomain)) names.add(`${pod.hostname}.${n}`);
  }
  for (const svc of services) {
    if (!serviceSelects(svc, pod)) continue;
    for (const n of serviceNames(childString(childObject(svc, 'metadata'), 'name'))) names.add(n);
  }
  return [...names].sort();
}

/** Ports of a Service that clients would use on another port than the pod listens on. */
export function remappedPorts(
  service: JSONObject,
): { port: number; targetPort: string | number }[] {
  const out: { port: number; targetPort: string | number }[] = [];
  for (const p of childArray(childObject(service, 'spec'), 'ports') ?? []) {
    if (!isJSONObject(p) || typeof p.port !== 'number') continue;
    const target = p.targetPort;
    if ((typeof target === 'number' || typeof target === 'string') && target !== p.port) {
      out.push({ port: p.port, targetPort: target });
    }
  }
  return out;
}

/**
 * Changes the DNS names of a running sandbox: Docker sets them when a container
 * joins a network, so it leaves and joins again (its IP may change).
 */
export async function setAliases(
  docker: Docker,
  network: string,
  sandboxId: string,
  aliases: string[],
): Promise<void> {
  const net = docker.getNetwork(network);
  await ignoreGone(() => net.disconnect({ Container: sandboxId, Force: true }));
  await net.connect({ Container: sandboxId, EndpointConfig: { Aliases: aliases } });
}
