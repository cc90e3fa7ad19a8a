// The small pieces the overview and the resource page share: statuses, times, endpoint links,
// and the buttons that change a resource.

import { useEffect, useState } from 'react';
import type { RuntimeStatus, UIResource, UpdateStatus } from '../../../src/api/types.js';
import { setEnabled, setTriggerMode, triggerUpdate } from '../api.js';
import { useNow } from '../hooks.js';
import {
  canTrigger,
  formatAgo,
  resourceTone,
  runtimeTone,
  statusWord,
  updateTone,
  type Tone,
} from '../status.js';

export function StatusText({
  kind,
  status,
  disabled,
  detail,
}: {
  kind: 'update' | 'runtime';
  status: UpdateStatus | RuntimeStatus;
  disabled?: boolean;
  detail?: string;
}) {
  const tone: Tone = disabled
    ? 'disabled'
    : kind === 'update'
      ? updateTone(status as UpdateStatus)
      : runtimeTone(status as RuntimeStatus);
  return (
    <span
      className={`status tone-${tone}`}
      data-status={disabled ? 'disabled' : status}
      title={detail ? `${kind}: ${detail}` : undefined}
    >
      {tone === 'building' ? <Spinner /> : <span className="dot" aria-hidden="true" />}
      {disabled ? 'disabled' : statusWord(status)}
    </span>
  );
}

export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}

export function StatusDot({ resource }: { resource: UIResource }) {
  const tone = resourceTone(resource);
  return tone === 'building' ? (
    <Spinner />
  ) : (
    <span className={`dot tone-${tone}`} data-tone={tone} aria-label={tone} />
  );
}

export function RelTime({ ms }: { ms: number | undefined }) {
  const now = useNow();
  if (ms === undefined || Number.isNaN(ms)) return <span className="muted">—</span>;
  return <time dateTime={new Date(ms).toISOString()}>{formatAgo(ms, now)}</time>;
}

export function Endpoints({ resource }: { resource: UIResource }) {
  const links = resource.status.endpointLinks;
  if (links.length === 0) return null;
  return (
    <span className="endpoints">
      {links.map((l) => (
        <a key={l.url} href={l.url} target="_blank" rel="noreferrer">
          {l.name ?? l.url.replace(/^https?:\/\//, '').replace(/\/$/, '')}
        </a>
      ))}
    </span>
  );
}

export function TriggerButton({ resource }: { resource: UIResource }) {
  const [busy, setBusy] = useState(false);
  const s = resource.status;
  const name = resource.metadata.name;
  const highlighted = s.hasPendingChanges && s.triggerMode === 'manual';
  const enabled = canTrigger(resource) && !busy;
  const title = s.disabled
    ? 'The resource is disabled'
    : s.queued
      ? 'Queued for an update'
      : !canTrigger(resource)
        ? 'Updating'
        : highlighted
          ? 'Files changed: trigger an update'
          : 'Trigger an update';
  return (
    <button
      type="button"
      className={`trigger${highlighted ? ' pending-changes' : ''}`}
      disabled={!enabled}
      title={title}
      aria-label={`Trigger update of ${name}`}
      onClick={() => {
        setBusy(true);
        triggerUpdate(name)
          .catch(() => undefined)
          .finally(() => setBusy(false));
      }}
    >
      {s.queued ? 'Queued' : '↻ Trigger'}
    </button>
  );
}

/**
 * A value the user just asked to change: shown at once, until the server's state agrees, the
 * request fails, or a few seconds pass.
 */
function useRequested<T>(actual: T): [T, (want: T, send: () => Promise<void>) => void] {
  const [want, setWant] = useState<{ value: T } | null>(null);
  useEffect(() => {
    if (want && want.value === actual) setWant(null);
  }, [want, actual]);
  useEffect(() => {
    if (!want) return;
    const t = window.setTimeout(() => setWant(null), 5000);
    return () => window.clearTimeout(t);
  }, [want]);
  const request = (value: T, send: () => Promise<void>) => {
    setWant({ value });
    send().catch(() => setWant(null));
  };
  return [want ? want.value : actual, request];
}

export function TriggerModeToggle({ resource }: { resource: UIResource }) {
  const name = resource.metadata.name;
  const [mode, request] = useRequested(resource.status.triggerMode);
  const next = mode === 'auto' ? 'manual' : 'auto';
  return (
    <button
      type="button"
      className={`mode mode-${mode}`}
      aria-label={`Trigger mode of ${name}: ${mode}`}
      title={`Updates on file changes: ${mode === 'auto' ? 'automatic' : 'manual'}. Click for ${next}.`}
      onClick={() => request(next, () => setTriggerMode(name, next))}
    >
      {mode}
    </button>
  );
}

export function EnableToggle({ resource }: { resource: UIResource }) {
  const name = resource.metadata.name;
  const [enabled, request] = useRequested(!resource.status.disabled);
  return (
    <button
      type="button"
      role="switch"
      aria-checked={enabled}
      aria-label={`${name} enabled`}
      className={`switch${enabled ? ' on' : ''}`}
      title={enabled ? 'Disable this resource' : 'Enable this resource'}
      onClick={() => request(!enabled, () => setEnabled(name, !enabled))}
    >
      <span className="knob" aria-hidden="true" />
      {enabled ? 'enabled' : 'disabled'}
    </button>
  );
}
