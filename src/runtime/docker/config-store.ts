// The project's ConfigMaps, Secrets and Services: what a cluster's API server would
// hold. Pods of one resource read ConfigMaps of another, and Services select pods of
// any resource, so the map is project-wide. It is kept in a file so that a later
// `tilt up` computes the same spec hashes (and adopts the same pods) whatever order
// its resources are applied in.

import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_NAMESPACE, type K8sEntity } from '../../k8s/entity.js';
import { isJSONObject, type JSONObject } from '../../k8s/json.js';
import { stableJSON } from './spec-hash.js';

export type StoredKind = 'ConfigMap' | 'Secret' | 'Service';

export interface StoredObject {
  kind: StoredKind;
  namespace: string;
  name: string;
  /** The resource that applied it last. */
  resource: string;
  obj: JSONObject;
}

export interface ObjectLookup {
  get(kind: StoredKind, namespace: string, name: string): JSONObject | undefined;
}

/** Which kinds of object a change touched. */
export type ChangedKinds = Set<StoredKind>;

const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

export class ConfigStore implements ObjectLookup {
  private readonly objects = new Map<string, StoredObject>();

  /**
   * `file`: where the objects are kept between runs; none keeps them in memory only.
   * `prepareDir` makes its directory (private: Secrets are in there) before a write.
   */
  constructor(
    private readonly file?: string,
    private readonly prepareDir?: () => void,
  ) {
    this.load();
  }

  get(kind: StoredKind, namespace: string, name: string): JSONObject | undefined {
    return this.objects.get(key(kind, namespace, name))?.obj;
  }

  get isEmpty(): boolean {
    return this.objects.size === 0;
  }

  all(kind: StoredKind): StoredObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }

  /** Makes the resource's stored objects exactly `entities` (those of a stored kind). */
  replaceResource(resource: string, entities: readonly K8sEntity[]): ChangedKinds {
    const next = new Map<string, StoredObject>();
    for (const e of entities) {
      if (e.group !== '' || !isStoredKind(e.kind)) continue;
      const namespace = e.namespace || DEFAULT_NAMESPACE;
      next.set(key(e.kind, namespace, e.name), {
        kind: e.kind,
        namespace,
        name: e.name,
        resource,
        obj: e.obj,
      });
    }
    const changed: ChangedKinds = new Set();
    for (const [k, o] of this.objects) {
      if (o.resource === resource && !next.has(k)) {
        this.objects.delete(k);
        changed.add(o.kind);
      }
    }
    for (const [k, o] of next) {
      const old = this.objects.get(k);
      if (!old || stableJSON(old.obj) !== stableJSON(o.obj)) changed.add(o.kind);
      this.objects.set(k, o);
    }
    if (changed.size > 0 || next.size > 0) this.save();
    return changed;
  }

  /** Forgets the resource's objects, except those `keep` says stay. */
  removeResource(resource: string, keep: (o: StoredObject) => boolean = () => false): ChangedKinds {
    const changed: ChangedKinds = new Set();
    for (const [k, o] of this.objects) {
      if (o.resource === resource && !keep(o)) {
        this.objects.delete(k);
        changed.add(o.kind);
      }
    }
    if (changed.size > 0) this.save();
    return changed;
  }

  private load(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const list: unknown = JSON.parse(text);
      if (!Array.isArray(list)) return;
      for (const o of list as StoredObject[]) {
        if (!isStoredKind(o.kind) || !isJSONObject(o.obj)) continue;
        this.objects.set(key(o.kind, o.namespace, o.name), o);
      }
    } catch {
      // A damaged file only costs the adoption of pods that read its objects.
    }
  }

  private save(): void {
    if (!this.file) return;
    if (this.objects.size === 0) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    if (this.prepareDir) this.prepareDir();
    else fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify([...this.objects.values()]), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

function isStoredKind(kind: string): kind is StoredKind {
  return kind === 'ConfigMap' || kind === 'Secret' || kind === 'Service';
}
