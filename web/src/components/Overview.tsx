// The overview (/): every resource in a table, a section per label (unlabelled last), and a
// name filter kept in the URL.

import { memo, useMemo } from 'react';
import type { UIResource } from '../../../src/api/types.js';
import { useViewState } from '../hooks.js';
import { Link, resourcePath, setQuery, useLocation } from '../router.js';
import { lastUpdateTime, typeLabel } from '../status.js';
import {
  EnableToggle,
  Endpoints,
  RelTime,
  StatusText,
  TriggerButton,
  TriggerModeToggle,
} from './controls.js';

const UNLABELLED = 'unlabelled';
// Fixed, so the tables of all groups line up.
const COLUMN_WIDTHS = ['16%', '7%', '10%', '10%', '9%', '8%', '14%', '10%', '7%', '9%'];

export function groupByLabel(resources: readonly UIResource[]): [string, UIResource[]][] {
  const groups = new Map<string, UIResource[]>();
  const rest: UIResource[] = [];
  for (const r of resources) {
    if (r.status.labels.length === 0) rest.push(r);
    for (const l of r.status.labels) {
      let g = groups.get(l);
      if (!g) groups.set(l, (g = []));
      g.push(r);
    }
  }
  const out = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (rest.length > 0) out.push([UNLABELLED, rest]);
  return out;
}

export function Overview() {
  const { resources, loaded } = useViewState();
  const loc = useLocation();
  const filter = loc.params.get('name') ?? '';
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? resources.filter((r) => r.metadata.name.toLowerCase().includes(f)) : resources;
  }, [resources, filter]);
  const labelled = useMemo(() => resources.some((r) => r.status.labels.length > 0), [resources]);
  const groups = useMemo(
    () => (labelled ? groupByLabel(shown) : [['', [...shown]] as [string, UIResource[]]]),
    [labelled, shown],
  );

  return (
    <main className="overview">
      <div className="toolbar">
        <input
          type="search"
          className="name-filter"
          placeholder="Filter resources by name"
          aria-label="Filter resources by name"
          value={filter}
          onChange={(e) => setQuery(loc, { name: e.target.value })}
        />
        <span className="muted count">
          {filter ? `${shown.length} of ${resources.length}` : resources.length} resources
        </span>
        <Link className="button-link" to={resourcePath('(all)')}>
          All logs
        </Link>
      </div>
      {!loaded ? (
        <p className="muted empty">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="muted empty">
          {filter ? `No resource matches “${filter}”.` : 'No resources.'}
        </p>
      ) : (
        groups.map(([label, rs]) => (
          <section key={label || 'all'} className="group" aria-label={label || 'resources'}>
            {label && (
              <h2 className="group-title">
                {label} <span className="muted">{rs.length}</span>
              </h2>
            )}
            <ResourceTable resources={rs} />
          </section>
        ))
      )}
    </main>
  );
}

function ResourceTable({ resources }: { resources: UIResource[] }) {
  return (
    <table className="resources">
      <colgroup>
        {COLUMN_WIDTHS.map((w, i) => (
          <col key={i} style={{ width: w }} />
        ))}
      </colgroup>
      <thead>
        <tr>
          <th>Resource</th>
          <th>Type</th>
          <th>Update</th>
          <th>Runtime</th>
          <th>Last update</th>
          <th>Trigger</th>
          <th>Pod</th>
          <th>Endpoints</th>
          <th>Mode</th>
          <th>Enabled</th>
        </tr>
      </thead>
      <tbody>
        {resources.map((r) => (
          <ResourceRow key={r.metadata.name} resource={r} />
        ))}
      </tbody>
    </table>
  );
}

// A row renders again only when its resource object changes.
const ResourceRow = memo(function ResourceRow({ resource: r }: { resource: UIResource }) {
  const s = r.status;
  const name = r.metadata.name;
  const isTiltfile = s.type === 'tiltfile';
  return (
    <tr data-resource={name} className={s.disabled ? 'disabled' : undefined}>
      <td className="name">
        <Link to={resourcePath(name)}>{name}</Link>
      </td>
      <td>{typeLabel(r)}</td>
      <td>
        <StatusText
          kind="update"
          status={s.updateStatus}
          disabled={s.disabled}
          detail={s.updateStatus === 'error' || s.updateStatus === 'pending' ? s.detail : undefined}
        />
      </td>
      <td>
        <StatusText
          kind="runtime"
          status={s.runtimeStatus}
          disabled={s.disabled}
          detail={
            s.runtimeStatus === 'error' || s.runtimeStatus === 'pending' ? s.detail : undefined
          }
        />
      </td>
      <td>
        <RelTime ms={lastUpdateTime(r)} />
      </td>
      <td>
        <TriggerButton resource={r} />
      </td>
      <td className="pod">{s.podName ?? ''}</td>
      <td>
        <Endpoints resource={r} />
      </td>
      <td>{!isTiltfile && <TriggerModeToggle resource={r} />}</td>
      <td>{!isTiltfile && <EnableToggle resource={r} />}</td>
    </tr>
  );
});
