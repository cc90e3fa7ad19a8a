// Invariants of the log store under random writes and reads, against a model that remembers
// everything ever appended.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogStore, type LogLevel, type LogSegment } from '../../src/logs/index.js';
import { SEGMENT_OVERHEAD, splitText } from '../../src/logs/segment.js';

const opts = {
  resourceBytes: 4096,
  totalBytes: 10240, // three resources trimmed to their minimum fit, so the bound holds
  headBytes: 512,
  tailBytes: 512,
  segmentBytes: 256,
};

const text = fc
  .array(fc.constantFrom('a', 'b', 'c', ' ', '\n', '\n', 'é', '😀'), {
    maxLength: 700,
    size: 'max',
  })
  .map((cs) => cs.join(''));

const op = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      resource: fc.constantFrom('a', 'b', 'c'),
      span: fc.constantFrom('s0', 's1', 's2'),
      level: fc.constantFrom<LogLevel>('INFO', 'WARN', 'ERROR'),
      text,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
);

const newlines = (s: string) => s.split('\n').length - 1;

interface Meta {
  resource: string;
  spanId: string;
  text: string;
}

/** Resource 'a' writes only to its 'main' span, which therefore is never dropped whole. */
function spanOf(o: { resource: string; span: string }): string {
  return o.resource === 'a' ? 'main' : `${o.resource}:${o.span}`;
}

/** What is wrong with a read from checkpoint `c`, as messages (none when all is well). */
function readErrors(model: Map<number, Meta>, c: number, segs: readonly LogSegment[]): string[] {
  const errors: string[] = [];
  const present = new Set<number>();
  let prev = c;
  for (const s of segs) {
    if (s.index <= prev) errors.push(`index ${s.index} after ${prev}`);
    prev = s.index;
    if (s.dropped) continue;
    const m = model.get(s.index);
    if (!m || m.resource !== s.resource || m.spanId !== s.spanId || m.text !== s.text) {
      errors.push(`segment ${s.index} is not what was appended`);
    }
    present.add(s.index);
  }
  // No silent loss: whatever the reader misses is covered by a later marker of its resource.
  const lastMarker = new Map<string, number>();
  for (const s of segs) if (s.dropped) lastMarker.set(s.resource, s.index);
  for (const [j, m] of model) {
    if (j > c && !present.has(j) && (lastMarker.get(m.resource) ?? -1) < j) {
      errors.push(`segment ${j} of ${m.spanId} vanished without a marker`);
    }
  }
  return errors;
}

describe('LogStore properties', () => {
  it('respects budgets, keeps heads and tails, and never loses lines silently', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 250, size: 'max' }), (ops) => {
        const store = new LogStore({ ...opts, now: () => 0 });
        const model = new Map<number, Meta>();
        const mainPieces: string[] = [];
        let last = 0;
        for (const o of ops) {
          if (o.kind === 'read') {
            const c = Math.floor(o.at * last);
            const r = store.since(c);
            expect(r.checkpoint).toBe(last);
            expect(readErrors(model, c, r.segments)).toEqual([]);
            continue;
          }
          const spanId = spanOf(o);
          const cp = store.append({ resource: o.resource, spanId, text: o.text, level: o.level });
          const pieces = o.text ? splitText(o.text, store.caps.segmentBytes) : [];
          expect(cp).toBe(last + pieces.length); // checkpoints only grow, one per segment
          pieces.forEach((p, i) =>
            model.set(last + 1 + i, { resource: o.resource, spanId, text: p }),
          );
          if (spanId === 'main') mainPieces.push(...pieces);
          last = cp;

          const st = store.stats();
          expect(st.bytes).toBeLessThanOrEqual(opts.totalBytes);
          for (const r of st.resources) expect(r.bytes).toBeLessThanOrEqual(opts.resourceBytes);
          expect(st.slots).toBeLessThanOrEqual(2 * st.segments + 1024);
        }

        const all = store.since(0);
        expect(readErrors(model, 0, all.segments)).toEqual([]);

        // The 'main' span keeps its head exactly and ends with its latest text.
        const original = mainPieces.join('');
        const kept = all.segments
          .filter((s) => s.spanId === 'main' && !s.dropped)
          .map((s) => s.text)
          .join('');
        let head = '';
        for (let i = 0, cost = 0; i < mainPieces.length && cost < opts.headBytes; i++) {
          head += mainPieces[i];
          cost += mainPieces[i].length + SEGMENT_OVERHEAD;
        }
        expect(kept.startsWith(head)).toBe(true);
        if (mainPieces.length > 0)
          expect(kept.endsWith(mainPieces[mainPieces.length - 1])).toBe(true);
        // Nothing but one cut out of the middle: kept = original[0, a) + original[b, end).
        let a = 0;
        while (a < kept.length && kept[a] === original[a]) a++;
        expect(original.endsWith(kept.slice(a))).toBe(true);
        const mainMarkers = all.segments.filter((s) => s.spanId === 'main' && s.dropped);
        expect(mainMarkers.length).toBe(kept.length < original.length ? 1 : 0);

        // Markers count exactly the lines that are gone, per resource.
        for (const resource of ['a', 'b', 'c']) {
          const appended = [...model.values()].filter((m) => m.resource === resource);
          const segs = all.segments.filter((s) => s.resource === resource);
          const keptLines = segs
            .filter((s) => !s.dropped)
            .reduce((n, s) => n + newlines(s.text), 0);
          const droppedLines = segs.reduce((n, s) => n + (s.dropped?.lines ?? 0), 0);
          expect(keptLines + droppedLines).toBe(appended.reduce((n, m) => n + newlines(m.text), 0));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('tells subscribers exactly what since() returns for the same checkpoint', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 150, size: 'max' }), (ops) => {
        const store = new LogStore({ ...opts, now: () => 0 });
        const heard: LogSegment[] = [];
        store.subscribe((segs) => heard.push(...segs));
        for (const o of ops) {
          if (o.kind !== 'append') continue;
          const before = store.checkpoint();
          heard.length = 0;
          store.append({ resource: o.resource, spanId: spanOf(o), text: o.text, level: o.level });
          expect(heard).toEqual(store.since(before).segments);
        }
      }),
      { numRuns: 100 },
    );
  });
});
