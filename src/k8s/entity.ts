// Kubernetes objects as parsed from YAML, and the YAML stream reader and writer.
//
// Objects stay plain JSON (like Go's unstructured objects); the accessors below give
// the few typed views Tilt needs. Decoding follows Tilt's reader: YAML 1.1 scalars
// (the Go YAML library's), empty and `null` documents skipped, `kind: List` expanded,
// and the same errors for documents that are not Kubernetes objects.

import {
  LineCounter,
  parseAllDocuments,
  stringify,
  visit,
  type Document,
  type Tags,
  type YAMLError,
} from 'yaml';
import { goJSONMarshal, goQuote, jsonTypeWord } from './go-format.js';
import {
  childArray,
  childObject,
  childString,
  deepCopy,
  isJSONObject,
  objectAt,
  stringMap,
  type JSONObject,
  type JSONValue,
} from './json.js';

/** The namespace Tilt assumes for objects that name none. */
export const DEFAULT_NAMESPACE = 'default';

/** Where each built-in workload kind keeps its pod template, and the groups it lives in. */
const POD_TEMPLATE_PATHS: Record<string, { groups: readonly string[]; path: readonly string[] }> = {
  Pod: { groups: [''], path: [] },
  PodTemplate: { groups: [''], path: ['template'] },
  ReplicationController: { groups: [''], path: ['spec', 'template'] },
  Deployment: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  ReplicaSet: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  DaemonSet: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  StatefulSet: { groups: ['apps'], path: ['spec', 'template'] },
  Job: { groups: ['batch'], path: ['spec', 'template'] },
  CronJob: { groups: ['batch'], path: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/**
 * API groups compiled into Tilt (client-go's scheme). Objects of these groups are typed
 * in Tilt, which matters for status stripping; everything else is a custom resource.
 */
const BUILTIN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'extensions',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/** A pod template inside a workload, or a bare Pod itself (path []). */
export interface PodTemplate {
  /** Keys from the object root to the template; [] for a Pod. */
  path: readonly string[];
  metadata: JSONObject | undefined;
  /** The pod spec (holds containers and initContainers). */
  spec: JSONObject | undefined;
  labels: Record<string, string>;
}

export class K8sEntity {
  constructor(readonly obj: JSONObject) {}

  get apiVersion(): string {
    return childString(this.obj, 'apiVersion');
  }

  /** The API group: "apps" for apps/v1, "" for the core group (v1). */
  get group(): string {
    const av = this.apiVersion;
    const slash = av.indexOf('/');
    return slash < 0 ? '' : av.slice(0, slash);
  }

  get version(): string {
    const av = this.apiVersion;
    return av.slice(av.indexOf('/') + 1);
  }

  get kind(): string {
    return childString(this.obj, 'kind');
  }

  get metadata(): JSONObject | undefined {
    return childObject(this.obj, 'metadata');
  }

  get name(): string {
    return childString(this.metadata, 'name');
  }

  /** The namespace as written; "" when the object names none. */
  get namespace(): string {
    return childString(this.metadata, 'namespace');
  }

  /** The namespace as Tilt compares and displays it: "default" when none is written. */
  get namespaceOrDefault(): string {
    return this.namespace || DEFAULT_NAMESPACE;
  }

  get uid(): string {
    return childString(this.metadata, 'uid');
  }

  get labels(): Record<string, string> {
    return stringMap(this.metadata?.labels);
  }

  get annotations(): Record<string, string> {
    return stringMap(this.metadata?.annotations);
  }

  /** Whether the kind belongs to a group compiled into Tilt rather than a custom resource. */
  get isBuiltin(): boolean {
    return BUILTIN_GROUPS.has(this.group);
  }

  /**
   * The pod template of a built-in workload (Deployment, StatefulSet, DaemonSet,
   * ReplicaSet, ReplicationController, PodTemplate, Job, CronJob), or the Pod itself.
   */
  podTemplate(): PodTemplate | undefined {
    const where = POD_TEMPLATE_PATHS[this.kind];
    if (!where || !where.groups.includes(this.group)) return undefined;
    const template = objectAt(this.obj, where.path);
    if (!template) return undefined;
    const metadata = childObject(template, 'metadata');
    return {
      path: where.path,
      metadata,
      spec: childObject(template, 'spec'),
      labels: stringMap(metadata?.labels),
    };
  }

  /**
   * Every ObjectMeta in the object, as Tilt's label filter sees them: the top-level
   * metadata, and for built-in workloads the metadata of each nested template (which
   * exist even when absent from the YAML, since Tilt decodes these kinds into structs).
   */
  objectMetas(): JSONObject[] {
    const metas: JSONObject[] = [this.metadata ?? {}];
    const where = POD_TEMPLATE_PATHS[this.kind];
    if (!where || !where.groups.includes(this.group)) return metas;

    const spec = childObject(this.obj, 'spec');
    const templateMeta = (t: JSONObject | undefined) => childObject(t, 'metadata') ?? {};
    let podSpec: JSONObject | undefined;
    switch (this.kind) {
      case 'Pod':
        podSpec = spec;
        break;
      case 'CronJob': {
        const jobTemplate = childObject(spec, 'jobTemplate');
        const template = childObject(childObject(jobTemplate, 'spec'), 'template');
        metas.push(templateMeta(jobTemplate), templateMeta(template));
        podSpec = childObject(template, 'spec');
        break;
      }
      case 'ReplicationController': {
        // Its template is a pointer in Go: only present when written.
        const template = childObject(spec, 'template');
        if (template) metas.push(templateMeta(template));
        podSpec = childObject(template, 'spec');
        break;
      }
      default: {
        const template = objectAt(this.obj, where.path);
        metas.push(templateMeta(template));
        podSpec = childObject(template, 'spec');
      }
    }
    if (this.kind === 'StatefulSet') {
      for (const pvc of childArray(spec, 'volumeClaimTemplates') ?? []) {
        if (isJSONObject(pvc)) metas.push(templateMeta(pvc));
      }
    }
    for (const volume of childArray(podSpec, 'volumes') ?? []) {
      if (!isJSONObject(volume)) continue;
      const claim = childObject(childObject(volume, 'ephemeral'), 'volumeClaimTemplate');
      if (claim) metas.push(templateMeta(claim));
    }
    return metas;
  }

  clone(): K8sEntity {
    return new K8sEntity(deepCopy(this.obj));
  }
}

/**
 * A YAML stream that could not be read as Kubernetes objects. `detail` is the message
 * as Tilt's decoder words it; the message adds the source when one is known.
 */
export class YAMLParseError extends Error {
  constructor(
    readonly detail: string,
    readonly source?: string,
    /** 1-based line in the stream: of the error, or of the offending document. */
    readonly line?: number,
  ) {
    super(source === undefined ? detail : `Error reading yaml from ${source}: ${detail}`);
    this.name = 'YAMLParseError';
  }
}

// Go's YAML library resolves YAML 1.1 scalars (0644 is octal, yes/on are booleans) but
// leaves timestamps and base-60 numbers as strings.
const dropTags = (tags: Tags): Tags =>
  tags.filter((t) => {
    if (typeof t === 'string') return true;
    return t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp';
  });

/** Parses a `---`-separated YAML (or JSON) stream into Kubernetes objects. */
export function parseYAMLStream(text: string, source?: string): K8sEntity[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    version: '1.1',
    uniqueKeys: false,
    customTags: dropTags,
    lineCounter,
  });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const result: K8sEntity[] = [];
  // Documents are decoded in order, so an earlier bad document is reported first.
  for (const doc of docs) {
    const [err] = doc.errors;
    if (err) {
      const line = lineOf(err.pos[0]);
      throw new YAMLParseError(syntaxDetail(line, goYAMLReason(err)), source, line);
    }
    const line = lineOf(doc.contents?.range[0] ?? doc.range[0]);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const { reason, offset } = aliasError(doc, e);
      const at = offset === undefined ? line : lineOf(offset);
      throw new YAMLParseError(syntaxDetail(at, reason), source, at);
    }
    const decoded = decode(toJSONValue(value), (detail) => {
      throw new YAMLParseError(detail, source, line);
    });
    result.push(...decoded);
  }
  return result;
}

function syntaxDetail(line: number, reason: string): string {
  return `error converting YAML to JSON: yaml: line ${line}: ${reason}`;
}

/** Go's YAML library words its errors differently; the common ones are mapped. */
function goYAMLReason(err: YAMLError): string {
  const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  switch (err.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'mapping values are not allowed in this context';
    case 'TAB_AS_INDENT':
      return 'found character that cannot start any token';
    case 'MULTILINE_IMPLICIT_KEY':
      return "could not find expected ':'";
    case 'BAD_INDENT':
      if (message.startsWith('Flow sequence')) return "did not find expected ',' or ']'";
      if (message.startsWith('Flow map')) return "did not find expected ',' or '}'";
      return 'did not find expected key';
    case 'MISSING_CHAR':
      if (/quote/.test(message)) return 'found unexpected end of stream';
  }
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** Alias failures surface only when values are built; find the alias to report its line. */
function aliasError(doc: Document, e: unknown): { reason: string; offset?: number } {
  const message = e instanceof Error ? e.message : String(e);
  const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message);
  if (!unresolved) {
    const excessive = /alias count/i.test(message);
    return { reason: excessive ? 'document contains excessive aliasing' : message };
  }
  const name = unresolved[1];
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.source !== name) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return { reason: `unknown anchor '${name}' referenced`, offset };
}

/** Converts what the YAML library produced (Buffers, Maps, Sets) into plain JSON. */
function toJSONValue(v: unknown): JSONValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (v instanceof Map) {
    const out: JSONObject = {};
    for (const [k, val] of v) out[String(k)] = toJSONValue(val);
    return out;
  }
  if (v instanceof Set) {
    const out: JSONObject = {};
    for (const k of v) out[String(k)] = null;
    return out;
  }
  const out: JSONObject = {};
  for (const [k, val] of Object.entries(v as object)) out[k] = toJSONValue(val);
  return out;
}

const KIND_STRUCT =
  'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** Turns one decoded document into objects, failing the way Kubernetes' decoder does. */
function decode(value: JSONValue, fail: (detail: string) => never): K8sEntity[] {
  if (value === null) return [];
  const kindError = "couldn't get version/kind; json parse error: json: cannot unmarshal";
  if (!isJSONObject(value)) {
    fail(`${kindError} ${jsonTypeWord(value)} into Go value of type ${KIND_STRUCT}`);
  }
  for (const field of ['apiVersion', 'kind']) {
    const v = value[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      fail(`${kindError} ${jsonTypeWord(v)} into Go struct field .${field} of type string`);
    }
  }
  const entity = new K8sEntity(value);
  const json = () => goJSONMarshal(value);
  if (!entity.kind) fail(`Object 'Kind' is missing in '${json()}'`);
  const decoding = `decoding ${entity.kind} ${goQuote(entity.name)}`;
  if (!entity.version) fail(`${decoding}: Object 'apiVersion' is missing in '${json()}'`);
  if (entity.kind === 'List' && entity.apiVersion === 'v1') {
    return (childArray(value, 'items') ?? []).flatMap((item) => decode(item, fail));
  }
  const metaError = entity.isBuiltin ? typedMetadataError(entity) : undefined;
  if (metaError) fail(`${decoding}: ${metaError}`);
  return [entity];
}

/**
 * Built-in kinds are decoded into Go structs, so metadata of the wrong type fails (a
 * YAML 1.1 `name: no` is a boolean, for instance). Custom resources are not checked.
 */
function typedMetadataError(e: K8sEntity): string | undefined {
  const meta = e.obj.metadata;
  const unmarshal = (v: JSONValue, field: string, type: string) =>
    `json: cannot unmarshal ${jsonTypeWord(v)} into Go struct field ${field} of type ${type}`;
  if (meta === undefined || meta === null) return undefined;
  if (!isJSONObject(meta)) return unmarshal(meta, `${e.kind}.metadata`, 'v1.ObjectMeta');
  for (const field of ['name', 'namespace']) {
    const v = meta[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return unmarshal(v, `ObjectMeta.metadata.${field}`, 'string');
    }
  }
  for (const field of ['labels', 'annotations']) {
    const map = meta[field];
    if (map === undefined || map === null) continue;
    if (!isJSONObject(map)) {
      return unmarshal(map, `ObjectMeta.metadata.${field}`, 'map[string]string');
    }
    for (const v of Object.values(map)) {
      if (v !== null && typeof v !== 'string') {
        return unmarshal(v, `ObjectMeta.metadata.${field}`, 'string');
      }
    }
  }
  return undefined;
}

/**
 * Writes objects back as one YAML stream, the way Tilt serializes them: keys sorted,
 * sequences flush with their parent key, the status of built-in kinds left out, and
 * documents joined by "\n---\n".
 */
export function serializeYAMLStream(entities: readonly K8sEntity[]): string {
  return entities
    .map((e) => {
      let obj = e.obj;
      if (e.isBuiltin && 'status' in obj) {
        obj = { ...obj };
        delete obj.status;
      }
      return stringify(obj, {
        version: '1.1',
        sortMapEntries: true,
        indentSeq: false,
        lineWidth: 0,
        aliasDuplicateObjects: false,
      });
    })
    .join('\n---\n');
}
