import { afterEach, describe, expect, it } from 'vitest';
import type { LogChunk } from '../../src/api/types.js';
import { closeAll, eventually, serve, sleep, UpgradeRefused } from './harness.js';

afterEach(closeAll);

const texts = (c: LogChunk) => c.segments.map((s) => s.text);

describe('/ws/logs', () => {
  it('sends the stored text after `since`, then new text that passes the filter', async () => {
    const t = await serve();
    const logs = t.backend.logs;
    logs.append({ resource: 'web', spanId: 'r', text: 'old warning\n', level: 'WARN' });
    const since = logs.checkpoint();
    logs.append({ resource: 'web', spanId: 'r', text: 'warning\n', level: 'WARN' });
    logs.append({ resource: 'web', spanId: 'r', text: 'info\n' });

    const c = await t.ws(`/ws/logs?resources=web,api&sources=runtime&minLevel=WARN&since=${since}`);
    const first = await c.next<LogChunk>();
    expect(texts(first)).toEqual(['warning\n']);
    expect(first.checkpoint).toBe(logs.checkpoint());

    logs.append({ resource: 'api', spanId: 'r', text: 'api error\n', level: 'ERROR' });
    logs.append({ resource: 'db', spanId: 'r', text: 'db error\n', level: 'ERROR' });
    logs.append({
      resource: 'web',
      spanId: 'b',
      text: 'build warning\n',
      source: 'build',
      level: 'WARN',
    });
    logs.append({ resource: 'web', spanId: 'r', text: 'web info\n' });
    const next = await c.next<LogChunk>();
    expect(texts(next)).toEqual(['api error\n']);
    expect(next.segments[0]).toMatchObject({ resource: 'api', level: 'ERROR', source: 'runtime' });

    // Text that does not pass the filter sends nothing.
    logs.append({ resource: 'db', spanId: 'r', text: 'more\n', level: 'ERROR' });
    await sleep(150);
    expect(c.pending()).toBe(0);
    await c.close();
    await eventually(() => t.backend.logs.active === 0, 'unsubscribed');
  });

  it('starts with an empty chunk when nothing is stored, and reads from 0 by default', async () => {
    const t = await serve();
    const empty = await t.ws('/ws/logs');
    expect(await empty.next()).toEqual({ segments: [], checkpoint: 0, dropped: 0 });
    t.backend.logs.append({ resource: '', spanId: 'tilt', text: 'hi\n' });
    expect(texts(await empty.next<LogChunk>())).toEqual(['hi\n']);
    const all = await t.ws('/ws/logs');
    expect(texts(await all.next<LogChunk>())).toEqual(['hi\n']);
  });

  it('coalesces appends into few messages', async () => {
    const t = await serve();
    const c = await t.ws('/ws/logs?resources=web');
    await c.next();
    let want = '';
    for (let i = 0; i < 1000; i++) {
      want += `${i}\n`;
      t.backend.logs.append({ resource: 'web', spanId: 'r', text: `${i}\n` });
      t.backend.logs.append({ resource: 'other', spanId: 'r', text: `${i}\n` });
      if (i % 250 === 249) await sleep(10);
    }
    await eventually(
      () =>
        c.messages
          .slice(1)
          .flatMap((m) => texts(m as LogChunk))
          .join('') === want,
      'every line arrived',
    );
    expect(c.messages.length - 1).toBeLessThanOrEqual(4);
  });

  it('refuses a bad filter before upgrading', async () => {
    const t = await serve();
    const r = await t.ws('/ws/logs?minLevel=LOUD').catch((e: unknown) => e);
    expect(r).toBeInstanceOf(UpgradeRefused);
    expect((r as UpgradeRefused).status).toBe(400);
    const unknown = await t.ws('/ws/nothing').catch((e: unknown) => e);
    expect((unknown as UpgradeRefused).status).toBe(404);
  });
});
