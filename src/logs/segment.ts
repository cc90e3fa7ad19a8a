// Internal records of the store and the text helpers they need. Not exported from the package:
// readers get plain LogSegment copies, so they can never mutate what is stored.

import type { DroppedInfo, LogLevel, LogSegment, LogSource } from './types.js';

/**
 * What a segment costs against the budget besides its characters: about what V8 spends on the
 * record, its boxed time, its slots in two arrays and the string header (measured: 120-140
 * bytes). Counting it keeps memory near the budget however short the lines, and bounds the
 * number of records.
 */
export const SEGMENT_OVERHEAD = 128;

export class ResourceLog {
  bytes = 0;
  readonly spans = new Map<string, Span>();
  /** Stands in for the spans dropped whole; at most one per resource. */
  marker: Seg | null = null;
  constructor(readonly name: string) {}
}

export class Span {
  /** Live segments in index order; after the first trim: head, marker, tail. */
  segs: Seg[] = [];
  bytes = 0;
  /** Segments in the protected head; -1 until the first trim fixes it. */
  headCount = -1;
  marker: Seg | null = null;
  /** Index of the latest append, to find the least recently written span. */
  lastIndex = 0;
  constructor(
    readonly id: string,
    readonly resource: ResourceLog,
  ) {}
}

export class Seg {
  live = true;
  dropped: DroppedInfo | null = null;
  constructor(
    readonly index: number,
    public span: Span,
    public level: LogLevel,
    readonly source: LogSource,
    readonly time: number,
    public text: string,
  ) {}

  get cost(): number {
    return this.text.length + SEGMENT_OVERHEAD;
  }

  toSegment(): LogSegment {
    const s = {
      index: this.index,
      resource: this.span.resource.name,
      spanId: this.span.id,
      level: this.level,
      source: this.source,
      time: this.time,
      text: this.text,
    };
    return this.dropped ? { ...s, dropped: this.dropped } : s;
  }
}

export function endsLine(text: string): boolean {
  return text.charCodeAt(text.length - 1) === 10;
}

export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * `s`, stored flat. V8 keeps a string built by concatenation as a tree of its pieces (about 300
 * bytes for an 80-character line built by a template) until something reads its characters;
 * reading one flattens it in place, so that the store holds about what the budget counts.
 */
export function flatten(s: string): string {
  s.charCodeAt(0);
  return s;
}

/**
 * A copy of `s` that does not point into a larger string. V8 makes slices of long strings views
 * of their parent, so one kept line of a 50 MB append would keep all 50 MB alive.
 */
export function unslice(s: string): string {
  return (' ' + s).slice(1);
}

/**
 * Cuts `text` into pieces of at most `max` characters, after a newline where one falls in the
 * window, never between the halves of a surrogate pair. Pieces are unsliced copies.
 */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let pos = 0;
  while (text.length - pos > max) {
    let cut = text.lastIndexOf('\n', pos + max - 1) + 1;
    if (cut <= pos) {
      cut = pos + max;
      const c = text.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut--;
    }
    out.push(unslice(text.slice(pos, cut)));
    pos = cut;
  }
  out.push(unslice(text.slice(pos)));
  return out;
}

export function markerText(d: DroppedInfo): string {
  const lines = `${d.lines} line${d.lines === 1 ? '' : 's'}`;
  if (d.spans === 0) return `... ${lines} dropped ...\n`;
  return `... ${lines} dropped with ${d.spans} older log span${d.spans === 1 ? '' : 's'} ...\n`;
}

export function addDropped(a: DroppedInfo | null, b: DroppedInfo): DroppedInfo {
  if (!a) return b;
  return { lines: a.lines + b.lines, chars: a.chars + b.chars, spans: a.spans + b.spans };
}
