import { afterEach, describe, expect, it } from 'vitest';
import type { ViewMessage } from '../../src/api/types.js';
import { LOG_SEGMENTS_PER_MESSAGE } from '../../src/server/view-stream.js';
import { closeAll, eventually, serve, sleep } from './harness.js';
import { resource } from './fake-backend.js';

afterEach(closeAll);

type Delta = Extract<ViewMessage, { type: 'delta' }>;
type Full = Extract<ViewMessage, { type: 'view' }>;

const names = (d: Delta) => d.resources.map((r) => r.metadata.name);
const texts = (d: Delta) => d.logs.segments.map((s) => s.text).join('');

describe('/ws/view', () => {
  it('sends the whole view, then only what changed', async () => {
    const t = await serve();
    t.backend.set(resource('web'), resource('api'));
    t.backend.logs.append({ resource: 'web', spanId: 'a', text: 'before\n' });
    const c = await t.ws('/ws/view');

    const first = await c.next<Full>();
    expect(first.type).toBe('view');
    expect(first.view.resources.map((r) => r.metadata.name)).toEqual(['(Tiltfile)', 'web', 'api']);
    expect(first.view.session.status.version).toBe('v0.0.0-test');
    expect(first.view.logs.segments.map((s) => s.text)).toEqual(['before\n']);

    t.backend.set(resource('web', { updateStatus: 'error', detail: 'build failed' }));
    const changed = await c.next<Delta>();
    expect(changed).toMatchObject({ type: 'delta', removed: [] });
    expect(names(changed)).toEqual(['web']);
    expect(changed.resources[0].status.detail).toBe('build failed');
    expect(changed.session).toBeUndefined();
    expect(changed.logs.segments).toEqual([]);

    t.backend.remove('api');
    const removed = await c.next<Delta>();
    expect(removed.removed).toEqual(['api']);
    expect(removed.resources).toEqual([]);

    t.backend.logs.append({ resource: 'web', spanId: 'a', text: 'after\n' });
    const logged = await c.next<Delta>();
    expect(logged.resources).toEqual([]);
    expect(texts(logged)).toBe('after\n');
    expect(logged.logs.checkpoint).toBe(t.backend.logs.checkpoint());

    await t.backend.setArgs(['--x']);
    const session = await c.next<Delta>();
    expect(session.session?.status.tiltfileArgs).toEqual(['--x']);
    expect(session.resources).toEqual([]);

    // A change that changes nothing a client sees sends nothing; nor does idle time.
    t.backend.changed();
    t.backend.set(resource('web', { updateStatus: 'error', detail: 'build failed' }));
    await sleep(200);
    expect(c.pending()).toBe(0);
    await c.close();
  });

  it('sends a large log in pieces after the view, all of it, in order', async () => {
    const t = await serve();
    for (let i = 0; i < 2.5 * LOG_SEGMENTS_PER_MESSAGE; i++) {
      t.backend.logs.append({ resource: 'web', spanId: `s${i}`, text: `line ${i}\n` });
    }
    const c = await t.ws('/ws/view');
    const first = await c.next<Full>();
    expect(first.view.logs.segments).toHaveLength(LOG_SEGMENTS_PER_MESSAGE);
    const lines = first.view.logs.segments.map((x) => x.text);
    while (lines.length < 2.5 * LOG_SEGMENTS_PER_MESSAGE) {
      const d = await c.next<Delta>();
      expect(d.logs.segments.length).toBeLessThanOrEqual(LOG_SEGMENTS_PER_MESSAGE);
      lines.push(...d.logs.segments.map((x) => x.text));
    }
    expect(lines.every((l, i) => l === `line ${i}\n`)).toBe(true);
    await c.close();
  });

  it('puts changes of many resources and logs within the interval into one delta', async () => {
    const t = await serve();
    const c = await t.ws('/ws/view');
    await c.next();
    t.backend.set(resource('a'));
    t.backend.set(resource('b'));
    t.backend.set(resource('a', { runtimeStatus: 'pending' }));
    t.backend.logs.append({ resource: 'a', spanId: 's', text: 'x\n' });
    const d = await c.next<Delta>();
    expect(names(d)).toEqual(['a', 'b']);
    expect(d.resources[0].status.runtimeStatus).toBe('pending');
    expect(texts(d)).toBe('x\n');
    await sleep(150);
    expect(c.pending()).toBe(0);
  });

  it('coalesces a burst of 1,000 log appends into few messages, losing nothing', async () => {
    const t = await serve();
    const c = await t.ws('/ws/view');
    await c.next();
    let want = '';
    for (let i = 0; i < 1000; i++) {
      const text = `line ${i}\n`;
      want += text;
      t.backend.logs.append({ resource: 'web', spanId: 'r', text });
      if (i % 100 === 99) await sleep(15);
    }
    await eventually(
      () =>
        c.messages
          .slice(1)
          .map((m) => texts(m as Delta))
          .join('') === want,
      'every line arrived',
    );
    expect(c.messages.length - 1).toBeLessThanOrEqual(6);
  });

  it('keeps each client to its own state', async () => {
    const t = await serve();
    const a = await t.ws('/ws/view');
    await a.next();
    t.backend.set(resource('web'));
    expect(names(await a.next<Delta>())).toEqual(['web']);

    const b = await t.ws('/ws/view');
    const bFirst = await b.next<Full>();
    expect(bFirst.view.resources.map((r) => r.metadata.name)).toEqual(['(Tiltfile)', 'web']);

    t.backend.set(resource('web', { runtimeStatus: 'error' }));
    t.backend.logs.append({ resource: 'web', spanId: 'r', text: 'oops\n' });
    for (const c of [a, b]) {
      const d = await c.next<Delta>();
      expect(names(d)).toEqual(['web']);
      expect(texts(d)).toBe('oops\n');
    }
    await a.close();
    t.backend.set(resource('api'));
    expect(names(await b.next<Delta>())).toEqual(['api']);
  });

  it('lets go of the backend and the logs when the last client leaves', async () => {
    const t = await serve();
    expect([t.backend.listenerCount, t.backend.logs.active]).toEqual([0, 0]);
    const a = await t.ws('/ws/view');
    const b = await t.ws('/ws/view');
    await Promise.all([a.next(), b.next()]);
    expect([t.backend.listenerCount, t.backend.logs.active]).toEqual([1, 1]);
    await a.close();
    await sleep(20);
    expect([t.backend.listenerCount, t.backend.logs.active]).toEqual([1, 1]);
    await b.close();
    await eventually(
      () => t.backend.listenerCount === 0 && t.backend.logs.active === 0,
      'unsubscribed',
    );
    // A new client starts over.
    t.backend.set(resource('late'));
    const c = await t.ws('/ws/view');
    expect((await c.next<Full>()).view.resources.map((r) => r.metadata.name)).toContain('late');
    await t.server.close();
    await eventually(() => t.backend.listenerCount === 0, 'unsubscribed on close');
  });

  it('holds off a client that does not read, then sends what piled up in one delta', async () => {
    const t = await serve();
    const c = await t.ws('/ws/view');
    await c.next();
    c.ws.pause();
    const chunk = 'x'.repeat(1023) + '\n';
    let want = '';
    // 24 MiB over ~30 intervals: far more than the socket buffers take in.
    for (let i = 0; i < 48; i++) {
      const text = chunk.repeat(512);
      want += text;
      t.backend.logs.append({ resource: `r${i % 8}`, spanId: 's', text });
      await sleep(60);
    }
    c.ws.resume();
    await eventually(
      () =>
        c.messages
          .slice(1)
          .map((m) => texts(m as Delta))
          .join('') === want,
      'every line arrived',
      20_000,
    );
    const sizes = c.messages.slice(1).map((m) => texts(m as Delta).length);
    // Without holding off, every interval would carry one append of 512 KiB.
    expect(Math.max(...sizes)).toBeGreaterThan(4 * 512 * 1024);
    expect(sizes.length).toBeLessThan(40);
  }, 30_000);
});
