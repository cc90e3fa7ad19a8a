// What a pod reads from ConfigMaps, Secrets and its own metadata: environment
// variables (env, envFrom, valueFrom) and the files of configMap, secret,
// projected and downwardAPI volumes, resolved the way the kubelet resolves them,
// with its error messages.

import {
  childArray,
  childObject,
  childString,
  isJSONObject,
  type JSONObject,
  type JSONValue,
} from '../../k8s/json.js';
import type { ObjectLookup } from './config-store.js';
import { expandVars } from './expand.js';

/** A reference the pod cannot be started without. `reason` is the waiting reason to show. */
export class ConfigRefError extends Error {
  constructor(
    readonly reason: 'CreateContainerConfigError' | 'FailedMount',
    message: string,
  ) {
    super(message);
    this.name = 'ConfigRefError';
  }
}

/** Values of `fieldRef` paths (`metadata.name`, `status.podIP`, `metadata.labels['app']`). */
export type FieldResolver = (fieldPath: string) => string | undefined;

/** A pod's own fields, for fieldRef. */
export interface PodFields {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  podIP?: string;
  hostIP?: string;
  nodeName: string;
  serviceAccountName: string;
}

export function podFieldResolver(pod: PodFields): FieldResolver {
  return (fieldPath) => {
    const indexed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
    if (indexed) {
      const map = indexed[1] === 'labels' ? pod.labels : pod.annotations;
      return map[indexed[2]!] ?? '';
    }
    switch (fieldPath) {
      case 'metadata.name':
        return pod.name;
      case 'metadata.namespace':
        return pod.namespace;
      case 'metadata.uid':
        return pod.uid;
      case 'metadata.labels':
        return formatMap(pod.labels);
      case 'metadata.annotations':
        return formatMap(pod.annotations);
      case 'status.podIP':
      case 'status.podIPs':
        return pod.podIP ?? '';
      case 'status.hostIP':
      case 'status.hostIPs':
        return pod.hostIP ?? '';
      case 'spec.nodeName':
        return pod.nodeName;
      case 'spec.serviceAccountName':
        return pod.serviceAccountName;
      default:
        return undefined;
    }
  };
}

/** The downward API's rendering of labels and annotations: `key="value"` lines, sorted. */
function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

// ---------------------------------------------------------------------------
// ConfigMap and Secret data

function configMapValue(cm: JSONObject, key: string): Buffer | undefined {
  const data = childObject(cm, 'data');
  const text = data?.[key];
  if (typeof text === 'string') return Buffer.from(text, 'utf8');
  const binary = childObject(cm, 'binaryData')?.[key];
  if (typeof binary === 'string') return Buffer.from(binary, 'base64');
  return undefined;
}

function configMapKeys(cm: JSONObject): string[] {
  return [
    ...Object.keys(childObject(cm, 'data') ?? {}),
    ...Object.keys(childObject(cm, 'binaryData') ?? {}),
  ];
}

/** Secret data is base64; stringData (plain text) wins, as the API server merges it. */
function secretValue(secret: JSONObject, key: string): Buffer | undefined {
  const plain = childObject(secret, 'stringData')?.[key];
  if (typeof plain === 'string') return Buffer.from(plain, 'utf8');
  const encoded = childObject(secret, 'data')?.[key];
  if (typeof encoded === 'string') return Buffer.from(encoded, 'base64');
  return undefined;
}

function secretKeys(secret: JSONObject): string[] {
  const keys = new Set([
    ...Object.keys(childObject(secret, 'data') ?? {}),
    ...Object.keys(childObject(secret, 'stringData') ?? {}),
  ]);
  return [...keys];
}

type Source = 'ConfigMap' | 'Secret';

interface SourceAccess {
  find(name: string): JSONObject | undefined;
  value(obj: JSONObject, key: string): Buffer | undefined;
  keys(obj: JSONObject): string[];
  notFound(name: string): string;
}

function access(kind: Source, namespace: string, lookup: ObjectLookup): SourceAccess {
  const isCM = kind === 'ConfigMap';
  return {
    find: (name) => lookup.get(kind, namespace, name),
    value: isCM ? configMapValue : secretValue,
    keys: isCM ? configMapKeys : secretKeys,
    notFound: (name) => `${isCM ? 'configmap' : 'secret'} ${JSON.stringify(name)} not found`,
  };
}

const isOptional = (ref: JSONObject | undefined) => ref?.optional === true;

// ---------------------------------------------------------------------------
// Environment

/**
 * The container's environment: envFrom first, then env, later names overriding
 * earlier ones; `$(VAR)` in env values refers to variables defined before it.
 * Throws ConfigRefError for a missing ConfigMap, Secret or key that is not optional.
 */
export function resolveEnv(
  container: JSONObject,
  namespace: string,
  lookup: ObjectLookup,
  field: FieldResolver,
): [string, string][] {
  const env = new Map<string, string>();
  for (const from of childArray(container, 'envFrom') ?? []) {
    if (!isJSONObject(from)) continue;
    const prefix = childString(from, 'prefix');
    const cmRef = childObject(from, 'configMapRef');
    const secretRef = childObject(from, 'secretRef');
    const [kind, ref] = cmRef ? (['ConfigMap', cmRef] as const) : (['Secret', secretRef] as const);
    if (!ref) continue;
    const src = access(kind, namespace, lookup);
    const name = childString(ref, 'name');
    const obj = src.find(name);
    if (!obj) {
      if (isOptional(ref)) continue;
      throw new ConfigRefError('CreateContainerConfigError', src.notFound(name));
    }
    for (const key of src.keys(obj)) {
      // Names with `=` cannot be environment variables; the kubelet skips them too.
      if (key === '' || (prefix + key).includes('=')) continue;
      env.set(prefix + key, src.value(obj, key)!.toString('utf8'));
    }
  }
  for (const item of childArray(container, 'env') ?? []) {
    if (!isJSONObject(item)) continue;
    const name = childString(item, 'name');
    if (!name) continue;
    const valueFrom = childObject(item, 'valueFrom');
    if (!valueFrom) {
      env.set(
        name,
        expandVars(childString(item, 'value'), (v) => env.get(v)),
      );
      continue;
    }
    const value = valueFromSource(valueFrom, namespace, lookup, field);
    if (value !== undefined) env.set(name, value);
  }
  return [...env];
}

function valueFromSource(
  valueFrom: JSONObject,
  namespace: string,
  lookup: ObjectLookup,
  field: FieldResolver,
): string | undefined {
  const keyRef = (kind: Source, ref: JSONObject) => {
    const src = access(kind, namespace, lookup);
    const name = childString(ref, 'name');
    const key = childString(ref, 'key');
    const obj = src.find(name);
    if (!obj) {
      if (isOptional(ref)) return undefined;
      throw new ConfigRefError('CreateContainerConfigError', src.notFound(name));
    }
    const value = src.value(obj, key);
    if (value === undefined) {
      if (isOptional(ref)) return undefined;
      throw new ConfigRefError(
        'CreateContainerConfigError',
        `couldn't find key ${key} in ${kind} ${namespace}/${name}`,
      );
    }
    return value.toString('utf8');
  };
  const cmRef = childObject(valueFrom, 'configMapKeyRef');
  if (cmRef) return keyRef('ConfigMap', cmRef);
  const secretRef = childObject(valueFrom, 'secretKeyRef');
  if (secretRef) return keyRef('Secret', secretRef);
  const fieldRef = childObject(valueFrom, 'fieldRef');
  if (fieldRef) return field(childString(fieldRef, 'fieldPath')) ?? '';
  // resourceFieldRef has no node to measure here.
  return undefined;
}

// ---------------------------------------------------------------------------
// Volume files

export interface VolumeFile {
  /** Relative to the volume's root. */
  path: string;
  content: Buffer;
  mode: number;
}

const DEFAULT_FILE_MODE = 0o644;

/** Whether a volume's files come from objects (and so are written by the runtime). */
export function isFileVolume(volume: JSONObject): boolean {
  return ['configMap', 'secret', 'projected', 'downwardAPI'].some((k) => isJSONObject(volume[k]));
}

/**
 * The files of a configMap, secret, projected or downwardAPI volume. Throws
 * ConfigRefError (FailedMount) when a source that is not optional is missing.
 */
export function volumeFiles(
  volume: JSONObject,
  namespace: string,
  lookup: ObjectLookup,
  field: FieldResolver,
): VolumeFile[] {
  const volumeName = childString(volume, 'name');
  const mountError = (msg: string) =>
    new ConfigRefError(
      'FailedMount',
      `MountVolume.SetUp failed for volume "${volumeName}" : ${msg}`,
    );
  const files: VolumeFile[] = [];

  const fromObject = (kind: Source, source: JSONObject, nameField: string, defaultMode: number) => {
    const src = access(kind, namespace, lookup);
    const name = childString(source, nameField);
    const obj = src.find(name);
    if (!obj) {
      if (isOptional(source)) return;
      throw mountError(src.notFound(name));
    }
    const items = childArray(source, 'items');
    if (!items || items.length === 0) {
      for (const key of src.keys(obj)) {
        files.push({ path: key, content: src.value(obj, key)!, mode: defaultMode });
      }
      return;
    }
    for (const item of items) {
      if (!isJSONObject(item)) continue;
      const key = childString(item, 'key');
      const content = src.value(obj, key);
      if (content === undefined) {
        if (isOptional(source)) continue;
        throw mountError(`${kind.toLowerCase()} references non-existent config key: ${key}`);
      }
      files.push({
        path: checkedPath(childString(item, 'path') || key, mountError),
        content,
        mode: modeOf(item.mode, defaultMode),
      });
    }
  };

  const fromFields = (items: JSONValue[] | undefined, defaultMode: number) => {
    for (const item of items ?? []) {
      if (!isJSONObject(item)) continue;
      const fieldRef = childObject(item, 'fieldRef');
      if (!fieldRef) continue;
      files.push({
        path: checkedPath(childString(item, 'path'), mountError),
        content: Buffer.from(field(childString(fieldRef, 'fieldPath')) ?? '', 'utf8'),
        mode: modeOf(item.mode, defaultMode),
      });
    }
  };

  const configMap = childObject(volume, 'configMap');
  const secret = childObject(volume, 'secret');
  const projected = childObject(volume, 'projected');
  const downwardAPI = childObject(volume, 'downwardAPI');
  if (configMap) {
    fromObject('ConfigMap', configMap, 'name', modeOf(configMap.defaultMode, DEFAULT_FILE_MODE));
  } else if (secret) {
    fromObject('Secret', secret, 'secretName', modeOf(secret.defaultMode, DEFAULT_FILE_MODE));
  } else if (downwardAPI) {
    fromFields(
      childArray(downwardAPI, 'items'),
      modeOf(downwardAPI.defaultMode, DEFAULT_FILE_MODE),
    );
  } else if (projected) {
    const mode = modeOf(projected.defaultMode, DEFAULT_FILE_MODE);
    for (const source of childArray(projected, 'sources') ?? []) {
      if (!isJSONObject(source)) continue;
      const cm = childObject(source, 'configMap');
      const sec = childObject(source, 'secret');
      const down = childObject(source, 'downwardAPI');
      if (cm) fromObject('ConfigMap', cm, 'name', mode);
      else if (sec) fromObject('Secret', sec, 'name', mode);
      else if (down) fromFields(childArray(down, 'items'), mode);
      // serviceAccountToken and clusterTrustBundle: there is no API server to issue them.
    }
  }
  return files;
}

function modeOf(value: JSONValue | undefined, dflt: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0o777
    ? value
    : dflt;
}

/** Item paths stay inside the volume: relative, without `..`. */
function checkedPath(p: string, fail: (msg: string) => Error): string {
  if (p === '' || p.startsWith('/') || p.split('/').includes('..')) {
    throw fail(`invalid path ${JSON.stringify(p)}: must be relative and may not contain '..'`);
  }
  return p;
}

// ---------------------------------------------------------------------------
// Data for the spec hash

/**
 * The data of every ConfigMap and Secret the pod spec reads (null when missing),
 * keyed `ConfigMap/<name>`: part of the spec hash, so that changed data replaces the pod.
 */
export function referencedData(
  spec: JSONObject,
  namespace: string,
  lookup: ObjectLookup,
): Record<string, JSONValue> {
  const refs = new Set<string>();
  const add = (kind: Source, name: string) => {
    if (name) refs.add(`${kind}/${name}`);
  };
  for (const field of ['initContainers', 'containers']) {
    for (const c of childArray(spec, field) ?? []) {
      if (!isJSONObject(c)) continue;
      for (const from of childArray(c, 'envFrom') ?? []) {
        if (!isJSONObject(from)) continue;
        add('ConfigMap', childString(childObject(from, 'configMapRef'), 'name'));
        add('Secret', childString(childObject(from, 'secretRef'), 'name'));
      }
      for (const item of childArray(c, 'env') ?? []) {
        if (!isJSONObject(item)) continue;
        const valueFrom = childObject(item, 'valueFrom');
        add('ConfigMap', childString(childObject(valueFrom, 'configMapKeyRef'), 'name'));
        add('Secret', childString(childObject(valueFrom, 'secretKeyRef'), 'name'));
      }
    }
  }
  for (const v of childArray(spec, 'volumes') ?? []) {
    if (!isJSONObject(v)) continue;
    add('ConfigMap', childString(childObject(v, 'configMap'), 'name'));
    add('Secret', childString(childObject(v, 'secret'), 'secretName'));
    for (const source of childArray(childObject(v, 'projected'), 'sources') ?? []) {
      if (!isJSONObject(source)) continue;
      add('ConfigMap', childString(childObject(source, 'configMap'), 'name'));
      add('Secret', childString(childObject(source, 'secret'), 'name'));
    }
  }
  const out: Record<string, JSONValue> = {};
  for (const ref of [...refs].sort()) {
    const slash = ref.indexOf('/');
    const kind = ref.slice(0, slash) as Source;
    const obj = lookup.get(kind, namespace, ref.slice(slash + 1));
    out[ref] = obj
      ? {
          data: obj.data ?? null,
          binaryData: obj.binaryData ?? null,
          stringData: obj.stringData ?? null,
        }
      : null;
  }
  return out;
}
