// One update of a Kubernetes resource: build the images a change touched
// (base images first), inject the built refs into the objects, and hand them
// to the workload runtime.

import { selectorMatches, refSelector } from '../container/ref.js';
import { ImageBuilder, type BuildEngine, type BuiltImage } from '../build/builder.js';
import { dirtyTargets } from '../build/plan.js';
import type { BuildRecord } from '../build/record.js';
import type { K8sEntity } from '../k8s/entity.js';
import { containerImages } from '../k8s/images.js';
import type { ImageTarget, Manifest } from '../model/manifest.js';
import type { WorkloadRuntime } from '../runtime/workload.js';
import type { RegistrySpec } from '../tiltfile/builtins/images.js';
import { compileIgnores, type CompiledIgnore } from '../watch/ignore.js';
import { imageWatchSpec } from './watch-controller.js';

const INDENT = '     ';

export interface K8sUpdaterOptions {
  images: () => BuildEngine;
  runtime: () => WorkloadRuntime;
  record?: BuildRecord;
  registry?: () => RegistrySpec | undefined;
  /** Push built images (never for the Docker runtime: it runs them where they were built). */
  push: boolean;
  tiltfile: string;
  env?: Record<string, string>;
}

export interface K8sUpdateInput {
  manifest: Manifest;
  /** Images built by earlier updates of this resource. */
  built: Map<string, BuiltImage>;
  /** Absolute paths changed since the last update (empty for the initial one). */
  changed: string[];
  /** Refs that must rebuild whatever changed (their containers hold live-updated files). */
  rebuild?: Set<string>;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export class K8sUpdater {
  constructor(private readonly opts: K8sUpdaterOptions) {}

  /** Builds and deploys; resolves to every image target's image. */
  async update(input: K8sUpdateInput): Promise<Map<string, BuiltImage>> {
    const { manifest: m, log } = input;
    const targets = m.imageTargets;
    let images = input.built;
    const total = targets.length * 2 + 1;
    if (targets.length > 0) {
      const engine = this.opts.images();
      const missing = await missingImages(engine, input.built);
      const dirty = dirtyTargets({
        targets,
        changed: input.changed,
        built: input.built,
        missing,
        ignores: ignoreMatcher(m, this.opts.tiltfile),
      });
      for (const ref of input.rebuild ?? []) dirty.add(ref);
      const builder = new ImageBuilder({
        engine,
        log,
        registry: this.opts.registry?.(),
        push: this.opts.push,
        env: this.opts.env,
        tiltfile: this.opts.tiltfile,
        record: this.opts.record,
      });
      images = await builder.buildAll(targets, {
        previous: input.built,
        dirty,
        totalSteps: total,
        deployed: deployedRefs(m),
      });
    }
    input.signal?.throwIfAborted();
    log(`STEP ${total}/${total} — Deploying`);
    const entities = injectImages(m, images);
    const runtime = this.opts.runtime();
    await runtime.apply(m.name, entities, {
      log: (l) => log(`${INDENT}${l}`),
      signal: input.signal,
    });
    log(
      `${INDENT}Objects applied to ${runtime.kind === 'docker' ? 'the Docker runtime' : 'cluster'}:`,
    );
    for (const name of m.k8s?.objectNames ?? []) log(`${INDENT}  → ${name}`);
    return images;
  }
}

/** Whether a changed path is one an image leaves out (the same rules its watch uses). */
export function ignoreMatcher(
  m: Manifest,
  tiltfile: string,
): (t: ImageTarget, path: string) => boolean {
  const compiled = new Map<string, CompiledIgnore[]>();
  return (t, path) => {
    let lists = compiled.get(t.ref);
    if (!lists) {
      lists = compileIgnores(imageWatchSpec(m.name, t, tiltfile).ignores);
      compiled.set(t.ref, lists);
    }
    return lists.some((l) => l.ignores(path));
  };
}

/** Refs whose built image the engine no longer has: they rebuild. */
async function missingImages(
  engine: BuildEngine,
  built: Map<string, BuiltImage>,
): Promise<Set<string>> {
  const missing = new Set<string>();
  await Promise.all(
    [...built.values()].map(async (b) => {
      if (!(await engine.inspect(b.localRef))) missing.add(b.ref);
    }),
  );
  return missing;
}

/** Images a workload of the manifest names directly (base images only feed others). */
export function deployedRefs(m: Manifest): Set<string> {
  const out = new Set<string>();
  for (const e of m.k8s?.entities ?? []) {
    for (const loc of containerImages(e)) {
      const t = targetFor(m.imageTargets, loc.image);
      if (t) out.add(t.ref);
    }
  }
  return out;
}

function targetFor(targets: ImageTarget[], image: string): ImageTarget | undefined {
  return targets.find((t) => {
    try {
      return selectorMatches(refSelector(t.ref), image);
    } catch {
      return false;
    }
  });
}

/**
 * Copies of the manifest's objects with each container image that names an
 * image target replaced by the built ref, and the target's entrypoint and
 * container_args applied to that container.
 */
export function injectImages(m: Manifest, images: Map<string, BuiltImage>): K8sEntity[] {
  return (m.k8s?.entities ?? []).map((e) => {
    const copy = e.clone();
    for (const loc of containerImages(copy)) {
      const t = targetFor(m.imageTargets, loc.image);
      const built = t && images.get(t.ref);
      if (!t || !built) continue;
      loc.replace(built.deployRef, { pullPolicy: 'IfNotPresent' });
      const container = containerAt(copy, loc.path);
      if (container && t.entrypoint) {
        container.command = [...t.entrypoint];
        delete container.args;
      }
      if (container && t.containerArgs) container.args = [...t.containerArgs];
    }
    return copy;
  });
}

/** The container object holding the image at `path` (the path ends in `image`). */
function containerAt(
  e: K8sEntity,
  path: readonly (string | number)[],
): Record<string, unknown> | undefined {
  let cur: unknown = e.obj;
  for (const key of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>) : undefined;
}
