import { afterEach, describe, expect, it } from 'vitest';
import type { LogChunk, Snapshot, View } from '../../src/api/types.js';
import { closeAll, serve } from './harness.js';
import { resource } from './fake-backend.js';

afterEach(closeAll);

describe('GET /api/view', () => {
  it('serves the session, the resources and the logs since a checkpoint', async () => {
    const t = await serve();
    t.backend.set(resource('web', { runtimeStatus: 'error', detail: 'crashed' }));
    t.backend.logs.append({ resource: 'web', spanId: 'a', text: 'one\n' });
    const mid = t.backend.logs.checkpoint();
    t.backend.logs.append({ resource: 'web', spanId: 'a', text: 'two\n' });

    const r = await t.api('GET', '/api/view');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const v = r.json() as View;
    expect(v.session.kind).toBe('UISession');
    expect(v.resources.map((x) => x.metadata.name)).toEqual(['(Tiltfile)', 'web']);
    expect(v.resources[1].status).toMatchObject({ runtimeStatus: 'error', detail: 'crashed' });
    expect(v.logs.segments.map((s) => s.text)).toEqual(['one\n', 'two\n']);
    expect(v.logs.segments[0]).toMatchObject({ resource: 'web', spanId: 'a', level: 'INFO' });
    expect(v.logs.checkpoint).toBe(t.backend.logs.checkpoint());

    const later = (await t.api('GET', `/api/view?since=${mid}`)).json() as View;
    expect(later.logs.segments.map((s) => s.text)).toEqual(['two\n']);
    expect((await t.api('GET', '/api/view?since=-1')).status).toBe(400);
    expect((await t.api('GET', '/api/view?since=x')).status).toBe(400);
  });

  it('answers 503 while the engine does not exist yet', async () => {
    const t = await serve({ backend: () => undefined });
    for (const path of ['/api/view', '/api/objects', '/api/logs']) {
      const r = await t.api('GET', path);
      expect(r.status).toBe(503);
      expect(r.json()).toEqual({ error: expect.stringMatching(/not ready/) });
    }
    const ws = await t.ws('/ws/view').catch((e: { status: number }) => e);
    expect((ws as { status: number }).status).toBe(503);
  });
});

describe('GET /api/logs', () => {
  it('filters by resource, source and level, from a checkpoint', async () => {
    const t = await serve();
    const logs = t.backend.logs;
    logs.append({ resource: 'web', spanId: 'b', text: 'built\n', source: 'build' });
    logs.append({ resource: 'web', spanId: 'r', text: 'warned\n', level: 'WARN' });
    logs.append({ resource: 'api', spanId: 'r', text: 'failed\n', level: 'ERROR' });
    logs.append({ resource: 'db', spanId: 'r', text: 'other\n', level: 'ERROR' });
    const texts = async (q: string) =>
      ((await t.api('GET', `/api/logs${q}`)).json() as LogChunk).segments.map((s) => s.text);

    expect(await texts('')).toEqual(['built\n', 'warned\n', 'failed\n', 'other\n']);
    expect(await texts('?resources=web,api')).toEqual(['built\n', 'warned\n', 'failed\n']);
    expect(await texts('?sources=build')).toEqual(['built\n']);
    expect(await texts('?minLevel=WARN&resources=web&resources=api')).toEqual([
      'warned\n',
      'failed\n',
    ]);
    expect(await texts('?levels=warn')).toEqual(['warned\n']);
    expect(await texts('?since=2')).toEqual(['failed\n', 'other\n']);
    const chunk = (await t.api('GET', '/api/logs?resources=db')).json() as LogChunk;
    expect(chunk.checkpoint).toBe(logs.checkpoint());
    expect(chunk.dropped).toBe(0);

    const bad = await t.api('GET', '/api/logs?minLevel=LOUD');
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ error: expect.stringMatching(/minLevel.*LOUD/) });
    expect((await t.api('GET', '/api/logs?sources=stdout')).status).toBe(400);
  });
});

describe('GET /api/snapshot', () => {
  it('holds the view with every log line and when it was made', async () => {
    const t = await serve();
    t.backend.logs.append({ resource: '', spanId: 'tilt', text: 'hello\n' });
    const s = (await t.api('GET', '/api/snapshot')).json() as Snapshot;
    expect(s.view.resources).toHaveLength(1);
    expect(s.view.logs.segments.map((x) => x.text)).toEqual(['hello\n']);
    expect(Date.now() - Date.parse(s.createdAt)).toBeLessThan(10_000);
  });
});

describe('/api/objects', () => {
  it('lists the kinds, then the objects of a kind in any spelling', async () => {
    const t = await serve();
    t.backend.set(resource('web'));
    const get = async (path: string) => {
      const r = await t.api('GET', path);
      return { status: r.status, body: r.json() as Record<string, unknown> };
    };
    expect((await get('/api/objects')).body).toEqual({
      kinds: ['uiresource', 'uisession', 'filewatch', 'kubernetesdiscovery'],
    });
    for (const kind of ['uiresource', 'uiresources', 'UIResource', 'UIResources']) {
      const r = await get(`/api/objects/${kind}`);
      expect(r.status).toBe(200);
      expect(
        (r.body.items as { metadata: { name: string } }[]).map((x) => x.metadata.name),
      ).toEqual(['(Tiltfile)', 'web']);
    }
    expect((await get('/api/objects/uisession')).body.items).toEqual([t.backend.session()]);
    expect((await get('/api/objects/filewatches')).body.items).toHaveLength(2);
    expect((await get('/api/objects/kubernetesdiscoveries')).body.items).toEqual([]);
    expect((await get('/api/objects/KubernetesDiscovery')).status).toBe(200);
  });

  it('serves one object by name, names with slashes and escapes too', async () => {
    const t = await serve();
    t.backend.set(resource('web'));
    const web = await t.api('GET', '/api/objects/uiresource/web');
    expect(web.status).toBe(200);
    expect(web.json()).toEqual(resource('web'));
    const tf = await t.api('GET', `/api/objects/UIResource/${encodeURIComponent('(Tiltfile)')}`);
    expect((tf.json() as { metadata: { name: string } }).metadata.name).toBe('(Tiltfile)');
    const fw = await t.api('GET', '/api/objects/filewatch/image:gcr.io/proj/app');
    expect((fw.json() as { metadata: { name: string } }).metadata.name).toBe(
      'image:gcr.io/proj/app',
    );
    const session = await t.api('GET', '/api/objects/uisession/Tiltfile');
    expect(session.status).toBe(200);
  });

  it('answers 404 for an unknown name or kind', async () => {
    const t = await serve();
    const missing = await t.api('GET', '/api/objects/uiresource/x');
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: 'uiresource "x" not found' });
    const kind = await t.api('GET', '/api/objects/pods');
    expect(kind.status).toBe(404);
    expect(kind.json()).toEqual({
      error:
        'unknown kind "pods"; known kinds: uiresource, uisession, filewatch, kubernetesdiscovery',
    });
  });
});

describe('POST requests', () => {
  const post = (t: Awaited<ReturnType<typeof serve>>, path: string, body: unknown) =>
    t.api('POST', path, { body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('trigger, trigger mode, args and enable reach the backend and answer {}', async () => {
    const t = await serve();
    t.backend.set(resource('web'), resource('api'));
    const ok = async (path: string, body: unknown) => {
      const r = await post(t, path, body);
      expect(r.status, `${path} ${r.body}`).toBe(200);
      expect(r.json()).toEqual({});
    };
    await ok('/api/trigger', { manifest_names: ['web'], build_reason: 16 });
    for (const trigger_mode of [0, 1, 2, 3]) {
      await ok('/api/override/trigger_mode', { manifest_names: ['web', 'api'], trigger_mode });
    }
    await ok('/api/set_tiltfile_args', ['--env', 'prod']);
    await ok('/api/enable', { manifest_names: ['api'], enable: false });
    expect(t.backend.requests).toEqual([
      { call: 'trigger', names: ['web'] },
      { call: 'setTriggerMode', names: ['web', 'api'], mode: 'auto' },
      { call: 'setTriggerMode', names: ['web', 'api'], mode: 'manual' },
      { call: 'setTriggerMode', names: ['web', 'api'], mode: 'manual' },
      { call: 'setTriggerMode', names: ['web', 'api'], mode: 'auto' },
      { call: 'setArgs', args: ['--env', 'prod'] },
      { call: 'setEnabled', names: ['api'], enabled: false },
    ]);
  });

  it('answers a RequestError with its status and message', async () => {
    const t = await serve();
    const r = await post(t, '/api/trigger', { manifest_names: ['nope'] });
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({ error: 'no such resource: nope' });
    expect(t.backend.requests).toEqual([]);
  });

  it('answers 400 to bad JSON and to bodies of the wrong shape', async () => {
    const t = await serve();
    const bad: [string, unknown][] = [
      ['/api/trigger', '{"manifest_names": ['],
      ['/api/trigger', ''],
      ['/api/trigger', { manifest_names: 'web' }],
      ['/api/trigger', ['web']],
      ['/api/override/trigger_mode', { manifest_names: ['(Tiltfile)'], trigger_mode: 4 }],
      ['/api/override/trigger_mode', { manifest_names: ['(Tiltfile)'], trigger_mode: '1' }],
      ['/api/override/trigger_mode', { manifest_names: ['(Tiltfile)'] }],
      ['/api/set_tiltfile_args', { args: [] }],
      ['/api/set_tiltfile_args', [1, 2]],
      ['/api/enable', { manifest_names: ['(Tiltfile)'], enable: 'yes' }],
    ];
    for (const [path, body] of bad) {
      const r = await post(t, path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json()).toEqual({ error: expect.any(String) });
    }
    expect(t.backend.requests).toEqual([]);
    const json = await post(t, '/api/trigger', '{"manifest_names": [');
    expect((json.json() as { error: string }).error).toMatch(/^invalid JSON body/);
  });

  it('answers 405 to a wrong method and 404 to an unknown API', async () => {
    const t = await serve();
    const get = await t.api('GET', '/api/trigger');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.json()).toEqual({ error: 'GET is not allowed on /api/trigger' });
    const postView = await t.api('POST', '/api/view', { body: '{}' });
    expect(postView.status).toBe(405);
    expect(postView.headers.allow).toBe('GET');
    const none = await t.api('GET', '/api/nothing');
    expect(none.status).toBe(404);
    expect(none.json()).toEqual({ error: 'no such API: /api/nothing' });
    expect((await t.api('GET', '/ws/view')).status).toBe(426);
  });
});
