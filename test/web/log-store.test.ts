// The UI's data structures without a browser: the line store, the filter views (checked against
// filtering from scratch), ANSI parsing and the view reducer.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogSegmentJSON, UIResource, View } from '../../src/api/types.js';
import { parseAnsi, plainText } from '../../web/src/ansi.js';
import { LogIndex, parseTerm, type LineView, type LogQuery } from '../../web/src/log-filter.js';
import { LogStore } from '../../web/src/log-store.js';
import { INITIAL_STATE, applyMessage } from '../../web/src/view-state.js';
import { FakeBackend, resource } from '../server/fake-backend.js';

let next = 1;
function seg(resource: string, text: string, over: Partial<LogSegmentJSON> = {}): LogSegmentJSON {
  return {
    index: next++,
    resource,
    spanId: 'run',
    level: 'INFO',
    source: 'runtime',
    time: 0,
    text,
    ...over,
  };
}

function lines(store: LogStore, view: LineView): string[] {
  const out: string[] = [];
  for (let i = 0; i < view.length; i++) out.push(store.text(view.at(i)));
  return out;
}

function all(store: LogStore, resource: string | null = null): string[] {
  return lines(
    store,
    new LogIndex(store).view({ resource, source: 'all', level: 'all', term: '' }),
  );
}

describe('log store', () => {
  it('splits segments into lines and continues a span’s open line in place', () => {
    const s = new LogStore();
    s.append([seg('a', 'one\ntw'), seg('b', 'b1\n'), seg('a', 'o\nthree'), seg('a', '\n')]);
    expect(all(s)).toEqual(['one', 'two', 'b1', 'three']);
    expect(all(s, 'a')).toEqual(['one', 'two', 'three']);
    expect(all(s, 'b')).toEqual(['b1']);
    // Another span of the same resource starts its own line.
    s.append([seg('a', 'x', { spanId: 'build' }), seg('a', 'y', { spanId: 'other' })]);
    expect(all(s, 'a')).toEqual(['one', 'two', 'three', 'x', 'y']);
  });

  it('skips segments it already has (a reconnect repeats the view) and resets', () => {
    const s = new LogStore();
    const first = [seg('a', 'one\n'), seg('a', 'two\n')];
    s.append(first);
    expect(s.append(first)).toBe(false);
    expect(all(s)).toEqual(['one', 'two']);
    s.reset();
    expect(all(s)).toEqual([]);
    s.append([seg('a', 'again\n', { index: 1 })]);
    expect(all(s)).toEqual(['again']);
  });

  it('drops the oldest lines past its limits, everywhere', () => {
    const s = new LogStore({ maxLines: 100, maxChars: 1e9 });
    const index = new LogIndex(s);
    const q: LogQuery = { resource: 'a', source: 'all', level: 'all', term: '7' };
    for (let i = 0; i < 250; i++) {
      s.append([seg(i % 2 ? 'a' : 'b', `line ${i}\n`)]);
      index.view(q);
    }
    expect(s.size).toBeLessThanOrEqual(100);
    expect(s.dropped).toBe(250 - s.size);
    const kept = all(s);
    expect(kept.at(-1)).toBe('line 249');
    expect(all(s, 'a').every((l) => Number(l.split(' ')[1]) % 2 === 1)).toBe(true);
    expect(lines(s, index.view(q))).toEqual(
      kept.filter((l) => /^line \d*[13579]$/.test(l) && l.includes('7')),
    );
  });

  it('keeps the shown text of lines with escapes and carriage returns', () => {
    const s = new LogStore();
    s.append([seg('a', '\x1b[32mok\x1b[0m\n'), seg('a', 'progress 10%\rprogress 100%\r\n')]);
    expect(s.plainText(s.base)).toBe('ok');
    expect(s.plainText(s.base + 1)).toBe('progress 100%');
  });
});

describe('filter views', () => {
  it('parses /regex/ and plain terms, both case-insensitive', () => {
    expect(parseTerm('/^a.c$/').re!.test('ABC')).toBe(true);
    expect(parseTerm('a.c').re!.test('abc')).toBe(false);
    expect(parseTerm('A.C').re!.test('xa.cx')).toBe(true);
    const bad = parseTerm('/(/');
    expect(bad.error).toBeTruthy();
    expect(bad.re!.test('x/(/y')).toBe(true);
  });

  it('match filtering from scratch, however the lines arrive', () => {
    const piece = fc.record({
      resource: fc.constantFrom('a', 'b', '(Tiltfile)'),
      spanId: fc.constantFrom('s1', 's2'),
      level: fc.constantFrom('INFO', 'WARN', 'ERROR') as fc.Arbitrary<LogSegmentJSON['level']>,
      source: fc.constantFrom('build', 'runtime', 'tiltfile') as fc.Arbitrary<
        LogSegmentJSON['source']
      >,
      text: fc.stringMatching(/^[abx\n]{1,12}$/),
    });
    const query = fc.record({
      resource: fc.constantFrom(null, 'a', 'b'),
      source: fc.constantFrom('all', 'build', 'runtime') as fc.Arbitrary<LogQuery['source']>,
      level: fc.constantFrom('all', 'warn', 'error') as fc.Arbitrary<LogQuery['level']>,
      term: fc.constantFrom('', 'a', 'ab', 'abx', '/b+x/', 'x'),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(piece, { maxLength: 8 }), { maxLength: 8 }),
        fc.array(query, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 5, max: 60 }),
        (batches, queries, maxLines) => {
          const store = new LogStore({ maxLines, maxChars: 1e9 });
          const index = new LogIndex(store, 3);
          let i = 0;
          for (const batch of batches) {
            store.append(batch.map((p) => ({ ...p, index: ++i, time: 0 })));
            for (const q of queries) index.view(q);
          }
          for (const q of queries) {
            const re = parseTerm(q.term).re;
            const expected: number[] = [];
            for (let n = store.base; n < store.end; n++) {
              if (q.resource !== null && store.resource(n) !== q.resource) continue;
              const src = store.source(n);
              if (q.source === 'build' && src === 'runtime') continue;
              if (q.source === 'runtime' && src !== 'runtime') continue;
              if (q.level === 'warn' && store.level(n) !== 'WARN') continue;
              if (q.level === 'error' && store.level(n) !== 'ERROR') continue;
              if (re && !re.test(store.plainText(n))) continue;
              expected.push(n);
            }
            const v = index.view(q);
            const got = Array.from({ length: v.length }, (_, k) => v.at(k));
            expect(got).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('filters 200,000 lines fast enough to type into', () => {
    const store = new LogStore();
    for (let r = 0; r < 10; r++) {
      const segs: LogSegmentJSON[] = [];
      for (let c = 0; c < 20; c++) {
        let text = '';
        for (let i = c * 1000; i < (c + 1) * 1000; i++)
          text += `svc-${r} request ${i} took ${i % 97}ms\n`;
        segs.push(seg(`svc-${r}`, text));
      }
      store.append(segs);
    }
    const index = new LogIndex(store);
    index.view({ resource: null, source: 'all', level: 'all', term: '' });
    const start = performance.now();
    let v: LineView | undefined;
    for (const term of [
      'r',
      're',
      'req',
      'request 1',
      'request 12',
      'request 123',
      'request 1234 ',
    ]) {
      v = index.view({ resource: null, source: 'all', level: 'all', term });
    }
    const ms = performance.now() - start;
    expect(v!.length).toBe(10);
    expect(ms).toBeLessThan(1000);
  });
});

describe('ansi', () => {
  it('turns SGR codes into styles and drops other escapes', () => {
    expect(parseAnsi('plain')).toEqual([{ text: 'plain', style: null }]);
    expect(parseAnsi('\x1b[1;31mred\x1b[0m \x1b[38;5;46mgreen\x1b[39m\x1b[K!')).toEqual([
      { text: 'red', style: { bold: true, fg: 1 } },
      { text: ' ', style: null },
      { text: 'green', style: { fg: 'rgb(0,255,0)' } },
      { text: '!', style: null },
    ]);
    expect(plainText('\x1b]0;title\x07a\x1b[?25lb\x1b(Bc')).toBe('abc');
  });
});

describe('view state', () => {
  it('takes the whole view, then changes, keeping unchanged resources as they were', () => {
    const b = new FakeBackend([
      resource('(Tiltfile)', { type: 'tiltfile', order: 0 }),
      resource('a'),
      resource('b'),
    ]);
    const view: View = {
      session: b.session(),
      resources: b.resources(),
      logs: { segments: [], checkpoint: 0, dropped: 0 },
    };
    let s = applyMessage(INITIAL_STATE, { type: 'view', view });
    expect(s.loaded).toBe(true);
    expect(s.resources.map((r) => r.metadata.name)).toEqual(['(Tiltfile)', 'a', 'b']);
    const a = s.byName.get('a');

    const changed: UIResource = resource('b', { updateStatus: 'error' });
    s = applyMessage(s, {
      type: 'delta',
      resources: [changed, resource('c', { order: 0.5 })],
      removed: ['(Tiltfile)'],
      logs: { segments: [], checkpoint: 0, dropped: 0 },
    });
    expect(s.resources.map((r) => r.metadata.name)).toEqual(['c', 'a', 'b']);
    expect(s.byName.get('b')).toBe(changed);
    expect(s.byName.get('a')).toBe(a);

    // A reconnect's whole view keeps the objects that did not change.
    s = applyMessage(s, { type: 'view', view: { ...view, resources: [resource('a')] } });
    expect(s.byName.get('a')).toBe(a);
    expect(s.resources.map((r) => r.metadata.name)).toEqual(['a']);
  });
});
