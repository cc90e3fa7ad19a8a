// The resource page's list of resources: (all) and (Tiltfile) first, each with a status dot.

import { memo } from 'react';
import type { UIResource } from '../../../src/api/types.js';
import { useViewState } from '../hooks.js';
import { ALL, Link, TILTFILE, resourcePath } from '../router.js';
import { resourceTone } from '../status.js';
import { StatusDot } from './controls.js';

// Links keep the log filters, read when clicked: typing a filter re-renders no item.
export function Sidebar({ current }: { current: string }) {
  const { resources, byName } = useViewState();
  const tiltfile = byName.get(TILTFILE);
  const errors = resources.filter((r) => resourceTone(r) === 'error').length;
  return (
    <nav className="sidebar" aria-label="Resources">
      <ul>
        <li>
          <Link
            to={resourcePath(ALL)}
            keepQuery
            className={current === ALL ? 'active' : undefined}
            aria-current={current === ALL ? 'page' : undefined}
          >
            <span className={`dot tone-${errors > 0 ? 'error' : 'idle'}`} aria-hidden="true" />
            <span className="label">{ALL}</span>
            {errors > 0 && <span className="badge">{errors}</span>}
          </Link>
        </li>
        <Item name={TILTFILE} resource={tiltfile} active={current === TILTFILE} />
        {resources.map((r) =>
          r.metadata.name === TILTFILE ? null : (
            <Item
              key={r.metadata.name}
              name={r.metadata.name}
              resource={r}
              active={current === r.metadata.name}
            />
          ),
        )}
      </ul>
    </nav>
  );
}

const Item = memo(function Item({
  name,
  resource,
  active,
}: {
  name: string;
  resource: UIResource | undefined;
  active: boolean;
}) {
  return (
    <li data-resource={name}>
      <Link
        to={resourcePath(name)}
        keepQuery
        className={active ? 'active' : undefined}
        aria-current={active ? 'page' : undefined}
      >
        {resource ? <StatusDot resource={resource} /> : <span className="dot tone-idle" />}
        <span className="label">{name}</span>
      </Link>
    </li>
  );
});
