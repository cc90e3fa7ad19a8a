// Assembly: turns what the Tiltfile's builtins recorded into manifests,
// the resources the engine runs.

import { join } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import { enabledResources, selectResources } from '../builtins/config.js';
import type { Manifest, TriggerMode } from '../../model/manifest.js';
import type { TiltfileContext } from '../context.js';
import { localResourcesOf } from '../builtins/local.js';
import { settingsOf, type TriggerModeArg } from '../builtins/settings.js';
import { imagesOf } from '../builtins/images.js';
import { checkLiveUpdates } from './checks.js';
import { assembleCustomDeploys } from './custom-deploy.js';
import { assembleK8s, imagesInManifest } from './k8s.js';
import { assembleCompose, composeImageTargets, composeImages } from './compose.js';
import { ImageIndex, imageTargetsFor, unusedImageWarnings } from './images.js';

export function assemble(ctx: TiltfileContext): Manifest[] {
  const k8s = [...assembleK8s(ctx), ...assembleCustomDeploys(ctx)];
  const dc = assembleCompose(ctx, k8s);
  const local = localResourcesOf(ctx).map((r): Manifest => {
    const mode = triggerMode(ctx, r.triggerMode, r.autoInit);
    return {
      name: r.name,
      type: 'local',
      imageTargets: [],
      local: {
        updateCmd: r.updateCmd,
        updateDir: r.updateDir,
        updateEnv: r.updateEnv,
        serveCmd: r.serveCmd,
        serveDir: r.serveDir,
        serveEnv: r.serveEnv,
        deps: r.deps,
        ignore: r.ignore,
        allowParallel: r.allowParallel,
        readinessProbe: r.readinessProbe,
      },
      resourceDeps: r.resourceDeps,
      ...mode,
      labels: r.labels,
      links: r.links,
      enabled: true,
    };
  });
  const manifests = [...k8s, ...dc, ...local];
  checkUniqueNames(manifests);
  checkResourceDeps(ctx, manifests);
  const index = new ImageIndex(imagesOf(ctx).images);
  const named = new Map(
    manifests.map((m) => [m, m.type === 'k8s' ? imagesInManifest(ctx, m) : composeImages(m)]),
  );
  for (const m of manifests) {
    if (m.type === 'k8s') m.imageTargets = imageTargetsFor(ctx, index, named.get(m)!);
    if (m.type === 'dc') m.imageTargets = composeImageTargets(ctx, index, m);
  }
  for (const w of unusedImageWarnings(ctx, index, manifests, (m) => named.get(m)!)) {
    ctx.warn(dc.length > 0 ? w.replace('Kubernetes config', 'Docker Compose config') : w);
  }
  checkLiveUpdates(ctx, manifests);
  markEnabled(ctx, manifests);
  addWatchedConfigFiles(ctx, index);
  return manifests;
}

/** A resource's trigger mode: its own setting, else the Tiltfile's trigger_mode(). */
export function triggerMode(
  ctx: TiltfileContext,
  own: TriggerModeArg | undefined,
  autoInit: boolean,
): { triggerMode: TriggerMode; autoInit: boolean } {
  const mode = own ?? settingsOf(ctx).triggerMode;
  return { triggerMode: mode, autoInit };
}

function checkUniqueNames(manifests: Manifest[]) {
  const seen = new Set<string>();
  for (const m of manifests) {
    if (seen.has(m.name)) throw new EvalError(`duplicate resource name: ${JSON.stringify(m.name)}`);
    seen.add(m.name);
  }
}

/** Unknown dependencies are dropped with a warning; a cycle fails the Tiltfile. */
function checkResourceDeps(ctx: TiltfileContext, manifests: Manifest[]) {
  const names = new Set(manifests.map((m) => m.name));
  for (const m of manifests) {
    if (m.resourceDeps.includes(m.name)) {
      throw new EvalError(`resource ${m.name} specified a dependency on itself`);
    }
    m.resourceDeps = m.resourceDeps.filter((d) => {
      if (names.has(d)) return true;
      ctx.warn(
        `resource ${m.name} specified a dependency on unknown resource ${d} - dependency ignored`,
      );
      return false;
    });
  }
  const deps = new Map(manifests.map((m) => [m.name, m.resourceDeps]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(n)), n];
      throw new EvalError(`cycle detected in resource dependency graph: ${cycle.join(' -> ')}`);
    }
    state.set(n, 'visiting');
    path.push(n);
    for (const d of deps.get(n) ?? []) visit(d);
    path.pop();
    state.set(n, 'done');
  };
  for (const m of manifests) visit(m.name);
}

/** Enables the resources named by config (or the args after `--`) and their dependencies. */
function markEnabled(ctx: TiltfileContext, manifests: Manifest[]) {
  let chosen: string[];
  try {
    chosen = selectResources(enabledResources(ctx), manifests);
  } catch (e) {
    throw new EvalError((e as Error).message);
  }
  const set = new Set(chosen);
  for (const m of manifests) m.enabled = set.has(m.name);
}

/** Files whose creation or change also re-runs the Tiltfile: .tiltignore and each context's .dockerignore. */
function addWatchedConfigFiles(ctx: TiltfileContext, index: ImageIndex) {
  ctx.addConfigFile(join(ctx.mainDir, '.tiltignore'));
  for (const x of index.entries) {
    if (x.spec.kind === 'docker') ctx.addConfigFile(join(x.spec.context, '.dockerignore'));
  }
}
