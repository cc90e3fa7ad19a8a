// The registry of objects passed to k8s_yaml, which refuses the same object twice
// unless the caller allows duplicates.

import type { K8sEntity } from './entity.js';

/** The same object registered twice, with Tilt's message. */
export class DuplicateYAMLError extends Error {
  constructor(
    readonly entity: K8sEntity,
    /** Where the first copy was registered. */
    readonly originalTrace: string,
  ) {
    super(duplicateYAMLMessage(entity, originalTrace));
    this.name = 'DuplicateYAMLError';
  }
}

/**
 * `Duplicate YAML: <Kind> <name>` (plus ` (Namespace: <ns>)` when the object names one),
 * the hint, and the first registration's call stack with each line after the first
 * indented by two more spaces.
 */
export function duplicateYAMLMessage(entity: K8sEntity, originalTrace: string): string {
  const ns = entity.namespace;
  const who = ns
    ? `${entity.kind} ${entity.name} (Namespace: ${ns})`
    : `${entity.kind} ${entity.name}`;
  return (
    `Duplicate YAML: ${who}\n` +
    'Ignore this error with k8s_yaml(..., allow_duplicates=True)\n' +
    `YAML originally registered at: ${originalTrace.split('\n').join('\n  ')}`
  );
}

/** Objects are the same when kind, apiVersion, name, namespace (as written) and uid are. */
function identity(e: K8sEntity): string {
  return JSON.stringify([e.kind, e.apiVersion, e.name, e.namespace, e.uid]);
}

export class ObjectRegistry {
  private readonly byId = new Map<string, { entity: K8sEntity; trace: string }>();

  /**
   * Registers objects from one k8s_yaml call made at `trace`. A duplicate (also within
   * the same call) throws unless allowed; an allowed duplicate replaces the earlier copy
   * in place and takes over its registration trace.
   */
  append(entities: readonly K8sEntity[], trace: string, allowDuplicates = false): void {
    for (const entity of entities) {
      const id = identity(entity);
      const old = this.byId.get(id);
      if (old && !allowDuplicates) throw new DuplicateYAMLError(entity, old.trace);
      this.byId.set(id, { entity, trace });
    }
  }

  /** One object per identity, in first-registration order. */
  entities(): K8sEntity[] {
    return [...this.byId.values()].map((v) => v.entity);
  }

  get size(): number {
    return this.byId.size;
  }
}
