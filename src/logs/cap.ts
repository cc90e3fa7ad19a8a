// Keeping the store within its budgets. Tilt halves the heaviest resources, which loses the first
// lines of a failure; here the middle of the heaviest span goes instead. Every span keeps its head
// (where a failure starts) and its latest tail, and one marker line stands for what was dropped.
//
// Cost: a trim goes down to `trimTo` of the budget, so after a trim at least (1 - trimTo) of the
// budget must be appended before the next one. A trim is linear in the segments of the trimmed
// resource, which the budget bounds, so the cost per appended byte is constant.

import {
  Seg,
  Span,
  SEGMENT_OVERHEAD,
  addDropped,
  countLines,
  endsLine,
  markerText,
  unslice,
  type ResourceLog,
} from './segment.js';
import type { DroppedInfo, LogStoreOptions } from './types.js';

export interface Caps {
  readonly resourceBytes: number;
  readonly totalBytes: number;
  readonly headBytes: number;
  readonly tailBytes: number;
  readonly segmentBytes: number;
  readonly trimTo: number;
}

const MiB = 1024 * 1024;
const KiB = 1024;

/** Fills in defaults and keeps head, tail and segment size small enough for the budget to hold. */
export function resolveCaps(o: LogStoreOptions = {}): Caps {
  const num = (name: string, v: number | undefined, dflt: number, min: number): number => {
    if (v === undefined) return dflt;
    if (!Number.isFinite(v) || v < min)
      throw new RangeError(`log store: ${name} must be >= ${min}`);
    return Math.floor(v);
  };
  const resourceBytes = num('resourceBytes', o.resourceBytes, 4 * MiB, 1024);
  const totalBytes = num('totalBytes', o.totalBytes, 32 * MiB, 1024);
  const trimTo = o.trimTo ?? 0.75;
  if (!(trimTo >= 0.1 && trimTo <= 0.95))
    throw new RangeError('log store: trimTo must be in [0.1, 0.95]');
  // A span trimmed to its minimum (head + marker + tail, each rounded up to whole segments) must
  // fit well under the trim target, or a single noisy span could never be brought under budget.
  const segmentBytes = Math.min(
    num('segmentBytes', o.segmentBytes, 16 * KiB, 16),
    resourceBytes >> 4,
  );
  const headBytes = Math.min(num('headBytes', o.headBytes, 64 * KiB, 0), resourceBytes >> 3);
  const tailBytes = Math.min(num('tailBytes', o.tailBytes, 64 * KiB, 1), resourceBytes >> 3);
  return { resourceBytes, totalBytes, headBytes, tailBytes, segmentBytes, trimTo };
}

/** Running totals the store keeps; trimming updates them. */
export interface Ledger {
  total: number;
  /** Dead records still in the store's index, for its compaction. */
  dead: number;
}

function kill(seg: Seg, ledger: Ledger): void {
  const c = seg.cost;
  seg.live = false;
  seg.text = ''; // the record may wait in the index for compaction; its text need not
  seg.span.bytes -= c;
  seg.span.resource.bytes -= c;
  ledger.total -= c;
  ledger.dead++;
}

function setText(seg: Seg, text: string, ledger: Ledger): void {
  const d = text.length - seg.text.length;
  seg.text = text;
  seg.span.bytes += d;
  seg.span.resource.bytes += d;
  ledger.total += d;
}

/** Turns a record into a marker: it keeps its index, so readers behind it are sure to see it. */
function makeMarker(seg: Seg, info: DroppedInfo, newlineFirst: boolean, ledger: Ledger): void {
  seg.dropped = info;
  seg.level = 'INFO';
  setText(seg, (newlineFirst ? '\n' : '') + markerText(info), ledger);
}

const MARKER_COST = SEGMENT_OVERHEAD + 48;

/** Whole segments reaching headBytes, stretched by up to two segments to end on a line end. */
function headLength(segs: Seg[], headBytes: number): number {
  let acc = 0;
  let i = 0;
  while (i < segs.length && acc < headBytes) acc += segs[i++].cost;
  for (let extra = 0; extra < 2 && i > 0 && i < segs.length && !endsLine(segs[i - 1].text); extra++)
    i++;
  return i;
}

/**
 * Drops whole segments right after the span's head, at least `need` bytes' worth where the span
 * allows (it keeps at least tailBytes at its end), up to a line end, and puts a marker in their
 * place, merged with any earlier marker. Returns the bytes freed (0 when nothing could go).
 */
export function trimSpanMiddle(span: Span, need: number, caps: Caps, ledger: Ledger): number {
  const segs = span.segs;
  const h = span.headCount >= 0 ? span.headCount : headLength(segs, caps.headBytes);
  const old = span.marker;
  const start = old ? h + 1 : h;
  let k = segs.length;
  for (let tail = 0; k > start && tail < caps.tailBytes;) tail += segs[--k].cost;
  const want = need + (old ? 0 : MARKER_COST);
  let end = start;
  let gross = 0;
  while (end < k && (gross < want || !endsLine(segs[end - 1].text))) gross += segs[end++].cost;
  if (end === start || (!old && gross <= MARKER_COST)) return 0;

  const before = span.bytes;
  let lines = 0;
  let chars = 0;
  for (let i = start; i < end; i++) {
    lines += countLines(segs[i].text);
    chars += segs[i].text.length;
  }
  const last = segs[end - 1];
  for (let i = start; i < end - 1; i++) kill(segs[i], ledger);
  let info: DroppedInfo = { lines, chars, spans: 0 };
  if (old) {
    info = addDropped(old.dropped, info);
    kill(old, ledger);
  }
  makeMarker(last, info, h > 0 && !endsLine(segs[h - 1].text), ledger);
  segs.splice(h, end - h, last);
  span.marker = last;
  if (span.headCount < 0) {
    // The head now lives as long as the span: make sure it holds no larger string alive.
    span.headCount = h;
    for (let i = 0; i < h; i++) segs[i].text = unslice(segs[i].text);
  }
  return before - span.bytes;
}

/**
 * Drops a span whole. The resource's single "older spans" marker absorbs it, taking the highest
 * index of the two so that every reader that had not read the dropped lines still sees it.
 */
export function dropSpan(r: ResourceLog, span: Span, ledger: Ledger): void {
  let lines = 0;
  let chars = 0;
  for (const s of span.segs) {
    lines += s.dropped ? s.dropped.lines : countLines(s.text);
    chars += s.dropped ? s.dropped.chars : s.text.length;
  }
  const last = span.segs[span.segs.length - 1];
  for (let i = 0; i < span.segs.length - 1; i++) kill(span.segs[i], ledger);
  span.segs = [];
  r.spans.delete(span.id);
  const old = r.marker;
  const info = addDropped(old ? old.dropped : null, { lines, chars, spans: 1 });
  let keep: Seg;
  if (old && old.index > last.index) {
    kill(last, ledger);
    keep = old;
  } else {
    if (old) kill(old, ledger);
    keep = last;
    keep.span = new Span(span.id, r); // detached: trimming never looks at it again
  }
  makeMarker(keep, info, false, ledger);
  r.marker = keep;
}

/** Brings one resource down to `target` bytes: middles of the heaviest spans first, then whole spans. */
export function trimResource(r: ResourceLog, target: number, caps: Caps, ledger: Ledger): void {
  if (r.bytes <= target) return;
  const byWeight = [...r.spans.values()].sort((a, b) => b.bytes - a.bytes);
  for (const span of byWeight) {
    if (r.bytes <= target) return;
    trimSpanMiddle(span, r.bytes - target, caps, ledger);
  }
  // Every span is down to head and tail: drop the least recently written ones, keeping the last.
  const byAge = [...r.spans.values()].sort((a, b) => a.lastIndex - b.lastIndex);
  for (let i = 0; i < byAge.length - 1 && r.bytes > target; i++) dropSpan(r, byAge[i], ledger);
}

/**
 * Brings the store down to `target` by lowering the heaviest resources to a common level, so
 * one noisy resource pays for the excess before quiet ones lose anything.
 */
export function trimAll(
  resources: Iterable<ResourceLog>,
  target: number,
  caps: Caps,
  ledger: Ledger,
): void {
  const excess = ledger.total - target;
  if (excess <= 0) return;
  const rs = [...resources].filter((r) => r.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  let sum = 0;
  let level = 0;
  for (let i = 0; i < rs.length; i++) {
    sum += rs[i].bytes;
    level = (sum - excess) / (i + 1);
    if (level >= (i + 1 < rs.length ? rs[i + 1].bytes : 0)) break;
  }
  level = Math.max(0, Math.floor(level));
  for (const r of rs) if (r.bytes > level) trimResource(r, level, caps, ledger);
}
