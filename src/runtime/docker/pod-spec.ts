// Kubernetes pod spec → Docker create options, for the sandbox that owns the
// pod's namespaces and for each of its containers. Pure: everything looked up
// (env, mounts, the sandbox's ID) is passed in.

import type Docker from 'dockerode';
import {
  childArray,
  childObject,
  childString,
  isJSONObject,
  type JSONObject,
} from '../../k8s/json.js';
import { expandVars, envLookup } from './expand.js';
import { PAUSE_IMAGE } from './pause-image.js';
import type { ContainerMounts } from './volumes.js';

export interface SandboxInput {
  /** The Docker container name. */
  name: string;
  hostname: string;
  labels: Record<string, string>;
  network: string;
  aliases: string[];
  podSpec: JSONObject;
}

/** Linux limits a hostname to 63 characters, as Kubernetes truncates pod hostnames. */
export function podHostname(hostname: string): string {
  return hostname.slice(0, 63).replace(/[-.]+$/, '');
}

export function sandboxCreateOptions(input: SandboxInput): Docker.ContainerCreateOptions {
  const extraHosts: string[] = [];
  for (const entry of childArray(input.podSpec, 'hostAliases') ?? []) {
    if (!isJSONObject(entry)) continue;
    const ip = childString(entry, 'ip');
    for (const host of childArray(entry, 'hostnames') ?? []) {
      if (typeof host === 'string' && ip) extraHosts.push(`${host}:${ip}`);
    }
  }
  const dns = childObject(input.podSpec, 'dnsConfig');
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  const dnsOptions: string[] = [];
  for (const o of childArray(dns, 'options') ?? []) {
    if (!isJSONObject(o) || !childString(o, 'name')) continue;
    const value = childString(o, 'value');
    dnsOptions.push(value ? `${childString(o, 'name')}:${value}` : childString(o, 'name'));
  }
  const hostConfig: Docker.HostConfig = {
    NetworkMode: input.network,
    // The pod's containers share its IPC namespace, as in Kubernetes.
    IpcMode: 'shareable',
    RestartPolicy: { Name: 'no' },
  };
  if (extraHosts.length > 0) hostConfig.ExtraHosts = extraHosts;
  if (strings(dns?.nameservers).length > 0) hostConfig.Dns = strings(dns?.nameservers);
  if (strings(dns?.searches).length > 0) hostConfig.DnsSearch = strings(dns?.searches);
  if (dnsOptions.length > 0) hostConfig.DnsOptions = dnsOptions;
  return {
    name: input.name,
    Image: PAUSE_IMAGE,
    Hostname: podHostname(input.hostname),
    Labels: input.labels,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: { [input.network]: { Aliases: input.aliases } } },
  };
}

export interface ContainerInput {
  /** The Docker container name. */
  name: string;
  labels: Record<string, string>;
  sandboxId: string;
  /** The container's spec in the pod. */
  container: JSONObject;
  podSpec: JSONObject;
  /** Resolved (config-refs.resolveEnv). */
  env: readonly [string, string][];
  mounts: ContainerMounts;
}

/**
 * Create options of one container of the pod. `command` replaces the image's
 * ENTRYPOINT and `args` its CMD; a command without args runs without the image's CMD,
 * as in Kubernetes. `$(VAR)` in both refers to the container's environment.
 */
export function containerCreateOptions(input: ContainerInput): Docker.ContainerCreateOptions {
  const c = input.container;
  const lookup = envLookup(input.env);
  const expandAll = (field: string) => {
    const list = childArray(c, field);
    if (!list || list.length === 0) return undefined;
    return list.map((v) => expandVars(typeof v === 'string' ? v : String(v), lookup));
  };
  const command = expandAll('command');
  const args = expandAll('args');

  const sandbox = `container:${input.sandboxId}`;
  const hostConfig: Docker.HostConfig = {
    NetworkMode: sandbox,
    IpcMode: sandbox,
    RestartPolicy: { Name: 'no' },
  };
  if (input.podSpec.shareProcessNamespace === true) hostConfig.PidMode = sandbox;
  if (input.mounts.binds.length > 0) hostConfig.Binds = [...input.mounts.binds];
  if (input.mounts.mounts.length > 0) hostConfig.Mounts = [...input.mounts.mounts];
  Object.assign(hostConfig, securityOptions(c, input.podSpec), resourceLimits(c));

  const options: Docker.ContainerCreateOptions = {
    name: input.name,
    Image: childString(c, 'image'),
    Labels: input.labels,
    Env: input.env.map(([k, v]) => `${k}=${v}`),
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    StdinOnce: c.stdinOnce === true,
    HostConfig: hostConfig,
  };
  if (command) {
    options.Entrypoint = command;
    options.Cmd = args ?? [];
  } else if (args) {
    options.Cmd = args;
  }
  const workingDir = childString(c, 'workingDir');
  if (workingDir) options.WorkingDir = workingDir;
  const user = userOf(c, input.podSpec);
  if (user) options.User = user;
  return options;
}

/** `uid[:gid]` from the container's securityContext, else the pod's. */
function userOf(c: JSONObject, podSpec: JSONObject): string | undefined {
  const own = childObject(c, 'securityContext');
  const pod = childObject(podSpec, 'securityContext');
  const pick = (field: string) => {
    const v = own?.[field] ?? pod?.[field];
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  };
  const uid = pick('runAsUser');
  const gid = pick('runAsGroup');
  if (uid === undefined) return gid === undefined ? undefined : `0:${gid}`;
  return gid === undefined ? String(uid) : `${uid}:${gid}`;
}

function securityOptions(c: JSONObject, podSpec: JSONObject): Docker.HostConfig {
  const out: Docker.HostConfig = {};
  const sc = childObject(c, 'securityContext');
  if (sc?.privileged === true) out.Privileged = true;
  if (sc?.readOnlyRootFilesystem === true) out.ReadonlyRootfs = true;
  const caps = childObject(sc, 'capabilities');
  const capList = (field: string) =>
    (childArray(caps, field) ?? []).filter((v): v is string => typeof v === 'string');
  if (capList('add').length > 0) out.CapAdd = capList('add');
  if (capList('drop').length > 0) out.CapDrop = capList('drop');
  const podSc = childObject(podSpec, 'securityContext');
  const groups: string[] = [];
  if (typeof podSc?.fsGroup === 'number') groups.push(String(podSc.fsGroup));
  for (const g of childArray(podSc, 'supplementalGroups') ?? []) {
    if (typeof g === 'number') groups.push(String(g));
  }
  if (groups.length > 0) out.GroupAdd = groups;
  return out;
}

function resourceLimits(c: JSONObject): Docker.HostConfig {
  const limits = childObject(childObject(c, 'resources'), 'limits');
  const out: Docker.HostConfig = {};
  const memory = quantity(limits?.memory);
  if (memory !== undefined && memory > 0) out.Memory = Math.round(memory);
  const cpu = quantity(limits?.cpu);
  if (cpu !== undefined && cpu > 0) out.NanoCpus = Math.round(cpu * 1e9);
  return out;
}

const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A Kubernetes quantity (`128Mi`, `500m`, `1.5`, `1e3`) in base units; undefined if unreadable. */
export function quantity(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(v.trim());
  if (!m) return undefined;
  const [, num, suffix] = m;
  const scale = BINARY_SUFFIX[suffix!] ?? DECIMAL_SUFFIX[suffix!];
  return scale === undefined ? undefined : Number(num) * scale;
}
