// Which directories the native watcher may skip altogether (not list, not watch): those that every
// target concerned leaves out, with everything that could ever be beneath them. They are handed
// to @parcel/watcher as regular expressions over the path relative to the subscribed directory;
// it then neither crawls them nor spends inotify watches on them (a node_modules tree can hold
// more directories than the default limit of watches).
//
// Pruning is an optimization; the watcher filters every event again in JavaScript. So a
// directory is pruned only when that is certainly right:
// - `.git` and `.idea` (left out by the built-in rules) unless a watched path lies inside one;
// - a directory a pattern names literally (`node_modules`, `/build/out`), when every target
//   whose watched paths overlap it leaves it out for good (the matcher's canPruneDir, which
//   accounts for `!` exceptions);
// - `**/name` patterns, when every target whose watched paths overlap the region has the same
//   pattern in a list without exceptions whose base dir contains the region.

import { BUILTIN_IGNORED_DIRS, type CompiledIgnore } from './ignore.js';
import { escapeRegExp, isStrictlyWithin, isWithin, overlaps, relativeWithin } from './paths.js';

export interface PruneTarget {
  readonly paths: readonly string[];
  readonly ignores: readonly CompiledIgnore[];
}

/**
 * The regular expressions (their sources) of directories to skip beneath `subDir`, over paths
 * relative to it; sorted and unique.
 */
export function pruneSources(
  subDir: string,
  targets: readonly PruneTarget[],
  global: readonly CompiledIgnore[],
): string[] {
  const relevant = targets.filter((t) => t.paths.some((w) => overlaps(w, subDir)));
  const sources = new Set<string>();

  for (const name of BUILTIN_IGNORED_DIRS) {
    const inside = relevant.some((t) =>
      t.paths.some(
        (w) => isStrictlyWithin(w, subDir) && relativeWithin(subDir, w).split('/').includes(name),
      ),
    );
    if (!inside) sources.add(`^(?:.*/)?${escapeRegExp(name)}(?:/.*)?$`);
  }

  const specs = new Set<CompiledIgnore>(global);
  for (const t of relevant) for (const s of t.ignores) specs.add(s);

  for (const spec of specs) {
    for (const dir of spec.literalDirs) {
      if (!isStrictlyWithin(dir, subDir)) continue;
      const ok = relevant.every(
        (t) =>
          !t.paths.some((w) => overlaps(w, dir)) ||
          t.ignores.some((s) => s.canPrune(dir)) ||
          global.some((s) => s.canPrune(dir)),
      );
      if (ok) sources.add(`^${escapeRegExp(relativeWithin(subDir, dir))}(?:/.*)?$`);
    }
    if (spec.hasExceptions || spec.anyDepth.length === 0 || !overlaps(spec.baseDir, subDir)) {
      continue;
    }
    const region = isWithin(subDir, spec.baseDir) ? subDir : spec.baseDir;
    const prefix =
      region === subDir ? '^(?:.*/)?' : `^${escapeRegExp(relativeWithin(subDir, region))}/(?:.*/)?`;
    for (const name of spec.anyDepth) {
      const covers = (s: CompiledIgnore): boolean =>
        !s.hasExceptions && s.anyDepth.includes(name) && isWithin(region, s.baseDir);
      const ok = relevant.every(
        (t) =>
          !t.paths.some((w) => overlaps(w, region)) ||
          t.ignores.some(covers) ||
          global.some(covers),
      );
      if (ok) sources.add(`${prefix}${escapeRegExp(name)}(?:/.*)?$`);
    }
  }
  return [...sources].sort();
}
