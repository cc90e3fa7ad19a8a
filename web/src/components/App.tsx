// The page: a header, the connection banner, errors from requests, and the current route.

import { useEffect, useState } from 'react';
import { onApiError } from '../api.js';
import { useViewState } from '../hooks.js';
import { ALL, Link, parseRoute, resourcePath, useLocation } from '../router.js';
import { resourceTone } from '../status.js';
import { Overview } from './Overview.js';
import { ResourcePage } from './ResourcePage.js';

export function App() {
  const loc = useLocation();
  const route = parseRoute(loc.pathname);
  return (
    <div className="app">
      <Header page={route.page === 'resource' ? 'logs' : 'overview'} />
      <ConnectionBanner />
      <ErrorToasts />
      {route.page === 'overview' ? (
        <Overview />
      ) : route.page === 'resource' ? (
        <ResourcePage name={route.name} />
      ) : (
        <main className="empty">
          <p>No such page. </p>
          <Link to="/">Go to the overview</Link>
        </main>
      )}
    </div>
  );
}

function Header({ page }: { page: 'overview' | 'logs' }) {
  const { resources, session } = useViewState();
  let ok = 0;
  let errors = 0;
  let pending = 0;
  for (const r of resources) {
    const t = resourceTone(r);
    if (t === 'ok') ok++;
    else if (t === 'error') errors++;
    else if (t === 'pending' || t === 'building') pending++;
  }
  useEffect(() => {
    document.title = errors > 0 ? `Tilt (${errors} error${errors === 1 ? '' : 's'})` : 'Tilt';
  }, [errors]);
  return (
    <header className="top">
      <Link to="/" className="brand">
        tilt
      </Link>
      <nav className="tabs">
        <Link to="/" className={page === 'overview' ? 'active' : undefined}>
          Overview
        </Link>
        <Link to={resourcePath(ALL)} className={page === 'logs' ? 'active' : undefined}>
          Logs
        </Link>
      </nav>
      <span className="summary">
        <span className="tone-ok">{ok} ok</span>
        {pending > 0 && <span className="tone-pending">{pending} pending</span>}
        {errors > 0 && (
          <span className="tone-error">
            {errors} error{errors === 1 ? '' : 's'}
          </span>
        )}
      </span>
      {session?.status.tiltfileError && (
        <Link to={resourcePath('(Tiltfile)')} className="tiltfile-error tone-error">
          Tiltfile error
        </Link>
      )}
      <span className="muted version">{session?.status.version}</span>
    </header>
  );
}

function ConnectionBanner() {
  const { status } = useViewState();
  if (status === 'open') return null;
  if (status === 'connecting') {
    return (
      <div className="banner connecting" role="status">
        Connecting to tilt…
      </div>
    );
  }
  return (
    <div className="banner disconnected" role="alert">
      Disconnected from tilt. Reconnecting… (is <code>tilt up</code> still running?)
    </div>
  );
}

function ErrorToasts() {
  const [errors, setErrors] = useState<{ id: number; message: string }[]>([]);
  useEffect(() => {
    let id = 0;
    return onApiError((message) => {
      const e = { id: ++id, message };
      setErrors((es) => [...es.slice(-2), e]);
      window.setTimeout(() => setErrors((es) => es.filter((x) => x !== e)), 8000);
    });
  }, []);
  if (errors.length === 0) return null;
  return (
    <div className="toasts" role="alert">
      {errors.map((e) => (
        <div key={e.id} className="toast">
          {e.message}
          <button
            type="button"
            aria-label="Dismiss"
            onClick={() => setErrors((es) => es.filter((x) => x !== e))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
