// Go's path/filepath semantics on POSIX paths, which the Tiltfile's os.path
// functions follow: Clean, Join, Base, Dir, Rel.

/** The shortest lexically equivalent path (filepath.Clean). */
export function clean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const s = (rooted ? '/' : '') + parts.join('/');
  return s === '' ? '.' : s;
}

/** Joins the non-empty elements with "/" and cleans the result; "" when all are empty. */
export function join(...elems: string[]): string {
  const nonEmpty = elems.filter((e) => e !== '');
  return nonEmpty.length === 0 ? '' : clean(nonEmpty.join('/'));
}

/** The last element of the path (filepath.Base). */
export function base(p: string): string {
  if (p === '') return '.';
  p = p.replace(/\/+$/, '');
  if (p === '') return '/';
  return p.slice(p.lastIndexOf('/') + 1);
}

/** All but the last element of the path, cleaned (filepath.Dir). */
export function dir(p: string): string {
  return clean(p.slice(0, p.lastIndexOf('/') + 1));
}

export function isAbs(p: string): boolean {
  return p.startsWith('/');
}

/**
 * A relative path that is lexically equivalent to targ when joined to base
 * (filepath.Rel). Throws when targ can't be made relative to base.
 */
export function rel(basepath: string, targpath: string): string {
  const fail = () => new Error(`Rel: can't make ${targpath} relative to ${basepath}`);
  let b = clean(basepath);
  const t = clean(targpath);
  if (b === t) return '.';
  if (b === '.') b = '';
  if ((b.startsWith('/') ? 1 : 0) !== (t.startsWith('/') ? 1 : 0)) throw fail();
  const bs = segments(b);
  const ts = segments(t === '.' ? '' : t);
  let i = 0;
  while (i < bs.length && i < ts.length && bs[i] === ts[i]) i++;
  if (i < bs.length && bs[i] === '..') throw fail();
  const up = bs.slice(i).map(() => '..');
  return [...up, ...ts.slice(i)].join('/') || '.';
}

function segments(p: string): string[] {
  const s = p.replace(/^\//, '');
  return s === '' ? [] : s.split('/');
}
