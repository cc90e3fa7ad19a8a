// The log pane: filters kept in the URL (?source=&level=&term=), and a virtualised list that
// renders only the rows in sight (fixed 18 px rows, no wrapping), so 200,000 lines scroll as
// smoothly as 20. Follows the end until the user scrolls up.

import {
  memo,
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { useLogs } from '../hooks.js';
import {
  LogIndex,
  parseTerm,
  type LevelFilter,
  type LineView,
  type SourceFilter,
} from '../log-filter.js';
import type { LogLevel, LogStore } from '../log-store.js';
import { setQuery, useLocation } from '../router.js';
import { nameColour } from '../status.js';
import { AnsiText } from './AnsiText.js';

export const ROW_HEIGHT = 18;
/** Rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 40;

const SOURCES: readonly SourceFilter[] = ['all', 'build', 'runtime'];
const LEVELS: readonly LevelFilter[] = ['all', 'warn', 'error'];
const DEFAULTS = { source: 'all', level: 'all', term: '' };

const indexes = new WeakMap<LogStore, LogIndex>();
// One index per store, so cached filter views survive page changes.
function indexFor(store: LogStore): LogIndex {
  let index = indexes.get(store);
  if (!index) indexes.set(store, (index = new LogIndex(store)));
  return index;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : allowed[0];
}

export function LogPane({ resource }: { resource: string | null }) {
  const [logs, version] = useLogs();
  const loc = useLocation();
  const source = oneOf(loc.params.get('source'), SOURCES);
  const level = oneOf(loc.params.get('level'), LEVELS);
  const term = loc.params.get('term') ?? '';
  // Typing stays responsive; the list catches up with the last term.
  const shownTerm = useDeferredValue(term);
  const parsed = useMemo(() => parseTerm(shownTerm), [shownTerm]);
  const highlight = useMemo(
    () => (parsed.re ? new RegExp(parsed.re.source, 'gi') : null),
    [parsed],
  );
  const index = indexFor(logs);
  // Cheap when nothing changed: a cache hit, and new lines are tested once.
  const view = index.view({ resource, source, level, term: shownTerm });
  const count = view.length;
  const filterKey = `${resource}\u0000${source}\u0000${level}\u0000${shownTerm}`;

  const scroller = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState(600);
  const [scrollTop, setScrollTop] = useState(0);
  const [following, setFollowing] = useState(true);
  /** The scrollTop last set to follow the end; scrolling above it is the user's doing. */
  const autoTop = useRef(-1);
  /** The line at the top of the pane and how far it is scrolled in, kept in place when not following. */
  const anchor = useRef<{ line: number; offset: number } | null>(null);

  // A new filter or resource starts at the end again.
  const [shownFilter, setShownFilter] = useState(filterKey);
  if (shownFilter !== filterKey) {
    setShownFilter(filterKey);
    setFollowing(true);
  }

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (following) {
      el.scrollTop = el.scrollHeight;
      autoTop.current = el.scrollTop;
      anchor.current = null;
    } else if (anchor.current) {
      // Lines dropped or inserted above must not move what the user is reading.
      const want = view.lowerBound(anchor.current.line) * ROW_HEIGHT + anchor.current.offset;
      if (Math.abs(el.scrollTop - want) >= 1) {
        el.scrollTop = want;
        setScrollTop(el.scrollTop);
      }
    }
  }, [following, count, version, view, height]);

  const onScroll = () => {
    const el = scroller.current!;
    const top = el.scrollTop;
    // Following, the rows come from the end anyway; only scrolling up matters.
    if (following && top >= autoTop.current - 1) return;
    setScrollTop(top);
    const atBottom = top + el.clientHeight >= el.scrollHeight - ROW_HEIGHT / 2;
    if (atBottom) {
      if (!following) setFollowing(true);
    } else if (following && top < autoTop.current - 1) {
      setFollowing(false);
    }
    if (!atBottom) {
      const i = Math.min(count - 1, Math.floor(top / ROW_HEIGHT));
      anchor.current = i >= 0 ? { line: view.at(i), offset: top - i * ROW_HEIGHT } : null;
    }
  };

  const total = count * ROW_HEIGHT;
  const top = following ? Math.max(0, total - height) : scrollTop;
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const line = view.at(i);
    rows.push(
      <LogLine
        key={line}
        text={logs.text(line)}
        level={logs.level(line)}
        prefix={resource === null ? logs.resource(line) : undefined}
        highlight={highlight}
      />,
    );
  }

  const stopOnKeys = (e: KeyboardEvent) => {
    if (['ArrowUp', 'PageUp', 'Home'].includes(e.key) && following) setFollowing(false);
  };

  return (
    <div className="log-pane">
      <div className="toolbar log-toolbar">
        <Segmented
          label="Source"
          options={SOURCES}
          names={{ all: 'All sources', build: 'Build', runtime: 'Runtime' }}
          value={source}
          onChange={(v) => setQuery(loc, { source: v }, DEFAULTS)}
        />
        <Segmented
          label="Level"
          options={LEVELS}
          names={{ all: 'All levels', warn: 'Warnings', error: 'Errors' }}
          value={level}
          onChange={(v) => setQuery(loc, { level: v }, DEFAULTS)}
        />
        <input
          type="search"
          className={`log-search${parseTerm(term).error ? ' invalid' : ''}`}
          placeholder="Filter logs: text or /regex/"
          aria-label="Filter logs"
          title={parseTerm(term).error ?? 'Case-insensitive; /.../ for a regular expression'}
          value={term}
          onChange={(e) => setQuery(loc, { term: e.target.value }, DEFAULTS)}
        />
        <span className="muted count" aria-live="polite" data-testid="log-count">
          {count.toLocaleString('en-US')} lines
          {logs.dropped > 0 && ` (${logs.dropped.toLocaleString('en-US')} oldest dropped)`}
        </span>
        <CopyButton view={view} logs={logs} prefixed={resource === null} />
      </div>
      <div
        ref={scroller}
        className="log-scroll"
        role="log"
        aria-label="Log"
        data-shown-term={shownTerm}
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(e) => {
          if (e.deltaY < 0 && following) setFollowing(false);
        }}
        onKeyDown={stopOnKeys}
      >
        <div className="log-space" style={{ height: total }}>
          <div className="log-rows" style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}>
            {rows}
          </div>
        </div>
        {count === 0 && (
          <div className="log-empty muted">
            {term || source !== 'all' || level !== 'all'
              ? 'No lines match the filters.'
              : 'No logs yet.'}
          </div>
        )}
      </div>
      {!following && (
        <button type="button" className="follow" onClick={() => setFollowing(true)}>
          ↓ Resume following
        </button>
      )}
    </div>
  );
}

const LogLine = memo(function LogLine({
  text,
  level,
  prefix,
  highlight,
}: {
  text: string;
  level: LogLevel;
  prefix: string | undefined;
  highlight: RegExp | null;
}) {
  const cls =
    level === 'ERROR' ? 'log-line lvl-error' : level === 'WARN' ? 'log-line lvl-warn' : 'log-line';
  return (
    <div className={cls}>
      {prefix !== undefined && (
        <span className={`log-prefix name-${nameColour(prefix)}`} title={prefix}>
          {prefix}
        </span>
      )}
      <AnsiText text={text} highlight={highlight} />
    </div>
  );
});

function Segmented<T extends string>({
  label,
  options,
  names,
  value,
  onChange,
}: {
  label: string;
  options: readonly T[];
  names: Record<T, string>;
  value: T;
  onChange: (v: T) => void;
}) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o}
          type="button"
          aria-pressed={o === value}
          className={o === value ? 'active' : undefined}
          onClick={() => onChange(o)}
        >
          {names[o]}
        </button>
      ))}
    </div>
  );
}

function CopyButton({
  view,
  logs,
  prefixed,
}: {
  view: LineView;
  logs: LogStore;
  prefixed: boolean;
}) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  useEffect(() => {
    if (!copied) return;
    const t = window.setTimeout(() => setCopied(null), 1500);
    return () => window.clearTimeout(t);
  }, [copied]);
  const copy = () => {
    const parts: string[] = [];
    for (let i = 0; i < view.length; i++) {
      const line = view.at(i);
      parts.push(
        prefixed ? `${logs.resource(line) || ' '} | ${logs.plainText(line)}` : logs.plainText(line),
      );
    }
    copyText(parts.join('\n') + (parts.length > 0 ? '\n' : ''))
      .then(() => setCopied('yes'))
      .catch(() => setCopied('failed'));
  };
  return (
    <button
      type="button"
      onClick={copy}
      title="Copy the lines shown (all of them, not only those in sight)"
    >
      {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy all'}
    </button>
  );
}

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Pages served over plain http from another host have no clipboard API.
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}
