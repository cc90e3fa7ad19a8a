// Every log line the page has received, in arrival order, indexed by resource. Segments are
// split into lines; a segment that does not end in a newline leaves its line open, and the next
// segment of the same span continues it in place. Lines are numbered from 0 for the life of
// the page; the oldest are dropped past a budget, so numbers below `base` are gone.

import type { LogSegmentJSON } from '../../src/api/types.js';
import { hasControl, plainText } from './ansi.js';
import { IntList } from './int-list.js';

export type LogSource = LogSegmentJSON['source'];
export type LogLevel = LogSegmentJSON['level'];

const SOURCES: readonly LogSource[] = ['build', 'runtime', 'tiltfile'];
const LEVELS: readonly LogLevel[] = ['INFO', 'WARN', 'ERROR'];
const SOURCE_CODE: Record<LogSource, number> = { build: 0, runtime: 1, tiltfile: 2 };
const LEVEL_CODE: Record<LogLevel, number> = { INFO: 0, WARN: 1, ERROR: 2 };

export interface LogStoreLimits {
  /** Lines kept; past it the oldest quarter goes. */
  maxLines: number;
  /** Characters kept, likewise. */
  maxChars: number;
}

// 500,000 rows of 18 px stay within every browser's largest element height.
export const DEFAULT_LIMITS: LogStoreLimits = { maxLines: 500_000, maxChars: 64 * 1024 * 1024 };

/** Edits remembered for filtered views to catch up on; a view further behind rebuilds. */
const MAX_EDITS = 65_536;

export class LogStore {
  /** Number of the oldest line kept. */
  base = 0;
  /** Highest segment index received: a reconnect's full view repeats what came before it. */
  lastIndex = 0;
  /** Lines dropped to stay within the limits. */
  dropped = 0;
  /** Changes on every append that stores something and on every trim. */
  version = 0;
  chars = 0;

  private raw: string[] = [];
  /** The text as shown, without escapes; the same string as `raw` for most lines. */
  private plain: string[] = [];
  /** Source code | level code << 2, per line. */
  private meta = new Uint8Array(4096);
  private resourceIds = new Int32Array(4096);
  private names: string[] = [];
  private ids = new Map<string, number>();
  private byResource: IntList[] = [];
  /** Per resource+span, the line a segment without a trailing newline left open. */
  private open = new Map<string, number>();
  /** Lines whose text grew after they were stored, in order; sequence numbers start at editsBase. */
  private edits = new IntList();
  private editsBase = 0;

  constructor(readonly limits: LogStoreLimits = DEFAULT_LIMITS) {}

  /** Number of lines kept. */
  get size(): number {
    return this.raw.length;
  }

  /** One past the newest line's number. */
  get end(): number {
    return this.base + this.raw.length;
  }

  get editsEnd(): number {
    return this.editsBase + this.edits.length;
  }

  /** The line changed by edit `seq`, or undefined if that edit is no longer remembered. */
  edit(seq: number): number | undefined {
    return seq >= this.editsBase && seq < this.editsEnd
      ? this.edits.at(seq - this.editsBase)
      : undefined;
  }

  get oldestEdit(): number {
    return this.editsBase;
  }

  text(line: number): string {
    return this.raw[line - this.base];
  }

  plainText(line: number): string {
    return this.plain[line - this.base];
  }

  resource(line: number): string {
    return this.names[this.resourceIds[line - this.base]];
  }

  source(line: number): LogSource {
    return SOURCES[this.meta[line - this.base] & 3];
  }

  level(line: number): LogLevel {
    return LEVELS[this.meta[line - this.base] >> 2];
  }

  /** The lines of one resource ('' for global output), ascending; undefined before its first. */
  resourceLines(name: string): IntList | undefined {
    const id = this.ids.get(name);
    return id === undefined ? undefined : this.byResource[id];
  }

  /** Names of the resources that have logged, in order of their first line. */
  resources(): readonly string[] {
    return this.names;
  }

  /**
   * Stores segments[from, to) in index order; those already seen are skipped. Returns whether
   * anything changed.
   */
  append(segments: readonly LogSegmentJSON[], from = 0, to = segments.length): boolean {
    let changed = false;
    for (let i = from; i < to; i++) {
      const seg = segments[i];
      if (seg.index <= this.lastIndex) continue;
      this.lastIndex = seg.index;
      if (seg.text.length > 0 && this.appendSegment(seg)) changed = true;
    }
    if (this.raw.length > this.limits.maxLines || this.chars > this.limits.maxChars) {
      this.trim();
      changed = true;
    }
    if (changed) this.version++;
    return changed;
  }

  /** Forgets everything (a different tilt answered the reconnect). */
  reset(): void {
    this.base = this.end;
    this.raw = [];
    this.plain = [];
    this.chars = 0;
    this.lastIndex = 0;
    this.open.clear();
    for (const list of this.byResource) list.clear();
    this.editsBase = this.editsEnd;
    this.edits.clear();
    this.version++;
  }

  private appendSegment(seg: LogSegmentJSON): boolean {
    const { text } = seg;
    const key = `${seg.resource}\u0000${seg.spanId}`;
    const openLine = this.open.get(key);
    let from = 0;
    let changed = false;
    if (openLine !== undefined) {
      // The span's unfinished line goes on; a newline ends it.
      this.open.delete(key);
      const nl = text.indexOf('\n');
      const part = nl < 0 ? text : text.slice(0, nl);
      if (openLine >= this.base) {
        if (part.length > 0) {
          this.extend(openLine, part, LEVEL_CODE[seg.level]);
          changed = true;
        }
        if (nl < 0) {
          this.open.set(key, openLine);
          return changed;
        }
        from = nl + 1;
      }
    }
    const id = this.resourceId(seg.resource);
    const meta = SOURCE_CODE[seg.source] | (LEVEL_CODE[seg.level] << 2);
    const list = this.byResource[id];
    while (from < text.length) {
      const nl = text.indexOf('\n', from);
      const line = nl < 0 ? text.slice(from) : text.slice(from, nl);
      const n = this.end;
      this.push(line, id, meta);
      list.push(n);
      changed = true;
      if (nl < 0) {
        this.open.set(key, n);
        break;
      }
      from = nl + 1;
    }
    return changed;
  }

  private push(line: string, id: number, meta: number): void {
    const i = this.raw.length;
    if (i === this.meta.length) {
      const m = new Uint8Array(i * 2);
      m.set(this.meta);
      this.meta = m;
      const r = new Int32Array(i * 2);
      r.set(this.resourceIds);
      this.resourceIds = r;
    }
    this.raw.push(line);
    this.plain.push(hasControl(line) ? plainText(line) : line);
    this.meta[i] = meta;
    this.resourceIds[i] = id;
    this.chars += line.length;
  }

  private extend(line: number, part: string, level: number): void {
    const i = line - this.base;
    const text = this.raw[i] + part;
    this.raw[i] = text;
    this.plain[i] = hasControl(text) ? plainText(text) : text;
    // A continuation can only raise the line's level (a warning finishing an info line).
    if (level > this.meta[i] >> 2) this.meta[i] = (this.meta[i] & 3) | (level << 2);
    this.chars += part.length;
    this.edits.push(line);
    if (this.edits.length > MAX_EDITS) {
      const n = this.edits.length - MAX_EDITS / 2;
      this.edits.dropFront(n);
      this.editsBase += n;
    }
  }

  private resourceId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
      this.byResource.push(new IntList());
    }
    return id;
  }

  /** Drops the oldest lines down to three quarters of the limits. */
  private trim(): void {
    const { maxLines, maxChars } = this.limits;
    const keepLines = Math.floor(maxLines * 0.75);
    const keepChars = Math.floor(maxChars * 0.75);
    let n = Math.max(0, this.raw.length - keepLines);
    let chars = this.chars;
    for (let i = 0; i < n; i++) chars -= this.raw[i].length;
    while (chars > keepChars && n < this.raw.length) chars -= this.raw[n++].length;
    if (n === 0) return;
    const size = this.raw.length;
    this.raw.splice(0, n);
    this.plain.splice(0, n);
    this.meta.copyWithin(0, n, size);
    this.resourceIds.copyWithin(0, n, size);
    this.chars = chars;
    this.base += n;
    this.dropped += n;
    for (const list of this.byResource) list.dropFront(list.lowerBound(this.base));
    for (const [key, line] of this.open) if (line < this.base) this.open.delete(key);
  }
}
