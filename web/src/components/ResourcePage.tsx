// A resource's page (/r/NAME/overview): the sidebar, the resource's status and buttons, its
// last build error pinned, and its logs. (all) shows every resource's logs, prefixed.

import type { UIResource, UISession } from '../../../src/api/types.js';
import { useViewState } from '../hooks.js';
import { ALL, TILTFILE } from '../router.js';
import { lastUpdateTime, typeLabel } from '../status.js';
import { AnsiText } from './AnsiText.js';
import {
  EnableToggle,
  Endpoints,
  RelTime,
  StatusText,
  TriggerButton,
  TriggerModeToggle,
} from './controls.js';
import { LogPane } from './LogPane.js';
import { Sidebar } from './Sidebar.js';

export function ResourcePage({ name }: { name: string }) {
  const { byName, loaded, session } = useViewState();
  const isAll = name === ALL;
  const r = isAll ? undefined : byName.get(name);
  const missing = loaded && !isAll && !r;
  return (
    <div className="resource-page">
      <Sidebar current={name} />
      <main className="resource-main">
        {r ? (
          <ResourceHeader resource={r} />
        ) : (
          <h1 className="resource-title">{isAll ? 'All resources' : name}</h1>
        )}
        {r && <PinnedError resource={r} session={session} />}
        {missing ? (
          <p className="muted empty">No resource named “{name}”.</p>
        ) : (
          <LogPane resource={isAll ? null : name} />
        )}
      </main>
    </div>
  );
}

function ResourceHeader({ resource: r }: { resource: UIResource }) {
  const s = r.status;
  const isTiltfile = s.type === 'tiltfile';
  return (
    <header className="resource-header">
      <h1 className="resource-title">{r.metadata.name}</h1>
      <span className="muted">{typeLabel(r)}</span>
      <span className="field">
        <span className="muted">Update</span>
        <StatusText kind="update" status={s.updateStatus} disabled={s.disabled} detail={s.detail} />
      </span>
      {!isTiltfile && (
        <span className="field">
          <span className="muted">Runtime</span>
          <StatusText
            kind="runtime"
            status={s.runtimeStatus}
            disabled={s.disabled}
            detail={s.detail}
          />
        </span>
      )}
      <span className="field">
        <span className="muted">Updated</span>
        <RelTime ms={lastUpdateTime(r)} />
      </span>
      {s.podName && (
        <span className="field pod">
          <span className="muted">Pod</span>
          {s.podName}
        </span>
      )}
      <Endpoints resource={r} />
      <span className="actions">
        <TriggerButton resource={r} />
        {!isTiltfile && <TriggerModeToggle resource={r} />}
        {!isTiltfile && <EnableToggle resource={r} />}
      </span>
      {s.detail && s.updateStatus !== 'error' && <div className="detail muted">{s.detail}</div>}
    </header>
  );
}

function PinnedError({
  resource: r,
  session,
}: {
  resource: UIResource;
  session: UISession | null;
}) {
  const s = r.status;
  const last = s.buildHistory[0];
  let error = s.updateStatus === 'error' ? last?.error : undefined;
  // The Tiltfile keeps no build history; its error is the session's.
  if (!error && r.metadata.name === TILTFILE && s.updateStatus === 'error') {
    error = session?.status.tiltfileError ?? s.detail;
  }
  if (!error) return null;
  return (
    <section className="pinned-error" role="alert" aria-label="Last build error">
      <div className="pinned-title">
        Update failed{last?.reason ? `: ${last.reason}` : ''}{' '}
        <span className="muted">
          <RelTime ms={last?.finishTime ? Date.parse(last.finishTime) : undefined} />
        </span>
      </div>
      <pre>
        {error.split('\n').map((line, i) => (
          <div key={i}>
            <AnsiText text={line} />
          </div>
        ))}
      </pre>
    </section>
  );
}
