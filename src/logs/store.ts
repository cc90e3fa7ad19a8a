// The in-memory log store: build and runtime output of every resource, in spans, readable from a
// checkpoint, within a byte budget per resource and in total. Pure: no I/O, no timers.

import { resolveCaps, trimAll, trimResource, type Caps, type Ledger } from './cap.js';
import { ResourceLog, Seg, Span, flatten, splitText } from './segment.js';
import {
  LEVEL_RANK,
  type LogFilter,
  type LogInput,
  type LogLevel,
  type LogListener,
  type LogSegment,
  type LogSource,
  type LogStoreOptions,
  type LogStoreStats,
  type SinceResult,
} from './types.js';

interface Subscriber {
  readonly listener: LogListener;
  readonly match: (s: Seg) => boolean;
  /** Told only that something matching was stored (no segments built for it). */
  readonly wakeOnly: boolean;
  active: boolean;
}

/** Compaction waits for this many dead records, so small stores never bother. */
const MIN_DEAD_TO_COMPACT = 1024;

export class LogStore {
  readonly caps: Caps;
  private readonly now: () => number;
  /** Every record not yet compacted away, in index order; dead ones are skipped by readers. */
  private log: Seg[] = [];
  private last = 0;
  private readonly ledger: Ledger = { total: 0, dead: 0 };
  private readonly resources = new Map<string, ResourceLog>();
  private subscribers: Subscriber[] = [];
  /** First indexes of appends whose listeners have not run yet (an append from a listener waits). */
  private pending: number[] = [];
  private notifying = false;
  /** Total above which to retry a global trim that could not reach its target; 0 when it did. */
  private retryAllAt = 0;

  constructor(options: LogStoreOptions = {}) {
    this.caps = resolveCaps(options);
    this.now = options.now ?? Date.now;
  }

  /** The checkpoint that reads nothing already stored. */
  checkpoint(): number {
    return this.last;
  }

  /**
   * Stores `text` at the end of its span and returns the new checkpoint. Text is split into
   * segments of at most `segmentBytes`; empty text stores nothing. Trimming, if the append takes a
   * resource or the store over budget, happens before listeners are told.
   */
  append(input: LogInput): number {
    const { text } = input;
    if (text.length === 0) return this.last;
    let r = this.resources.get(input.resource);
    if (!r) this.resources.set(input.resource, (r = new ResourceLog(input.resource)));
    let span = r.spans.get(input.spanId);
    if (!span) r.spans.set(input.spanId, (span = new Span(input.spanId, r)));
    const level = input.level ?? 'INFO';
    const source = input.source ?? 'runtime';
    const time = input.time ?? this.now();
    const first = this.last + 1;
    if (text.length <= this.caps.segmentBytes) {
      this.push(span, level, source, time, flatten(text));
    } else {
      for (const piece of splitText(text, this.caps.segmentBytes)) {
        this.push(span, level, source, time, piece);
      }
    }
    span.lastIndex = this.last;

    const { caps, ledger } = this;
    if (r.bytes > caps.resourceBytes) {
      trimResource(r, Math.floor(caps.resourceBytes * caps.trimTo), caps, ledger);
    }
    if (ledger.total > Math.max(caps.totalBytes, this.retryAllAt)) {
      const target = Math.floor(caps.totalBytes * caps.trimTo);
      trimAll(this.resources.values(), target, caps, ledger);
      // With very many resources, their heads and tails alone can exceed the total budget. Then
      // wait for as much new text as a normal trim frees before trying again, so appends stay
      // cheap instead of each one re-running a trim that cannot succeed.
      this.retryAllAt = ledger.total > target ? ledger.total + caps.totalBytes - target : 0;
    }
    if (ledger.dead >= MIN_DEAD_TO_COMPACT && ledger.dead * 3 > this.log.length) this.compact();

    if (this.subscribers.length > 0) {
      this.pending.push(first);
      if (!this.notifying) this.notify();
    }
    return this.last;
  }

  /**
   * Live segments after `checkpoint`, oldest first, and the checkpoint to read from next.
   * Lines trimmed before this reader saw them show up as marker segments (`dropped` set), placed
   * where the dropped lines were within their span. A checkpoint beyond the end (from an earlier
   * store) reads from the start; a negative or non-numeric one reads from the start too. With
   * `limit`, at most that many segments come back and the checkpoint resumes after them.
   */
  since(checkpoint: number, filter?: LogFilter, limit = Infinity): SinceResult {
    let c = checkpoint >= 0 && checkpoint <= this.last ? Math.floor(checkpoint) : 0;
    const match = matcher(filter);
    const segments: LogSegment[] = [];
    let dropped = 0;
    for (let i = this.position(c + 1); i < this.log.length; i++) {
      const s = this.log[i];
      if (!s.live || !match(s)) continue;
      if (segments.length >= limit) return { segments, checkpoint: c, dropped };
      segments.push(s.toSegment());
      if (s.dropped) dropped += s.dropped.lines;
      c = s.index;
    }
    return { segments, checkpoint: this.last, dropped };
  }

  /**
   * Calls `listener` synchronously at the end of every `append` that stored something matching
   * `filter`, with exactly what `since(checkpoint before the append, filter)` would return
   * then. Listeners run in subscription order; an append made from a listener is delivered
   * after the current one, in order. If a listener throws, the others still run and the first
   * error is rethrown from `append`, after the store is consistent. Returns the unsubscribe.
   */
  subscribe(listener: LogListener, filter?: LogFilter): () => void {
    return this.add({ listener, match: matcher(filter), wakeOnly: false, active: true });
  }

  /**
   * Calls `wake` at the end of every `append` that stored something matching
   * `filter`, without the segments: for readers that catch up with `since`
   * later (a paced websocket), so nothing is built twice. Returns the unsubscribe.
   */
  onAppend(wake: () => void, filter?: LogFilter): () => void {
    return this.add({
      listener: () => wake(),
      match: matcher(filter),
      wakeOnly: true,
      active: true,
    });
  }

  private add(sub: Subscriber): () => void {
    this.subscribers = [...this.subscribers, sub];
    return () => {
      sub.active = false;
      this.subscribers = this.subscribers.filter((s) => s !== sub);
    };
  }

  /** Bytes charged to one resource (0 if unknown). */
  bytes(resource?: string): number {
    if (resource === undefined) return this.ledger.total;
    return this.resources.get(resource)?.bytes ?? 0;
  }

  stats(): LogStoreStats {
    const resources = [...this.resources.values()].map((r) => ({
      name: r.name,
      bytes: r.bytes,
      spans: r.spans.size,
    }));
    return {
      bytes: this.ledger.total,
      segments: this.log.length - this.ledger.dead,
      slots: this.log.length,
      checkpoint: this.last,
      resources,
    };
  }

  private push(span: Span, level: LogLevel, source: LogSource, time: number, text: string): void {
    const seg = new Seg(++this.last, span, level, source, time, text);
    this.log.push(seg);
    span.segs.push(seg);
    const c = seg.cost;
    span.bytes += c;
    span.resource.bytes += c;
    this.ledger.total += c;
  }

  /** First position in `log` whose index is >= `index`. */
  private position(index: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid].index < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compact(): void {
    this.log = this.log.filter((s) => s.live);
    this.ledger.dead = 0;
  }

  private notify(): void {
    this.notifying = true;
    let error: unknown = undefined;
    let failed = false;
    try {
      for (let p = 0; p < this.pending.length; p++) {
        const from = this.pending[p];
        const upTo = p + 1 < this.pending.length ? this.pending[p + 1] - 1 : this.last;
        for (const sub of this.subscribers) {
          if (!sub.active) continue;
          const segs: LogSegment[] = [];
          let matched = false;
          for (let i = this.position(from); i < this.log.length; i++) {
            const s = this.log[i];
            if (s.index > upTo) break;
            if (!s.live || !sub.match(s)) continue;
            matched = true;
            if (sub.wakeOnly) break;
            segs.push(s.toSegment());
          }
          if (!matched) continue;
          try {
            sub.listener(segs, upTo);
          } catch (e) {
            if (!failed) [failed, error] = [true, e];
          }
        }
      }
    } finally {
      this.pending = [];
      this.notifying = false;
    }
    if (failed) throw error;
  }
}

function matcher(f: LogFilter | undefined): (s: Seg) => boolean {
  if (!f) return () => true;
  const resources = f.resources && new Set(f.resources);
  const sources = f.sources && new Set(f.sources);
  const levels = f.levels && new Set(f.levels);
  const min = f.minLevel === undefined ? 0 : LEVEL_RANK[f.minLevel];
  return (s) => {
    if (resources && !resources.has(s.span.resource.name)) return false;
    if (sources && !sources.has(s.source)) return false;
    if (s.dropped) return true; // a reader must learn that lines are missing, whatever their level
    if (levels && !levels.has(s.level)) return false;
    return LEVEL_RANK[s.level] >= min;
  };
}
