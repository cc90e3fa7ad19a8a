import { describe, expect, it } from 'vitest';
import { LogStore, renderSegments, type LogSegment } from '../../src/logs/index.js';
import { markers, spanText } from './helpers.js';

const clock = () => 1000;

describe('LogStore appends', () => {
  it('joins a line written in pieces', () => {
    const store = new LogStore({ now: clock });
    store.append({ resource: 'app', spanId: 'build:app:1', text: 'Step 1/3 : FR' });
    store.append({ resource: 'app', spanId: 'build:app:1', text: 'OM busybox\nStep 2' });
    store.append({ resource: 'app', spanId: 'build:app:1', text: '/3 : RUN make\n' });
    const { segments } = store.since(0);
    expect(spanText(segments, 'build:app:1')).toBe(
      'Step 1/3 : FROM busybox\nStep 2/3 : RUN make\n',
    );
    expect(renderSegments(segments)).toBe(
      '          app │ Step 1/3 : FROM busybox\n          app │ Step 2/3 : RUN make\n',
    );
  });

  it('never mixes the characters of two spans on one line', () => {
    const store = new LogStore({ now: clock });
    store.append({ resource: 'app', spanId: 'pod:app-1:web', text: 'listening on ' });
    store.append({ resource: 'db', spanId: 'pod:db-1:pg', text: 'ready to accept\n' });
    store.append({ resource: 'app', spanId: 'pod:app-1:web', text: ':8080\n' });
    const { segments } = store.since(0);
    expect(spanText(segments, 'pod:app-1:web')).toBe('listening on :8080\n');
    expect(renderSegments(segments).split('\n')).toEqual([
      '          app │ listening on ',
      '           db │ ready to accept',
      '          app │ :8080',
      '',
    ]);
  });

  it('stores what it was given, with defaults for level, source and time', () => {
    const store = new LogStore({ now: clock });
    const cp = store.append({ resource: '', spanId: 'tiltfile', text: 'Loading Tiltfile\n' });
    store.append({
      resource: 'app',
      spanId: 'build:app:1',
      text: 'boom\n',
      level: 'ERROR',
      source: 'build',
      time: 5,
    });
    expect(cp).toBe(1);
    expect(store.since(0).segments).toEqual([
      {
        index: 1,
        resource: '',
        spanId: 'tiltfile',
        level: 'INFO',
        source: 'runtime',
        time: 1000,
        text: 'Loading Tiltfile\n',
      },
      {
        index: 2,
        resource: 'app',
        spanId: 'build:app:1',
        level: 'ERROR',
        source: 'build',
        time: 5,
        text: 'boom\n',
      },
    ]);
  });

  it('ignores empty text', () => {
    const store = new LogStore();
    expect(store.append({ resource: 'a', spanId: 's', text: '' })).toBe(0);
    expect(store.since(0).segments).toEqual([]);
  });

  it('splits a long append into segments of the configured size, at newlines', () => {
    const store = new LogStore({ segmentBytes: 100, resourceBytes: 1 << 20 });
    const text = 'a'.repeat(60) + '\n' + 'b'.repeat(60) + '\n' + 'c'.repeat(250);
    store.append({ resource: 'r', spanId: 's', text });
    const segs = store.since(0).segments;
    expect(segs.map((s) => s.text.length)).toEqual([61, 61, 100, 100, 50]);
    expect(spanText(segs, 's')).toBe(text);
  });

  it('does not split a surrogate pair', () => {
    const store = new LogStore({ segmentBytes: 16, resourceBytes: 1 << 20 });
    const text = 'x'.repeat(15) + '😀' + 'y'.repeat(3);
    store.append({ resource: 'r', spanId: 's', text });
    const segs = store.since(0).segments;
    expect(segs.map((s) => s.text)).toEqual(['x'.repeat(15), '😀yyy']);
  });
});

describe('LogStore.since', () => {
  function threeResources(): LogStore {
    const store = new LogStore({ now: clock });
    store.append({ resource: 'app', spanId: 'build:app:1', text: 'compiling\n', source: 'build' });
    store.append({ resource: 'db', spanId: 'pod:db:pg', text: 'slow query\n', level: 'WARN' });
    store.append({
      resource: 'app',
      spanId: 'build:app:1',
      text: 'error: x\n',
      level: 'ERROR',
      source: 'build',
    });
    store.append({ resource: 'app', spanId: 'pod:app:web', text: 'started\n' });
    return store;
  }
  const texts = (segs: LogSegment[]) => segs.map((s) => s.text.trim());

  it('returns what came after a checkpoint, and the next checkpoint', () => {
    const store = threeResources();
    const all = store.since(0);
    expect(texts(all.segments)).toEqual(['compiling', 'slow query', 'error: x', 'started']);
    expect(all.checkpoint).toBe(4);
    expect(all.dropped).toBe(0);
    expect(texts(store.since(2).segments)).toEqual(['error: x', 'started']);
    const nothing = store.since(all.checkpoint);
    expect(nothing.segments).toEqual([]);
    expect(nothing.checkpoint).toBe(4);
    store.append({ resource: 'db', spanId: 'pod:db:pg', text: 'checkpoint complete\n' });
    expect(texts(store.since(all.checkpoint).segments)).toEqual(['checkpoint complete']);
  });

  it('filters by resource, source and level, and still advances the checkpoint', () => {
    const store = threeResources();
    expect(texts(store.since(0, { resources: ['db'] }).segments)).toEqual(['slow query']);
    expect(store.since(0, { resources: ['db'] }).checkpoint).toBe(4);
    expect(texts(store.since(0, { sources: ['build'] }).segments)).toEqual([
      'compiling',
      'error: x',
    ]);
    expect(texts(store.since(0, { levels: ['WARN'] }).segments)).toEqual(['slow query']);
    expect(texts(store.since(0, { minLevel: 'WARN' }).segments)).toEqual([
      'slow query',
      'error: x',
    ]);
    expect(texts(store.since(0, { resources: ['app'], minLevel: 'ERROR' }).segments)).toEqual([
      'error: x',
    ]);
    expect(store.since(0, { resources: ['nope'] }).segments).toEqual([]);
  });

  it('pages with a limit', () => {
    const store = threeResources();
    const a = store.since(0, undefined, 3);
    expect(texts(a.segments)).toEqual(['compiling', 'slow query', 'error: x']);
    expect(a.checkpoint).toBe(3);
    const b = store.since(a.checkpoint, undefined, 3);
    expect(texts(b.segments)).toEqual(['started']);
    expect(b.checkpoint).toBe(4);
    const f = store.since(0, { resources: ['app'] }, 1);
    expect(texts(f.segments)).toEqual(['compiling']);
    expect(texts(store.since(f.checkpoint, { resources: ['app'] }).segments)).toEqual([
      'error: x',
      'started',
    ]);
  });

  it('reads everything for a checkpoint it never issued', () => {
    const store = threeResources();
    expect(store.since(99).segments).toHaveLength(4);
    expect(store.since(-1).segments).toHaveLength(4);
    expect(store.since(Number.NaN).segments).toHaveLength(4);
  });

  it('hands out copies', () => {
    const store = threeResources();
    const seg = store.since(0).segments[0] as { text: string };
    seg.text = 'changed';
    expect(store.since(0).segments[0].text).toBe('compiling\n');
  });
});

describe('LogStore.subscribe', () => {
  it('tells listeners synchronously what each append stored', () => {
    const store = new LogStore({ now: clock });
    const seen: Array<[string[], number]> = [];
    const stop = store.subscribe((segs, cp) => seen.push([segs.map((s) => s.text), cp]));
    store.append({ resource: 'app', spanId: 's', text: 'one\n' });
    expect(seen).toEqual([[['one\n'], 1]]);
    store.append({ resource: 'app', spanId: 's', text: 'tw' });
    store.append({ resource: 'app', spanId: 's', text: 'o\n' });
    expect(seen.slice(1)).toEqual([
      [['tw'], 2],
      [['o\n'], 3],
    ]);
    stop();
    store.append({ resource: 'app', spanId: 's', text: 'three\n' });
    expect(seen).toHaveLength(3);
  });

  it('applies the filter and skips appends that match nothing', () => {
    const store = new LogStore();
    const seen: string[] = [];
    store.subscribe((segs) => seen.push(...segs.map((s) => s.text)), { minLevel: 'WARN' });
    store.append({ resource: 'a', spanId: 's', text: 'fine\n' });
    store.append({ resource: 'a', spanId: 's', text: 'careful\n', level: 'WARN' });
    expect(seen).toEqual(['careful\n']);
  });

  it('wakes onAppend readers once per matching append, until they stop', () => {
    const store = new LogStore();
    let wakes = 0;
    const stop = store.onAppend(() => wakes++, { resources: ['a'] });
    store.append({ resource: 'a', spanId: 's', text: 'one\ntwo\n' });
    store.append({ resource: 'b', spanId: 's', text: 'other\n' });
    expect(wakes).toBe(1);
    stop();
    store.append({ resource: 'a', spanId: 's', text: 'three\n' });
    expect(wakes).toBe(1);
  });

  it('delivers appends made by a listener after the current one, in order', () => {
    const store = new LogStore();
    const order: string[] = [];
    store.subscribe((segs) => {
      for (const s of segs) {
        order.push(`first:${s.text}`);
        if (s.text === 'ping\n') store.append({ resource: 'a', spanId: 's', text: 'pong\n' });
      }
    });
    store.subscribe((segs) => order.push(...segs.map((s) => `second:${s.text}`)));
    store.append({ resource: 'a', spanId: 's', text: 'ping\n' });
    expect(order).toEqual(['first:ping\n', 'second:ping\n', 'first:pong\n', 'second:pong\n']);
  });

  it('still runs the other listeners when one throws, then rethrows', () => {
    const store = new LogStore();
    const seen: string[] = [];
    store.subscribe(() => {
      throw new Error('listener bug');
    });
    store.subscribe((segs) => seen.push(segs[0].text));
    expect(() => store.append({ resource: 'a', spanId: 's', text: 'x\n' })).toThrow('listener bug');
    expect(seen).toEqual(['x\n']);
    expect(store.since(0).segments).toHaveLength(1);
  });

  it('matches since() when an append triggers a trim', () => {
    const store = new LogStore({ resourceBytes: 8192, segmentBytes: 256, headBytes: 512 });
    const big = 'y'.repeat(70) + '\n';
    let before = store.checkpoint();
    let checked = 0;
    store.subscribe((segs, cp) => {
      expect(segs).toEqual(store.since(before).segments);
      expect(cp).toBe(store.checkpoint());
      checked++;
    });
    for (let i = 0; i < 300; i++) {
      before = store.checkpoint();
      store.append({ resource: 'a', spanId: 's', text: big.repeat(1 + (i % 7)) });
    }
    expect(checked).toBe(300);
    expect(markers(store.since(0).segments)).toHaveLength(1);
  });
});
