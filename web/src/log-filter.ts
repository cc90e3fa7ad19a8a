// The log pane's filters as views over the log store: which line numbers a (resource, source,
// level, term) query shows. Views are cached and brought up to date incrementally: new lines are
// tested once, and only lines whose text grew are tested again. A term view scans its parent
// (the same query without the term), and first only the matches of a cached shorter term it
// refines, so typing a term letter by letter scans fewer lines each time.

import { IntList } from './int-list.js';
import type { LogStore } from './log-store.js';

export type SourceFilter = 'all' | 'build' | 'runtime';
export type LevelFilter = 'all' | 'warn' | 'error';

export interface LogQuery {
  /** null: every resource, as the (all) page. */
  resource: string | null;
  source: SourceFilter;
  level: LevelFilter;
  /** Case-insensitive text, or /regex/. */
  term: string;
}

export interface ParsedTerm {
  /** null when the term is empty. */
  re: RegExp | null;
  /** Set when /.../ is not a valid regular expression (it is then searched as text). */
  error?: string;
  /** Plain text searched, lower-cased; undefined for a regex. */
  literal?: string;
}

export function parseTerm(term: string): ParsedTerm {
  if (term === '') return { re: null };
  if (term.length > 2 && term.startsWith('/') && term.endsWith('/')) {
    try {
      return { re: new RegExp(term.slice(1, -1), 'i') };
    } catch (e) {
      return { ...literal(term), error: (e as Error).message };
    }
  }
  return literal(term);
}

function literal(term: string): ParsedTerm {
  return {
    re: new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'),
    literal: term.toLowerCase(),
  };
}

/** Ascending line numbers, brought up to date by `update`. */
export interface LineView {
  readonly length: number;
  at(i: number): number;
  /** First position whose line number is >= line. */
  lowerBound(line: number): number;
  update(): void;
}

class AllLines implements LineView {
  constructor(private readonly store: LogStore) {}
  get length(): number {
    return this.store.size;
  }
  at(i: number): number {
    return this.store.base + i;
  }
  lowerBound(line: number): number {
    return Math.min(this.store.size, Math.max(0, line - this.store.base));
  }
  update(): void {}
}

class ResourceLines implements LineView {
  constructor(
    private readonly store: LogStore,
    private readonly name: string,
  ) {}
  get length(): number {
    return this.store.resourceLines(this.name)?.length ?? 0;
  }
  at(i: number): number {
    return this.store.resourceLines(this.name)!.at(i);
  }
  lowerBound(line: number): number {
    return this.store.resourceLines(this.name)?.lowerBound(line) ?? 0;
  }
  update(): void {}
}

/** The lines of `parent` that pass `test`. */
class FilteredLines implements LineView {
  private readonly lines = new IntList();
  /** Every parent line below this has been tested. */
  private scannedTo = 0;
  /** The next store edit to look at. */
  private nextEdit: number;

  constructor(
    private readonly store: LogStore,
    private readonly parent: LineView,
    private readonly test: (line: number) => boolean,
    /** Whether the test can change when a line's text grows (its text or level). */
    private readonly rechecksEdits: boolean,
    /**
     * A subset of `parent` that holds every line passing `test` (the view of a shorter term):
     * the first scan goes over it instead. Only the first, so views never chain up.
     */
    private seed?: LineView,
  ) {
    this.nextEdit = store.editsEnd;
  }

  get length(): number {
    return this.lines.length;
  }
  at(i: number): number {
    return this.lines.at(i);
  }
  lowerBound(line: number): number {
    return this.lines.lowerBound(line);
  }

  update(): void {
    const { store, parent, lines } = this;
    if (this.seed) {
      const seed = this.seed;
      this.seed = undefined;
      seed.update();
      this.scan(0, seed);
      return;
    }
    parent.update();
    lines.dropFront(lines.lowerBound(store.base));
    const scanned = this.scannedTo;
    if (this.rechecksEdits) {
      if (this.nextEdit < store.oldestEdit) {
        // Too far behind to catch up edit by edit.
        lines.clear();
        this.scannedTo = 0;
        this.nextEdit = store.editsEnd;
        this.scan(0);
        return;
      }
      for (; this.nextEdit < store.editsEnd; this.nextEdit++) {
        const line = store.edit(this.nextEdit)!;
        if (line < store.base || line >= scanned) continue;
        const p = parent.lowerBound(line);
        const inParent = p < parent.length && parent.at(p) === line;
        if (inParent && this.test(line)) lines.insertSorted(line);
        else lines.removeSorted(line);
      }
    }
    this.scan(scanned);
  }

  private scan(from: number, source: LineView = this.parent): void {
    const { lines, test } = this;
    const n = source.length;
    for (let i = source.lowerBound(from); i < n; i++) {
      const line = source.at(i);
      if (test(line)) lines.push(line);
    }
    this.scannedTo = this.store.end;
  }
}

interface CacheEntry {
  view: LineView;
  used: number;
  /** For a literal term view: the lower-cased term, so a longer term can refine it. */
  literal?: string;
  parentKey?: string;
}

/** Cached views, so that switching filters back and forth and typing are cheap. */
export class LogIndex {
  private cache = new Map<string, CacheEntry>();
  private clock = 0;

  constructor(
    private readonly store: LogStore,
    private readonly maxViews = 16,
  ) {}

  /** The view for `q`, up to date. */
  view(q: LogQuery): LineView {
    const v = this.get(q);
    v.update();
    return v;
  }

  private get(q: LogQuery): LineView {
    const key = keyOf(q);
    const hit = this.cache.get(key);
    if (hit) {
      hit.used = ++this.clock;
      return hit.view;
    }
    const { store } = this;
    let view: LineView;
    let entry: Omit<CacheEntry, 'view' | 'used'> = {};
    if (q.term !== '') {
      const parentQuery = { ...q, term: '' };
      const parentKey = keyOf(parentQuery);
      const term = parseTerm(q.term);
      const re = term.re!;
      const seed = term.literal !== undefined ? this.refinable(parentKey, term.literal) : undefined;
      const test = (line: number) => re.test(store.plainText(line));
      view = new FilteredLines(store, this.get(parentQuery), test, true, seed);
      entry = { literal: term.literal, parentKey };
    } else if (q.source !== 'all' || q.level !== 'all') {
      const parent = this.get({ ...q, source: 'all', level: 'all' });
      view = new FilteredLines(store, parent, levelSourceTest(store, q), q.level !== 'all');
    } else {
      view = q.resource === null ? new AllLines(store) : new ResourceLines(store, q.resource);
    }
    this.cache.set(key, { view, used: ++this.clock, ...entry });
    this.evict();
    return view;
  }

  /** A cached literal view of the same query whose term `literal` contains: a superset to scan. */
  private refinable(parentKey: string, literal: string): LineView | undefined {
    let best: CacheEntry | undefined;
    for (const e of this.cache.values()) {
      if (e.parentKey !== parentKey || e.literal === undefined) continue;
      if (!literal.includes(e.literal)) continue;
      if (!best || e.literal.length > best.literal!.length) best = e;
    }
    if (best) best.used = ++this.clock;
    return best?.view;
  }

  private evict(): void {
    // A view's parent may be evicted while it lives: it still holds and updates it.
    while (this.cache.size > this.maxViews) {
      let oldest: string | undefined;
      let used = Infinity;
      for (const [k, e] of this.cache) {
        if (e.used < used) {
          used = e.used;
          oldest = k;
        }
      }
      this.cache.delete(oldest!);
    }
  }
}

function keyOf(q: LogQuery): string {
  return `${q.resource ?? '\u0000all'}\u0000${q.source}\u0000${q.level}\u0000${q.term}`;
}

function levelSourceTest(store: LogStore, q: LogQuery): (line: number) => boolean {
  const level = q.level === 'warn' ? 'WARN' : q.level === 'error' ? 'ERROR' : null;
  const source = q.source;
  return (line) => {
    if (level !== null && store.level(line) !== level) return false;
    if (source === 'all') return true;
    const s = store.source(line);
    // The Tiltfile's execution is its build.
    return source === 'build' ? s !== 'runtime' : s === 'runtime';
  };
}
