// The build-context filter: which paths of a context directory are left out of the tar sent to
// Docker, with Docker's .dockerignore semantics.
//
// Matching is @balena/dockerignore, a port of Docker's pattern matcher: `*` and `?` stop at `/`,
// `**` spans directories, a pattern that matches a directory matches everything under it, the
// last matching pattern wins and `!` makes it an exception, a trailing `/` and a leading `/` are
// dropped. Unlike that package's default, matching is case-sensitive, as Docker's is on Linux.
//
// Like Tilt, the `.dockerignore` file, the Tiltfile's `ignore=` and its `only=` are three separate
// pattern lists, and a path is left out when any of them excludes it: `ignore=['!x']` cannot bring
// back a file that `.dockerignore` excludes, and `only=` cannot bring back one that `ignore=`
// excludes.
//
// A directory is skipped without being listed only when no exception pattern could match a path
// beneath it (canPruneDir). Docker's classic builder prunes on a narrower test, whether an
// exception starts with the directory's path, and so loses files that `!**/keep.txt` brings
// back under a pruned directory; BuildKit walks such directories, and so do we: what is sent is
// always exactly what `ignores` allows.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';

import dockerignoreModule from '@balena/dockerignore';

// A CommonJS module whose function is both the export and its `default`.
const dockerignore = dockerignoreModule.default;

export interface IgnoreMatcher {
  /** Whether `relPath` (relative to the context, `/`-separated) is left out of the context. */
  ignores(relPath: string): boolean;
  /**
   * Whether the directory `relDir` and everything beneath it is left out, so a walk may skip it
   * without listing it. True only when the directory is ignored and no exception pattern could
   * bring back anything beneath it.
   */
  canPruneDir(relDir: string): boolean;
  /** The ignore file that was read (absolute), or null when there was none. */
  readonly ignoreFile: string | null;
}

export interface ContextIgnoreOptions {
  /** Path of the Dockerfile (absolute, or relative to the working directory), or null. */
  dockerfile: string | null;
  /** The Tiltfile's `ignore=` patterns. */
  ignore: string[];
  /** The Tiltfile's `only=` paths; they become `['**', '!a', '!b', ...]`. */
  only: string[];
}

interface Rule {
  /** Normalized pattern, without the `!`. */
  pattern: string;
  exception: boolean;
}

/**
 * The filter for the Docker build context at `contextDir`: the patterns of
 * `<Dockerfile>.dockerignore` when that file exists, else those of `<context>/.dockerignore`, and
 * the Tiltfile's `ignore=` and `only=`.
 */
export function contextIgnore(contextDir: string, opts: ContextIgnoreOptions): IgnoreMatcher {
  const root = resolve(contextDir);
  const ignoreFile = findIgnoreFile(root, opts.dockerfile);
  const lists: PatternList[] = [];
  if (ignoreFile !== null) {
    lists.push(new PatternList(parseIgnoreFile(readFileSync(ignoreFile, 'utf8'))));
  }
  if (opts.ignore.length > 0) {
    lists.push(new PatternList(tiltfilePatterns(root, opts.ignore)));
  }
  if (opts.only.length > 0) {
    lists.push(new PatternList(tiltfilePatterns(root, ['**', ...opts.only.map((p) => `!${p}`)])));
  }
  return new CompositeMatcher(lists, ignoreFile);
}

/** A matcher over one list of patterns, in .dockerignore syntax. */
export function patternMatcher(patterns: string[]): IgnoreMatcher {
  return new CompositeMatcher([new PatternList(patterns)], null);
}

/** `<Dockerfile>.dockerignore` when it exists, else `<context>/.dockerignore` when it exists. */
export function findIgnoreFile(contextDir: string, dockerfile: string | null): string | null {
  const candidates: string[] = [];
  if (dockerfile !== null) candidates.push(resolve(dockerfile) + '.dockerignore');
  candidates.push(resolve(contextDir, '.dockerignore'));
  for (const f of candidates) {
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  return null;
}

/** The patterns of a .dockerignore file: no comments (lines starting with `#`), no blanks. */
export function parseIgnoreFile(text: string): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    const p = line.trim();
    if (p !== '') out.push(p);
  }
  return out;
}

/**
 * Tiltfile patterns may be absolute paths, as in Tilt; those inside the context are made relative
 * to it. Others keep Docker's meaning, where a leading `/` is the context root.
 */
export function tiltfilePatterns(root: string, patterns: string[]): string[] {
  return patterns.map((raw) => {
    const trimmed = raw.trim();
    const exception = trimmed.startsWith('!');
    const p = exception ? trimmed.slice(1).trim() : trimmed;
    if (!isAbsolute(p)) return trimmed;
    const rel = relative(root, p);
    if (rel.startsWith('..') || isAbsolute(rel)) return trimmed;
    const inside = rel === '' ? '**' : rel.split(sep).join('/');
    return exception ? `!${inside}` : inside;
  });
}

/** Docker's normalization of one pattern (moby's ignorefile.ReadAll and patternmatcher.New). */
function parseRule(raw: string): Rule | null {
  let p = raw.trim();
  if (p === '' || p.startsWith('#')) return null;
  let exception = false;
  if (p.startsWith('!')) {
    exception = true;
    p = p.slice(1).trim();
  }
  if (p === '') return null;
  p = posix.normalize(p);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
  return { pattern: p, exception };
}

/** An ignore pattern that cannot be used, e.g. one with an unbalanced `[`. */
export class IgnorePatternError extends Error {
  constructor(
    readonly pattern: string,
    cause: unknown,
  ) {
    super(`invalid ignore pattern ${JSON.stringify(pattern)}: ${(cause as Error).message}`);
    this.name = 'IgnorePatternError';
  }
}

// The matcher remembers the answer for every path it is asked about; it is replaced after this
// many questions so that memory stays flat on a large context.
const MATCHER_CACHE_LIMIT = 8192;

class PatternList {
  private readonly normalized: string[];
  private readonly exceptions: string[][];
  private readonly pruneCache = new Map<string, boolean>();
  private matcher: ReturnType<typeof dockerignore>;
  private asked = 0;

  constructor(patterns: string[]) {
    const rules = patterns.map(parseRule).filter((r): r is Rule => r !== null);
    this.normalized = rules.map((r) => (r.exception ? `!${r.pattern}` : r.pattern));
    for (const p of this.normalized) {
      try {
        dockerignore({ ignorecase: false }).add(p).ignores('x');
      } catch (e) {
        throw new IgnorePatternError(p, e);
      }
    }
    this.matcher = dockerignore({ ignorecase: false }).add(this.normalized);
    this.exceptions = rules.filter((r) => r.exception).map((r) => r.pattern.split('/'));
  }

  ignores(relPath: string): boolean {
    if (++this.asked > MATCHER_CACHE_LIMIT) {
      this.matcher = dockerignore({ ignorecase: false }).add(this.normalized);
      this.asked = 0;
    }
    return this.matcher.ignores(relPath);
  }

  // A path beneath an ignored directory is matched by every pattern that matches the directory
  // (a pattern that matches a directory matches its contents), so it can differ from the
  // directory only through a pattern that matches it and not the directory. Only an exception
  // can bring it back: the directory may be skipped when no exception could match a path below.
  canPruneDir(relDir: string): boolean {
    let cached = this.pruneCache.get(relDir);
    if (cached === undefined) {
      const dirSegs = relDir.split('/');
      cached =
        this.ignores(relDir) && !this.exceptions.some((p) => couldMatchBeneath(p, 0, dirSegs, 0));
      if (this.pruneCache.size > 4096) this.pruneCache.clear();
      this.pruneCache.set(relDir, cached);
    }
    return cached;
  }
}

class CompositeMatcher implements IgnoreMatcher {
  constructor(
    private readonly lists: PatternList[],
    readonly ignoreFile: string | null,
  ) {}

  ignores(relPath: string): boolean {
    const p = normalizeRel(relPath);
    if (p === '') return false;
    return this.lists.some((l) => l.ignores(p));
  }

  canPruneDir(relDir: string): boolean {
    const p = normalizeRel(relDir);
    if (p === '') return false;
    return this.lists.some((l) => l.canPruneDir(p));
  }
}

function normalizeRel(p: string): string {
  if (p === '' || p === '.') return '';
  let n = posix.normalize(p);
  if (n.startsWith('./')) n = n.slice(2);
  if (n.endsWith('/')) n = n.slice(0, -1);
  return n === '.' ? '' : n;
}

/**
 * Whether the pattern (split at `/`) could match some path strictly beneath the directory (split
 * at `/`), compared segment by segment. It errs towards true: a segment it cannot judge counts as
 * a possible match, which only costs a walk.
 */
function couldMatchBeneath(pat: string[], i: number, dir: string[], j: number): boolean {
  if (i === pat.length) return false; // the pattern ends at or above the directory
  const seg = pat[i];
  if (seg === '**') {
    if (i === pat.length - 1) return true;
    if (couldMatchBeneath(pat, i + 1, dir, j)) return true;
    return j < dir.length && couldMatchBeneath(pat, i, dir, j + 1);
  }
  if (j === dir.length) return true; // pattern segments left to match what lies below
  if (seg.includes('**')) return true;
  if (!segmentMatches(seg, dir[j])) return false;
  return couldMatchBeneath(pat, i + 1, dir, j + 1);
}

const segmentRegexps = new Map<string, RegExp | null>();

function segmentMatches(seg: string, name: string): boolean {
  let re = segmentRegexps.get(seg);
  if (re === undefined) {
    re = segmentRegexp(seg);
    segmentRegexps.set(seg, re);
  }
  return re === null ? true : re.test(name);
}

// The same translation as the matcher's, for a single path segment.
function segmentRegexp(seg: string): RegExp | null {
  let src = '^';
  for (let k = 0; k < seg.length; k++) {
    const ch = seg[k];
    if (ch === '*') src += '[^/]*';
    else if (ch === '?') src += '[^/]';
    else if (ch === '.' || ch === '$') src += '\\' + ch;
    else if (ch === '\\') {
      if (k + 1 < seg.length) src += '\\' + seg[++k];
      else src += '\\\\';
    } else src += ch;
  }
  try {
    return new RegExp(src + '$');
  } catch {
    return null;
  }
}
