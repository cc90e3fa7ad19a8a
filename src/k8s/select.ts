// Selecting objects: label selectors, object selectors (k8s_kind, filter_yaml and
// k8s_resource fragments), and which Services join a workload's resource.

import { DEFAULT_NAMESPACE, type K8sEntity } from './entity.js';
import { childObject, stringMap } from './json.js';

/** Whether every key of `selector` is in `labels` with the same value. */
export function matchesSelector(
  labels: Readonly<Record<string, string>> | undefined,
  selector: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) {
    if (!labels || !Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  return true;
}

export interface ObjectSelectorSpec {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

type Field = keyof ObjectSelectorSpec;
const FIELDS: readonly Field[] = ['apiVersion', 'kind', 'name', 'namespace'];

/**
 * Matches objects by apiVersion, kind, name and namespace with case-insensitive regular
 * expressions; an empty field matches anything. The namespace compared is "default" for
 * objects that name none.
 */
export class ObjectSelector {
  private constructor(
    readonly spec: Readonly<Required<ObjectSelectorSpec>>,
    private readonly patterns: Readonly<Record<Field, RegExp>>,
  ) {}

  /** Each field is a regular expression that may match anywhere (k8s_kind, filter_yaml). */
  static partial(spec: ObjectSelectorSpec): ObjectSelector {
    return ObjectSelector.build(spec, (s) => s);
  }

  /** Each field must equal the whole value, ignoring case (k8s_resource fragments). */
  static exact(spec: ObjectSelectorSpec): ObjectSelector {
    return ObjectSelector.build(spec, (s) => (s ? `^${escapeRegExp(s)}$` : s));
  }

  private static build(spec: ObjectSelectorSpec, toPattern: (s: string) => string) {
    const full = {
      apiVersion: spec.apiVersion ?? '',
      kind: spec.kind ?? '',
      name: spec.name ?? '',
      namespace: spec.namespace ?? '',
    };
    const patterns = {} as Record<Field, RegExp>;
    for (const f of FIELDS) {
      // Go patterns often carry their own (?i); the flag below already covers it.
      const source = toPattern(full[f]).replace(/^\(\?i\)/, '');
      try {
        patterns[f] = new RegExp(source, 'i');
      } catch (e) {
        throw new Error(`error parsing ${f} regexp: ${(e as Error).message}`);
      }
    }
    return new ObjectSelector(full, patterns);
  }

  matches(e: K8sEntity): boolean {
    const p = this.patterns;
    return (
      p.apiVersion.test(e.apiVersion) &&
      p.kind.test(e.kind) &&
      p.name.test(e.name) &&
      p.namespace.test(e.namespaceOrDefault)
    );
  }

  equals(other: ObjectSelector): boolean {
    return FIELDS.every((f) => this.patterns[f].source === other.patterns[f].source);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Splits `name[:kind[:namespace]]` (":" and "\" escaped by "\") into an exact selector,
 * with the errors Tilt gives for bad selector strings.
 */
export function parseObjectSelector(s: string): ObjectSelector {
  const parts = splitEscaped(s);
  if (s.length === 0) throw new Error("selector can't be empty");
  const [name, kind = '', namespace = ''] = parts;
  if (parts.length > 3) {
    throw new Error(
      'Too many parts in selector. Selectors must contain between 1 and 3 parts ' +
        `(colon separated), found ${parts.length} parts in ${s}`,
    );
  }
  return ObjectSelector.exact({ name, kind, namespace });
}

function splitEscaped(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let escaped = false;
  const bytes = Buffer.from(s);
  let offset = 0;
  for (const ch of s) {
    if (escaped) {
      if (ch !== ':' && ch !== '\\') {
        // Tilt shows the bytes around the bad escape to help find it.
        const start = Math.max(0, offset - 3);
        const snippet = bytes.subarray(start, Math.min(bytes.length, offset + 3)).toString();
        throw new Error(`invalid escape sequence '\\${ch}' in '${snippet}'`);
      }
      cur += ch;
      escaped = false;
    } else if (ch === ':') {
      parts.push(cur);
      cur = '';
    } else if (ch === '\\') {
      escaped = true;
    } else {
      cur += ch;
    }
    offset += Buffer.byteLength(ch);
  }
  parts.push(cur);
  return parts;
}

/** The selector of a core v1 Service; undefined for any other object. */
export function serviceSelector(e: K8sEntity): Record<string, string> | undefined {
  if (e.kind !== 'Service' || e.group !== '') return undefined;
  return stringMap(childObject(e.obj, 'spec')?.selector);
}

/**
 * Whether a Service belongs with a workload: its selector is non-empty and matches the
 * labels of the workload's pod template, and it is in the workload's namespace — or in
 * the default one, which matches a workload in any namespace. Bare Pods and custom
 * resources have no pod template, so no Service joins them.
 */
export function serviceMatchesWorkload(service: K8sEntity, workload: K8sEntity): boolean {
  const selector = serviceSelector(service);
  if (!selector || Object.keys(selector).length === 0) return false;
  const template = workload.podTemplate();
  if (!template || template.path.length === 0) return false;
  if (!matchesSelector(template.labels, selector)) return false;
  const ns = service.namespaceOrDefault;
  return ns === DEFAULT_NAMESPACE || ns === workload.namespaceOrDefault;
}

/** Splits `candidates` into the Services that join `workload` and the rest, order kept. */
export function servicesForWorkload(
  workload: K8sEntity,
  candidates: readonly K8sEntity[],
): [K8sEntity[], K8sEntity[]] {
  return partition(candidates, (c) => serviceMatchesWorkload(c, workload));
}

export interface FilterYAMLOptions {
  labels?: Readonly<Record<string, string>>;
  name?: string;
  namespace?: string;
  kind?: string;
  api_version?: string;
}

/**
 * filter_yaml: objects whose name, namespace, kind and apiVersion match the given
 * case-insensitive regular expressions anywhere, and whose labels include `labels`.
 * Returns [matching, rest]; rest lists the selector misses before the label misses.
 */
export function filterYAML(
  entities: readonly K8sEntity[],
  opts: FilterYAMLOptions,
): [K8sEntity[], K8sEntity[]] {
  const selector = ObjectSelector.partial({
    apiVersion: opts.api_version,
    kind: opts.kind,
    name: opts.name,
    namespace: opts.namespace,
  });
  let [match, rest] = partition(entities, (e) => selector.matches(e));
  const labels = opts.labels ?? {};
  if (Object.keys(labels).length > 0) {
    const [withLabels, without] = partition(match, (e) => hasMetadataLabels(e, labels));
    match = withLabels;
    rest = [...rest, ...without];
  }
  return [match, rest];
}

/**
 * Whether every ObjectMeta of the object (the top-level one and, for built-in workloads,
 * each template's) carries all of `labels`, as Tilt's label filter checks.
 */
export function hasMetadataLabels(e: K8sEntity, labels: Readonly<Record<string, string>>): boolean {
  return e.objectMetas().every((meta) => matchesSelector(stringMap(meta.labels), labels));
}

function partition<T>(items: readonly T[], test: (t: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
