// Rebuild decisions: which image targets a set of changed files touches.
// A target is dirty when it was never built, when its image is gone, or when
// a changed file lies under what it watches and is not ignored; the builder
// then also rebuilds every target whose dependency it rebuilt.

import { relative, sep } from 'node:path';
import type { ImageTarget } from '../model/manifest.js';
import type { BuiltImage } from './builder.js';

/** Whether `path` is `dir` or lies beneath it. */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

export interface PlanInputs {
  targets: ImageTarget[];
  /** Absolute paths of files that changed since the last build. */
  changed: string[];
  /** Results of earlier builds, by ref as written. */
  built: Map<string, BuiltImage>;
  /** Refs whose built image no longer exists in the engine. */
  missing?: Set<string>;
  /** Whether a target ignores a path (its .dockerignore, ignore=, only=). */
  ignores?: (target: ImageTarget, path: string) => boolean;
}

/** The refs of the targets that must build (dependents of these follow in the builder). */
export function dirtyTargets(p: PlanInputs): Set<string> {
  const dirty = new Set<string>();
  for (const t of p.targets) {
    if (!p.built.has(t.ref) || p.missing?.has(t.ref)) {
      dirty.add(t.ref);
      continue;
    }
    const touched = p.changed.some(
      (f) => t.watch.paths.some((w) => isUnder(f, w)) && !(p.ignores?.(t, f) ?? false),
    );
    if (touched) dirty.add(t.ref);
  }
  return dirty;
}

/** Tilt's reason line for an update: `Initial Build`, `1 File Changed: [a]`, `N Files Changed: [...]`. */
export function buildReason(changed: string[], base: string, initial: boolean): string {
  if (initial) return 'Initial Build';
  const shown = changed.map((f) => relative(base, f) || f);
  const n = shown.length;
  return `${n} File${n === 1 ? '' : 's'} Changed: [${shown.join(' ')}]`;
}
