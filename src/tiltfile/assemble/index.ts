// Assembly: turns what the Tiltfile's builtins recorded into manifests,
// the resources the engine runs.

import { EvalError } from '../../starlark/errors.js';
import type { Manifest, TriggerMode } from '../../model/manifest.js';
import type { TiltfileContext } from '../context.js';
import { localResourcesOf } from '../builtins/local.js';
import { settingsOf, type TriggerModeArg } from '../builtins/settings.js';
import { assembleK8s } from './k8s.js';
import { imageTargetsFor, unusedImageWarnings } from './images.js';

export function assemble(ctx: TiltfileContext): Manifest[] {
  const k8s = assembleK8s(ctx);
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
      },
      resourceDeps: r.resourceDeps,
      ...mode,
      labels: r.labels,
      links: r.links,
    };
  });
  const manifests = [...k8s, ...local];
  checkUniqueNames(manifests);
  checkResourceDeps(ctx, manifests);
  for (const m of manifests) {
    if (m.type === 'k8s') m.imageTargets = imageTargetsFor(ctx, m);
  }
  for (const w of unusedImageWarnings(ctx, manifests)) ctx.warn(w);
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
