import { describe, expect, it } from 'vitest';
import { LogStore } from '../../src/logs/index.js';
import { SEGMENT_OVERHEAD } from '../../src/logs/segment.js';
import { lines, markers, spanText } from './helpers.js';

const MiB = 1024 * 1024;

/** Writes about `mb` MB of numbered lines into one span, in 4 KB chunks as a pipe delivers them. */
function flood(store: LogStore, resource: string, spanId: string, mb: number, first = ''): number {
  if (first) store.append({ resource, spanId, text: first });
  const per = 50; // lines of 80 characters per chunk
  let n = 0;
  while (n * 80 < mb * 1e6) {
    store.append({ resource, spanId, text: lines(n, per) });
    n += per;
  }
  return n;
}

describe('budgets', () => {
  it('keeps the first and last lines of a 50 MB span, within the resource budget', () => {
    const store = new LogStore();
    const failure = 'panic: nil pointer dereference\ngoroutine 1 [running]:\nmain.main()\n';
    store.append({ resource: 'db', spanId: 'pod:db:pg', text: 'db ready\n' });
    const n = flood(store, 'app', 'pod:app:web', 50, failure);

    expect(store.bytes('app')).toBeLessThanOrEqual(4 * MiB);
    expect(store.bytes()).toBeLessThanOrEqual(32 * MiB);
    const segs = store.since(0, { resources: ['app'] }).segments;
    const text = spanText(segs, 'pod:app:web');
    // The head: the failure's first lines and what followed them, about 64 KB.
    expect(text.startsWith(failure + lines(0, 700))).toBe(true);
    // The tail: the latest lines, up to the last one.
    expect(text.endsWith(lines(n - 20000, 20000))).toBe(true);
    // One marker, between the two, counting exactly the lines that are gone.
    const ms = markers(segs);
    expect(ms).toHaveLength(1);
    const kept = text.split('\n').length - 1;
    expect(ms[0].dropped?.lines).toBe(n + 3 - kept);
    expect(ms[0].text).toBe(`... ${n + 3 - kept} lines dropped ...\n`);
    expect(ms[0].spanId).toBe('pod:app:web');
    const mi = segs.indexOf(ms[0]);
    expect(segs[mi - 1].text.endsWith('\n')).toBe(true);
    // A quiet resource loses nothing.
    expect(spanText(store.since(0).segments, 'pod:db:pg')).toBe('db ready\n');
  });

  it('keeps the number of stored segments bounded however many lines go in', () => {
    const store = new LogStore({ resourceBytes: 64 * 1024, totalBytes: 1 * MiB });
    for (let i = 0; i < 200_000; i++) {
      store.append({ resource: `r${i % 5}`, spanId: 'pod', text: `${i}\n` });
    }
    const st = store.stats();
    expect(st.bytes).toBeLessThanOrEqual(5 * 64 * 1024);
    expect(st.segments).toBeLessThanOrEqual(st.bytes / SEGMENT_OVERHEAD);
    expect(st.slots).toBeLessThanOrEqual(2 * st.segments + 1024);
    for (const r of st.resources) expect(r.bytes).toBeLessThanOrEqual(64 * 1024);
    // Each resource still starts with its first line.
    const segs = store.since(0, { resources: ['r3'] }).segments;
    expect(segs[0].text).toBe('3\n');
    expect(segs.at(-1)?.text).toBe('199998\n');
  });

  it('trims the heaviest span of a resource and leaves its other spans alone', () => {
    const store = new LogStore({ resourceBytes: 256 * 1024, headBytes: 8192, tailBytes: 8192 });
    store.append({ resource: 'app', spanId: 'build:app:1', text: lines(0, 100, 'build') });
    flood(store, 'app', 'pod:app:web', 2);
    const segs = store.since(0).segments;
    expect(spanText(segs, 'build:app:1')).toBe(lines(0, 100, 'build'));
    expect(markers(segs).map((m) => m.spanId)).toEqual(['pod:app:web']);
    expect(store.bytes('app')).toBeLessThanOrEqual(256 * 1024);
  });

  it('drops the least recently written spans whole when every span is already small', () => {
    const store = new LogStore({ resourceBytes: 64 * 1024, headBytes: 4096, tailBytes: 4096 });
    // 200 builds of 2 KB each: no span is worth trimming in the middle.
    for (let b = 1; b <= 200; b++) {
      store.append({ resource: 'app', spanId: `build:app:${b}`, text: lines(0, 25, `build${b}`) });
    }
    const segs = store.since(0).segments;
    expect(store.bytes('app')).toBeLessThanOrEqual(64 * 1024);
    expect(spanText(segs, 'build:app:200')).toBe(lines(0, 25, 'build200'));
    expect(spanText(segs, 'build:app:1')).toBe('');
    const ms = markers(segs);
    expect(ms).toHaveLength(1);
    const kept = segs.filter((s) => !s.dropped).map((s) => s.spanId);
    const droppedSpans = 200 - new Set(kept).size;
    expect(ms[0].dropped).toMatchObject({ spans: droppedSpans, lines: droppedSpans * 25 });
    expect(ms[0].text).toBe(
      `... ${droppedSpans * 25} lines dropped with ${droppedSpans} older log spans ...\n`,
    );
    // The marker precedes the surviving builds, as their lines came after the dropped ones.
    expect(segs[0]).toBe(ms[0]);
  });

  it('shares the global budget by trimming the heaviest resources first', () => {
    const store = new LogStore({ resourceBytes: 1 * MiB, totalBytes: 2 * MiB });
    for (let r = 0; r < 4; r++)
      store.append({ resource: `quiet${r}`, spanId: 'pod', text: 'hi\n' });
    for (let i = 0; i < 40; i++) {
      for (let r = 0; r < 3; r++) flood(store, `noisy${r}`, 'pod', 0.05 + r * 0.02);
    }
    expect(store.bytes()).toBeLessThanOrEqual(2 * MiB);
    const st = store.stats();
    for (const r of st.resources) expect(r.bytes).toBeLessThanOrEqual(1 * MiB);
    const segs = store.since(0).segments;
    for (let r = 0; r < 4; r++) {
      expect(segs.filter((s) => s.resource === `quiet${r}`).map((s) => s.text)).toEqual(['hi\n']);
    }
    for (let r = 0; r < 3; r++) {
      const text = spanText(
        segs.filter((s) => s.resource === `noisy${r}`),
        'pod',
      );
      expect(text.startsWith(lines(0, 100))).toBe(true);
    }
  });
  it('degrades gracefully when heads and tails alone exceed the global budget', () => {
    const store = new LogStore({ resourceBytes: 64 * 1024, totalBytes: 64 * 1024 });
    for (let round = 0; round < 20; round++) {
      for (let r = 0; r < 40; r++) {
        store.append({ resource: `r${r}`, spanId: 'pod', text: lines(round * 40, 40, `r${r}`) });
      }
    }
    const st = store.stats();
    // Every resource is down to its head, a marker and a short tail: far below its own budget.
    for (const r of st.resources) expect(r.bytes).toBeLessThanOrEqual(32 * 1024);
    const segs = store.since(0).segments;
    for (let r = 0; r < 40; r++) {
      const text = spanText(
        segs.filter((s) => s.resource === `r${r}`),
        'pod',
      );
      expect(text.startsWith(lines(0, 40, `r${r}`))).toBe(true);
      expect(text.endsWith(lines(19 * 40, 40, `r${r}`))).toBe(true);
    }
  });
});

describe('readers behind a trim', () => {
  it('see a marker where their unread lines were, and a dropped count', () => {
    const store = new LogStore({ resourceBytes: 128 * 1024, headBytes: 4096, tailBytes: 4096 });
    store.append({ resource: 'app', spanId: 'pod', text: lines(0, 10) });
    const early = store.checkpoint();
    store.append({ resource: 'app', spanId: 'pod', text: lines(10, 40) });
    const middle = store.checkpoint();
    flood(store, 'app', 'pod', 1);

    for (const cp of [0, early, middle]) {
      const r = store.since(cp);
      expect(r.dropped).toBeGreaterThan(0);
      const ms = markers(r.segments);
      expect(ms).toHaveLength(1);
      expect(r.dropped).toBe(ms[0].dropped?.lines);
    }
    // A reader that kept up sees no marker: nothing was lost for it.
    const live = store.checkpoint();
    store.append({ resource: 'app', spanId: 'pod', text: 'next\n' });
    expect(store.since(live)).toMatchObject({ dropped: 0, segments: [{ text: 'next\n' }] });
  });

  it('see the marker even when filtering for errors only', () => {
    const store = new LogStore({ resourceBytes: 64 * 1024, headBytes: 2048, tailBytes: 2048 });
    store.append({ resource: 'app', spanId: 'pod', text: 'fatal: x\n', level: 'ERROR' });
    flood(store, 'app', 'pod', 0.5);
    const r = store.since(0, { levels: ['ERROR'] });
    expect(r.segments.map((s) => s.text)).toEqual(['fatal: x\n', expect.stringMatching(/dropped/)]);
  });

  it('can page through a store that trims between pages', () => {
    const store = new LogStore({ resourceBytes: 64 * 1024, headBytes: 2048, tailBytes: 2048 });
    let cp = 0;
    let reads = 0;
    for (let i = 0; i < 2000; i++) {
      store.append({ resource: 'app', spanId: 'pod', text: lines(i * 10, 10) });
      if (i % 3 === 0) {
        const r = store.since(cp, undefined, 5);
        expect(r.checkpoint).toBeGreaterThanOrEqual(cp);
        cp = r.checkpoint;
        reads += r.segments.length;
      }
    }
    expect(reads).toBeGreaterThan(0);
  });
});
