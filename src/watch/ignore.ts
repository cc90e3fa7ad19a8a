// What the file watcher leaves out.
//
// - Per target: lists of patterns with Docker's .dockerignore semantics, each relative to a base
//   directory (an image's `.dockerignore`, its `ignore=`, its `only=` as `['**', '!a', ...]`).
//   Matching is the build context's matcher (src/build/context-ignore.ts), so a file is left out
//   of the watch exactly when it is left out of the context. A path is ignored when any one list
//   ignores it; an exception in one list does not bring back what another list excludes.
// - Global, for watching only: `.tiltignore` beside the main Tiltfile and `watch_settings(ignore=)`,
//   in the same syntax, relative to the Tiltfile's directory.
// - Built in: editor temp files and the `.git` and `.idea` directories, at any depth beneath a
//   watched path.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';

import {
  findIgnoreFile,
  parseIgnoreFile,
  patternMatcher,
  tiltfilePatterns,
  type IgnoreMatcher,
} from '../build/context-ignore.js';
import { isStrictlyWithin, relativeWithin } from './paths.js';

/** Patterns in .dockerignore syntax, relative to `baseDir`. */
export interface IgnoreSpec {
  baseDir: string;
  patterns: string[];
}

/** Directory names never watched, at any depth beneath a watched path. */
export const BUILTIN_IGNORED_DIRS: readonly string[] = ['.git', '.idea'];

// Editor temp files, by base name: vim (`.x.swp`, its fallbacks `.swx`/`.swo`/`.swn`, backup
// `x~`, and `4913`, the file it creates to test that a directory is writable), emacs (`.#x` lock,
// `#x#` autosave), JetBrains safe-write (`x___jb_old___`, `x___jb_tmp___`).
const EDITOR_TEMP_NAMES: readonly RegExp[] = [
  /^\..*\.sw[pxon]$/,
  /~$/,
  /^\.#/,
  /^#.*#$/,
  /^4913$/,
  /___jb_old___$/,
  /___jb_tmp___$/,
];

/** Whether a base name is an editor's temp file. */
export function isEditorTempName(name: string): boolean {
  return EDITOR_TEMP_NAMES.some((re) => re.test(name));
}

/**
 * Whether the built-in rules leave out a path, given as `rel`, `/`-separated and relative to the
 * watched path that contains it (`''` for the watched path itself, which is never left out).
 */
export function isBuiltinIgnored(rel: string): boolean {
  if (rel === '') return false;
  const segs = rel.split('/');
  for (const s of segs) if (BUILTIN_IGNORED_DIRS.includes(s)) return true;
  return isEditorTempName(segs[segs.length - 1]);
}

/** Whether the built-in rules leave out a directory and everything beneath it. */
export function isBuiltinPrunable(rel: string): boolean {
  if (rel === '') return false;
  return rel.split('/').some((s) => BUILTIN_IGNORED_DIRS.includes(s));
}

/** One pattern list, ready to match absolute paths. */
export class CompiledIgnore {
  readonly baseDir: string;
  /** Directories the list names without wildcards (`node_modules`, `/build/out`), absolute. */
  readonly literalDirs: readonly string[];
  /** Patterns of the form `**\/name` (or `**\/a/b`), as the part after `**\/`. */
  readonly anyDepth: readonly string[];
  /** Whether the list has `!` exceptions. */
  readonly hasExceptions: boolean;
  private readonly matcher: IgnoreMatcher;

  constructor(spec: IgnoreSpec) {
    this.baseDir = resolve(spec.baseDir);
    const patterns = tiltfilePatterns(this.baseDir, spec.patterns);
    this.matcher = patternMatcher(patterns);
    const literal: string[] = [];
    const anyDepth: string[] = [];
    let hasExceptions = false;
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '' || p.startsWith('#')) continue;
      if (p.startsWith('!')) {
        hasExceptions = true;
        continue;
      }
      p = posix.normalize(p);
      if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
      if (p === '.' || p === '..' || p.startsWith('../')) continue;
      if (!/[*?[\\]/.test(p)) {
        literal.push(posix.join(this.baseDir, p));
      } else if (p.startsWith('**/')) {
        const rest = p.slice(3);
        if (rest !== '' && !/[*?[\\]/.test(rest) && !rest.split('/').includes('..')) {
          anyDepth.push(rest);
        }
      }
    }
    this.literalDirs = literal;
    this.anyDepth = anyDepth;
    this.hasExceptions = hasExceptions;
  }

  /** Whether the list leaves out the absolute path. Paths outside the base dir are never left out. */
  ignores(path: string): boolean {
    if (!isStrictlyWithin(path, this.baseDir)) return false;
    return this.matcher.ignores(relativeWithin(this.baseDir, path));
  }

  /** Whether the list leaves out the directory and everything that could ever be beneath it. */
  canPrune(dir: string): boolean {
    if (!isStrictlyWithin(dir, this.baseDir)) return false;
    return this.matcher.canPruneDir(relativeWithin(this.baseDir, dir));
  }
}

/** Compile pattern lists; lists without patterns are dropped. Throws IgnorePatternError. */
export function compileIgnores(specs: readonly IgnoreSpec[] | undefined): CompiledIgnore[] {
  const out: CompiledIgnore[] = [];
  for (const s of specs ?? []) {
    if (s.patterns.some((p) => p.trim() !== '' && !p.trim().startsWith('#'))) {
      out.push(new CompiledIgnore(s));
    }
  }
  return out;
}

/**
 * The patterns of `.tiltignore` beside the Tiltfile, relative to the Tiltfile's directory; no
 * patterns when there is no such file.
 */
export function readTiltignore(tiltfile: string): IgnoreSpec {
  const baseDir = dirname(resolve(tiltfile));
  const file = resolve(baseDir, '.tiltignore');
  let patterns: string[] = [];
  if (existsSync(file) && statSync(file).isFile()) {
    patterns = parseIgnoreFile(readFileSync(file, 'utf8'));
  }
  return { baseDir, patterns };
}

/** What a docker_build leaves out of its context, as pattern lists for the watcher. */
export function dockerBuildIgnores(
  contextDir: string,
  opts: { dockerfile: string | null; ignore?: string[]; only?: string[] },
): IgnoreSpec[] {
  const baseDir = resolve(contextDir);
  const out: IgnoreSpec[] = [];
  const file = findIgnoreFile(baseDir, opts.dockerfile);
  if (file !== null) out.push({ baseDir, patterns: parseIgnoreFile(readFileSync(file, 'utf8')) });
  if (opts.ignore && opts.ignore.length > 0) out.push({ baseDir, patterns: opts.ignore });
  if (opts.only && opts.only.length > 0) {
    out.push({ baseDir, patterns: ['**', ...opts.only.map((p) => `!${p}`)] });
  }
  return out;
}
