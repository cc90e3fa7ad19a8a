// Small helpers on absolute, `/`-separated paths (Linux and macOS; the watcher does not run on
// Windows).

import { posix } from 'node:path';

/** Whether `path` is `dir` or lies beneath it. Both are absolute and normalized. */
export function isWithin(path: string, dir: string): boolean {
  if (path === dir) return true;
  if (dir === '/') return path.startsWith('/');
  return path.length > dir.length && path.charCodeAt(dir.length) === 47 && path.startsWith(dir);
}

/** Whether `path` lies strictly beneath `dir`. */
export function isStrictlyWithin(path: string, dir: string): boolean {
  return path !== dir && isWithin(path, dir);
}

/** Whether one of the two paths contains the other. */
export function overlaps(a: string, b: string): boolean {
  return isWithin(a, b) || isWithin(b, a);
}

/** `path` relative to `dir` (which contains it), `''` when they are the same. */
export function relativeWithin(dir: string, path: string): string {
  if (path === dir) return '';
  return dir === '/' ? path.slice(1) : path.slice(dir.length + 1);
}

/** The last segment of an absolute path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The parent directory of an absolute path (`/` for `/`). */
export function parentDir(path: string): string {
  return posix.dirname(path);
}

/** Escape a literal for a regular expression that both V8 and C++'s std::regex (ECMAScript) read. */
export function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
