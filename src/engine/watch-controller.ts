// File watches of resources: what each resource's images and local deps
// watch becomes one watcher target; changes land as pending changes on the
// resource, for the scheduler to pick up.

import { dirname } from 'node:path';
import type {
  FileWatcher,
  IgnoreSpec,
  WatchBatch,
  WatchHandle,
  WatchSpec,
} from '../watch/index.js';
import type { ImageTarget, Manifest } from '../model/manifest.js';
import type { EngineStore } from './store.js';

/**
 * What a resource watches: each image's context with that image's ignores (one
 * watch each: what one image ignores, another may use), and local deps.
 */
export function watchSpecsOf(m: Manifest, tiltfile: string): WatchSpec[] {
  const specs: WatchSpec[] = [];
  for (const t of m.imageTargets) {
    const baseDir = t.build.kind === 'docker' ? t.build.context : dirname(tiltfile);
    const ignores: IgnoreSpec[] =
      t.watch.ignores.length > 0 ? [{ baseDir, patterns: t.watch.ignores }] : [];
    specs.push({ name: m.name, paths: t.watch.paths, ignores });
  }
  if (m.local && m.local.deps.length > 0) {
    const ignores =
      m.local.ignore.length > 0 ? [{ baseDir: dirname(tiltfile), patterns: m.local.ignore }] : [];
    specs.push({ name: m.name, paths: m.local.deps, ignores });
  }
  return specs.filter((s) => s.paths.length > 0);
}

/** What one image watches: its context, less what its ignores (.dockerignore, ignore=, only=) leave out. */
export function imageWatchSpec(resource: string, t: ImageTarget, tiltfile: string): WatchSpec {
  const baseDir = t.build.kind === 'docker' ? t.build.context : dirname(tiltfile);
  const ignores: IgnoreSpec[] =
    t.watch.ignores.length > 0 ? [{ baseDir, patterns: t.watch.ignores }] : [];
  return { name: resource, paths: t.watch.paths, ignores };
}

export class WatchController {
  private readonly handles = new Map<string, { handle: Promise<WatchHandle>; key: string }>();
  private readonly arrived = new Map<string, Set<string>>();
  private flushScheduled = false;

  constructor(
    private readonly store: EngineStore,
    private readonly watcher: FileWatcher,
  ) {}

  /** Brings the watches in line with the resources: new, changed, removed. */
  reconcile(): void {
    const wanted = new Map<string, WatchSpec>();
    for (const r of this.store.resources) {
      if (!r.manifest.enabled) continue;
      watchSpecsOf(r.manifest, this.store.tiltfile.path).forEach((spec, i) =>
        wanted.set(`${spec.name}\0${i}`, spec),
      );
    }
    for (const [id, h] of this.handles) {
      if (!wanted.has(id)) {
        this.handles.delete(id);
        void h.handle.then((w) => w.close());
      }
    }
    for (const [id, spec] of wanted) {
      const key = JSON.stringify(spec);
      const h = this.handles.get(id);
      if (h?.key === key) continue;
      if (h) {
        h.key = key;
        void h.handle.then((w) => w.update(spec));
        continue;
      }
      const handle = this.watcher.watch(spec, (batch) => this.receive(batch));
      this.handles.set(id, { handle, key });
    }
  }

  /**
   * One file change reaches every image of a resource that watches it, each
   * on its own timer: batches that arrive in the same turn of the event loop
   * become one set of pending changes, so they start one update, not two.
   */
  private receive(batch: WatchBatch): void {
    const pending = this.arrived.get(batch.name) ?? new Set<string>();
    for (const p of batch.paths) pending.add(p);
    this.arrived.set(batch.name, pending);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const [name, paths] of this.arrived) {
        const r = this.store.get(name);
        if (!r) continue;
        for (const p of paths) if (!r.pendingChanges.includes(p)) r.pendingChanges.push(p);
      }
      this.arrived.clear();
      this.store.changed();
    });
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((h) => h.handle.then((w) => w.close()).catch(() => {})));
  }
}
