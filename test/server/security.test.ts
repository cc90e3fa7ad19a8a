import { afterEach, describe, expect, it } from 'vitest';
import { tokenCookie, TOKEN_HEADER } from '../../src/api/types.js';
import { cookieValues, createGuard } from '../../src/server/security.js';
import type { IncomingMessage } from 'node:http';
import { closeAll, serve, UpgradeRefused } from './harness.js';

afterEach(closeAll);

const trigger = JSON.stringify({ manifest_names: ['(Tiltfile)'] });

describe('the token', () => {
  it('is required on /api: missing or wrong is 401 with a JSON error', async () => {
    const t = await serve();
    const missing = await t.request('GET', '/api/view');
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toBe('application/json');
    expect(missing.json()).toEqual({ error: expect.stringMatching(/missing token/) });
    const wrong = await t.request('GET', '/api/view', { headers: { [TOKEN_HEADER]: 'f00' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ error: 'unauthorized: wrong token' });
    const post = await t.request('POST', '/api/trigger', { body: trigger });
    expect(post.status).toBe(401);
    expect(t.backend.requests).toEqual([]);
  });

  it('is accepted from the header or the cookie', async () => {
    const t = await serve();
    expect(t.token).toMatch(/^[0-9a-f]{64}$/);
    expect(
      (await t.request('GET', '/api/view', { headers: { [TOKEN_HEADER]: t.token } })).status,
    ).toBe(200);
    const cookie = `other=1; ${tokenCookie(t.port)}=${t.token}; theme=dark`;
    expect((await t.request('GET', '/api/view', { headers: { cookie } })).status).toBe(200);
    const bad = `${tokenCookie(t.port)}=${'0'.repeat(64)}`;
    expect((await t.request('GET', '/api/view', { headers: { cookie: bad } })).status).toBe(401);
  });

  it('differs between two servers', async () => {
    const a = await serve();
    const b = await serve();
    expect(a.token).not.toBe(b.token);
    const cross = await a.request('GET', '/api/view', { headers: { [TOKEN_HEADER]: b.token } });
    expect(cross.status).toBe(401);
  });

  it('is required on /ws: the upgrade is refused with 401', async () => {
    const t = await serve();
    const refused = await t.ws('/ws/view', {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(401);
    expect(JSON.parse((refused as UpgradeRefused).body)).toEqual({
      error: expect.stringMatching(/missing token/),
    });
    const wrong = await t.ws('/ws/logs', { [TOKEN_HEADER]: 'nope' }).catch((e: unknown) => e);
    expect((wrong as UpgradeRefused).status).toBe(401);
    const withCookie = await t.ws('/ws/view', { cookie: `${tokenCookie(t.port)}=${t.token}` });
    expect(await withCookie.next()).toMatchObject({ type: 'view' });
    await withCookie.close();
  });

  it('is handed to the page as a strict, HttpOnly cookie', async () => {
    const t = await serve();
    for (const path of ['/', '/r/web/overview', '/index.html']) {
      const page = await t.request('GET', path);
      expect(page.status).toBe(200);
      expect(page.headers['set-cookie']).toEqual([
        `${tokenCookie(t.port)}=${t.token}; Path=/; SameSite=Strict; HttpOnly`,
      ]);
    }
    // The API does not hand it out.
    expect((await t.api('GET', '/api/view')).headers['set-cookie']).toBeUndefined();
  });
});

describe('the Host header', () => {
  it('must name this server, for the page and the API', async () => {
    const t = await serve();
    for (const host of ['evil.example', `evil.example:${t.port}`, `localhost:${t.port + 1}`, '']) {
      for (const path of ['/', '/api/view', '/r/x']) {
        const r = await t.api('GET', path, { headers: { host } });
        expect(r.status, `${host} ${path}`).toBe(403);
        expect(r.json()).toEqual({ error: expect.stringMatching(/^forbidden: Host/) });
        expect(r.headers['set-cookie']).toBeUndefined();
      }
    }
    // Node itself answers 400 to an HTTP/1.1 request without Host.
    const none = await t.api('GET', '/api/view', { noHost: true });
    expect([400, 403]).toContain(none.status);
  });

  it('may be localhost, 127.0.0.1 or [::1] with the port, in any case', async () => {
    const t = await serve();
    for (const host of [
      `localhost:${t.port}`,
      `LocalHost:${t.port}`,
      `127.0.0.1:${t.port}`,
      `[::1]:${t.port}`,
    ]) {
      expect((await t.api('GET', '/api/view', { headers: { host } })).status, host).toBe(200);
      expect((await t.request('GET', '/', { headers: { host } })).status, host).toBe(200);
    }
  });

  it('refuses a websocket upgrade for another host', async () => {
    const t = await serve();
    const r = await t
      .ws('/ws/view', { [TOKEN_HEADER]: t.token, host: `rebound.example:${t.port}` })
      .catch((e: unknown) => e);
    expect((r as UpgradeRefused).status).toBe(403);
  });
});

describe('the Origin header', () => {
  it('refuses a POST from another site and takes one from this server', async () => {
    const t = await serve();
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${t.port}`,
      `https://localhost:${t.port}`,
      'null',
    ]) {
      const r = await t.api('POST', '/api/trigger', { body: trigger, headers: { origin } });
      expect(r.status, origin).toBe(403);
      expect(r.json()).toEqual({ error: expect.stringMatching(/^forbidden: Origin/) });
    }
    expect(t.backend.requests).toEqual([]);
    const ok = await t.api('POST', '/api/trigger', {
      body: trigger,
      headers: { origin: `http://localhost:${t.port}` },
    });
    expect(ok.status).toBe(200);
    expect(t.backend.requests).toHaveLength(1);
  });

  it('refuses a cross-site websocket and takes one from this server', async () => {
    const t = await serve();
    const cross = await t
      .ws('/ws/view', { [TOKEN_HEADER]: t.token, origin: 'http://evil.example' })
      .catch((e: unknown) => e);
    expect((cross as UpgradeRefused).status).toBe(403);
    const same = await t.ws('/ws/view', {
      [TOKEN_HEADER]: t.token,
      origin: `http://127.0.0.1:${t.port}`,
    });
    expect(await same.next()).toMatchObject({ type: 'view' });
    await same.close();
  });
});

describe('createGuard', () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it('takes the configured host, and any IP address when bound to all interfaces', () => {
    const named = createGuard({ host: 'devbox.local', port: 10350, token: 'ab' });
    expect(named.checkSite(req({ host: 'DevBox.Local:10350' }))).toBeUndefined();
    expect(named.checkSite(req({ host: '192.168.1.5:10350' }))?.status).toBe(403);

    const any = createGuard({ host: '0.0.0.0', port: 10350, token: 'ab' });
    expect(any.checkSite(req({ host: '192.168.1.5:10350' }))).toBeUndefined();
    expect(
      any.checkSite(req({ host: '[fe80::1]:10350', origin: 'http://[fe80::1]:10350' })),
    ).toBeUndefined();
    expect(any.checkSite(req({ host: '192.168.1.5:80' }))?.status).toBe(403);
    expect(any.checkSite(req({ host: 'rebound.example:10350' }))?.status).toBe(403);

    const v6 = createGuard({ host: '::1', port: 10350, token: 'ab' });
    expect(v6.checkSite(req({ host: '[::1]:10350' }))).toBeUndefined();
  });

  it('reads every value of the cookie', () => {
    expect(cookieValues('a=1; tilt_token=x;tilt_token=y', 'tilt_token')).toEqual(['x', 'y']);
    expect(cookieValues(undefined, 'tilt_token')).toEqual([]);
  });
});
