// /ws/objects/<kind>: watching the objects of a kind, as `tilt get -w` does.

import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectWatchMessage } from '../../src/api/types.js';
import { resource } from './fake-backend.js';
import { closeAll, serve, sleep, UpgradeRefused } from './harness.js';

afterEach(closeAll);

type Changed = Extract<ObjectWatchMessage, { type: 'changed' }>;
const names = (m: ObjectWatchMessage) => m.items.map((o) => o.metadata.name);

describe('/ws/objects', () => {
  it('lists the objects of the kind, then sends those that change or go', async () => {
    const t = await serve();
    t.backend.set(resource('web'), resource('api'));
    const c = await t.ws('/ws/objects/UIResources');
    const first = await c.next<ObjectWatchMessage>();
    expect(first.type).toBe('list');
    expect(names(first)).toEqual(['(Tiltfile)', 'web', 'api']);

    t.backend.set(resource('api', { updateStatus: 'in_progress' }));
    const changed = await c.next<Changed>();
    expect(changed).toMatchObject({ type: 'changed', removed: [] });
    expect(names(changed)).toEqual(['api']);

    t.backend.remove('web');
    expect(await c.next<Changed>()).toMatchObject({ items: [], removed: ['web'] });

    // A change that leaves the objects as they were sends nothing.
    t.backend.changed();
    await sleep(150);
    expect(c.pending()).toBe(0);
    await c.close();
  });

  it('refuses an unknown kind, naming the known ones', async () => {
    const t = await serve();
    const refused = await t.ws('/ws/objects/pods').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(404);
    expect((refused as UpgradeRefused).body).toContain('known kinds: uiresource, uisession');
  });
});
