// How Tilt names Kubernetes objects: resource names for workloads, the candidate names
// that `k8s_resource(objects=[...])` fragments match, and the forms its messages display.

import type { K8sEntity } from './entity.js';

/** An object's identity as Tilt sees it. */
export interface ObjectRef {
  name: string;
  /** As written, e.g. "Deployment". */
  kind: string;
  /** "default" when the object names none. */
  namespace: string;
  /** "" for the core group. */
  group: string;
}

export function objectRef(e: K8sEntity): ObjectRef {
  return { name: e.name, kind: e.kind, namespace: e.namespaceOrDefault, group: e.group };
}

/** `name:kind`, lowercased. */
export function nameKind(ref: ObjectRef): string {
  return potentialNames(ref)[1];
}

/** `name:kind:namespace`, lowercased. */
export function nameKindNamespace(ref: ObjectRef): string {
  return potentialNames(ref)[2];
}

/** `name:kind:namespace:group`, lowercased, with "core" for the core group. */
export function nameKindNamespaceGroup(ref: ObjectRef): string {
  return potentialNames(ref)[3];
}

/**
 * The id shown for workload_to_resource_function: `name:kind:namespace:group`
 * lowercased, with the core group left empty.
 */
export function objectIdString(ref: ObjectRef): string {
  return [ref.name, ref.kind, ref.namespace, ref.group].join(':').toLowerCase();
}

/**
 * The name Tilt's messages list objects by: `name:Kind:namespace`, case kept, with ":"
 * and "\" inside a part escaped by "\".
 */
export function fullName(ref: ObjectRef): string {
  return [ref.name, ref.kind, ref.namespace]
    .map((p) => p.replace(/\\/g, '\\\\').replace(/:/g, '\\:'))
    .join(':');
}

/** Candidate names from shortest to longest: name, name:kind, ...:namespace, ...:group. */
export function potentialNames(ref: ObjectRef): string[] {
  // Kubernetes calls the unnamed group "core" in authorization attributes; Tilt follows.
  const parts = [ref.name, ref.kind, ref.namespace, ref.group || 'core'];
  return parts.map((_, i) =>
    parts
      .slice(0, i + 1)
      .join(':')
      .toLowerCase(),
  );
}

/**
 * Tilt's default resource names: for each object the shortest candidate no other object
 * shares. Two objects identical down to the group keep the longest form plus their
 * index, so that names stay unique.
 */
export function shortestUniqueNames(refs: readonly ObjectRef[]): string[] {
  const counts = new Map<string, number>();
  const candidates = refs.map(potentialNames);
  for (const names of candidates) {
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return candidates.map((names, i) => {
    const unique = names.find((n) => counts.get(n) === 1);
    return unique ?? `${names[names.length - 1]}:${i}`;
  });
}
