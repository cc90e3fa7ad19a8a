// Client-side routes: / (overview) and /r/NAME/overview (a resource's page, NAME may be
// (all) or (Tiltfile)). The query string holds the filters, so a reload keeps them.

import {
  createElement,
  useMemo,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
} from 'react';

export type Route = { page: 'overview' } | { page: 'resource'; name: string } | { page: 'unknown' };

export const ALL = '(all)';
export const TILTFILE = '(Tiltfile)';

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '' || pathname === '/overview') return { page: 'overview' };
  const m = /^\/r\/([^/]+)(?:\/overview)?\/?$/.exec(pathname);
  if (m) {
    try {
      return { page: 'resource', name: decodeURIComponent(m[1]) };
    } catch {
      return { page: 'unknown' };
    }
  }
  return { page: 'unknown' };
}

export function resourcePath(name: string, search = ''): string {
  return `/r/${encodeURIComponent(name)}/overview${search}`;
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const href = () => window.location.pathname + window.location.search;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === href()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const l of [...listeners]) l();
}

export interface Loc {
  pathname: string;
  search: string;
  params: URLSearchParams;
}

export function useLocation(): Loc {
  const current = useSyncExternalStore(subscribe, href);
  return useMemo(() => {
    const url = new URL(current, window.location.origin);
    return { pathname: url.pathname, search: url.search, params: url.searchParams };
  }, [current]);
}

/** Sets query parameters (removing those given as '' or their default), replacing the history entry. */
export function setQuery(
  loc: Loc,
  changes: Record<string, string>,
  defaults: Record<string, string> = {},
): void {
  const params = new URLSearchParams(loc.params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === '' || v === defaults[k]) params.delete(k);
    else params.set(k, v);
  }
  const q = params.toString();
  navigate(loc.pathname + (q ? `?${q}` : ''), { replace: true });
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & {
  to: string;
  /** Carry the current query (the log filters) along, read at the click. */
  keepQuery?: boolean;
};

/** An <a> that navigates without reloading (unless opened elsewhere with a modifier key). */
export function Link({ to, keepQuery, onClick, ...rest }: LinkProps) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
      return;
    e.preventDefault();
    navigate(keepQuery ? to + window.location.search : to);
  };
  return createElement('a', { ...rest, href: to, onClick: click });
}
