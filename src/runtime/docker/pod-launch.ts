// Making a pod on the engine: its volumes, its sandbox (started, on the project
// network under its DNS names) and its containers, created in order but not
// started — the pod runner starts them.

import type Docker from 'dockerode';
import type { JSONObject } from '../../k8s/json.js';
import { resolveEnv, type FieldResolver } from './config-refs.js';
import type { ObjectLookup } from './config-store.js';
import { statusOf } from './docker-errors.js';
import { containerLabels, LABEL_POD_RECORD, type ObjectRef, type PodRecord } from './labels.js';
import { containerName, sandboxName } from './names.js';
import { containerCreateOptions, sandboxCreateOptions } from './pod-spec.js';
import { containerMounts, prepareVolumes, type PodVolume } from './volumes.js';

/** Where a pod is on the project network. */
export interface PodAddress {
  ip?: string;
  /** The host's address on the network (status.hostIP). */
  gateway?: string;
}

export function addressOf(info: Docker.ContainerInspectInfo, network: string): PodAddress {
  const net = info.NetworkSettings?.Networks?.[network];
  return { ip: net?.IPAddress || undefined, gateway: net?.Gateway || undefined };
}

export interface PodToMake {
  project: string;
  network: string;
  resource: string;
  object: ObjectRef;
  name: string;
  /** The pod's name among Docker names (names.podKey). */
  key: string;
  namespace: string;
  specHash: string;
  record: PodRecord;
  hostname: string;
  aliases: string[];
  volumes: PodVolume[];
  containers: { name: string; init: boolean; index: number; spec: JSONObject }[];
}

export interface LaunchHooks {
  store: ObjectLookup;
  /** fieldRef values (asked once `made('sandbox')` told the pod its address). */
  fields(): FieldResolver;
  claimLabels(claim: string): Record<string, string>;
  /**
   * The engine says the sandbox image or the network is missing (removed behind
   * our back, or by a delete that raced this apply): makes them again.
   */
  repairSandbox(): Promise<void>;
  warn(text: string, container?: string): void;
  /** Each container as soon as it exists (`sandbox`, or the position in `containers`). */
  made(which: 'sandbox' | number, id: string, address?: PodAddress): void;
  /** The pod is being removed: make nothing more. */
  cancelled(): boolean;
}

/** Makes the pod; Docker's refusals (a bad mount, a name in use...) are thrown as they come. */
export async function makePod(docker: Docker, pod: PodToMake, hooks: LaunchHooks): Promise<void> {
  const labelInput = {
    project: pod.project,
    resource: pod.resource,
    object: pod.object,
    pod: pod.name,
    specHash: pod.specHash,
  };
  await prepareVolumes(docker, pod.volumes, containerLabels(labelInput, 'sandbox'), (claim) =>
    hooks.claimLabels(claim),
  );

  const sandboxLabels = containerLabels(labelInput, 'sandbox');
  sandboxLabels[LABEL_POD_RECORD] = JSON.stringify(pod.record);
  const options = sandboxCreateOptions({
    name: sandboxName(pod.project, pod.key),
    hostname: pod.hostname,
    labels: sandboxLabels,
    network: pod.network,
    aliases: pod.aliases,
    podSpec: pod.record.spec,
  });
  let sandbox: Docker.Container;
  try {
    sandbox = await docker.createContainer(options);
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    await hooks.repairSandbox();
    sandbox = await docker.createContainer(options);
  }
  hooks.made('sandbox', sandbox.id);
  await sandbox.start();
  const address = addressOf(await sandbox.inspect(), pod.network);
  hooks.made('sandbox', sandbox.id, address);

  const fields = hooks.fields();
  for (const [i, c] of pod.containers.entries()) {
    if (hooks.cancelled()) return;
    const mounts = containerMounts(c.spec, pod.volumes);
    for (const w of mounts.warnings) hooks.warn(w, c.name);
    const created = await docker.createContainer(
      containerCreateOptions({
        name: containerName(pod.project, pod.key, c.name),
        labels: containerLabels(labelInput, c.init ? 'init' : 'app', {
          name: c.name,
          index: c.index,
        }),
        sandboxId: sandbox.id,
        container: c.spec,
        podSpec: pod.record.spec,
        env: resolveEnv(c.spec, pod.namespace, hooks.store, fields),
        mounts,
      }),
    );
    hooks.made(i, created.id);
  }
}
