import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tokenCookie } from '../../src/api/types.js';
import { closeAll, serve } from './harness.js';

afterEach(closeAll);

let dir: string;
let webRoot: string;
const INDEX = '<!doctype html><title>Tilt</title><div id="root"></div>\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tilt-static-test-'));
  webRoot = join(dir, 'web');
  mkdirSync(join(webRoot, 'assets'), { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), INDEX);
  writeFileSync(join(webRoot, 'assets', 'index-3f2a1b.js'), 'console.log(1);\n');
  writeFileSync(join(webRoot, 'assets', 'index-9c8d7e.css'), 'body{}\n');
  writeFileSync(join(webRoot, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dir, 'secret.txt'), 'secret\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the web UI', () => {
  it('serves files with their content types and cache headers, and the cookie', async () => {
    const t = await serve({ webRoot });
    const cookie = [`${tokenCookie(t.port)}=${t.token}; Path=/; SameSite=Strict; HttpOnly`];

    const index = await t.request('GET', '/');
    expect(index.body).toBe(INDEX);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['set-cookie']).toEqual(cookie);
    expect(index.headers['x-frame-options']).toBe('DENY');

    const js = await t.request('GET', '/assets/index-3f2a1b.js');
    expect(js.body).toBe('console.log(1);\n');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['set-cookie']).toEqual(cookie);
    const css = await t.request('GET', '/assets/index-9c8d7e.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await t.request('GET', '/favicon.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');

    const again = await t.request('GET', '/', {
      headers: { 'if-none-match': index.headers.etag! },
    });
    expect(again.status).toBe(304);
  });

  it('answers index.html for the UI routes, 404 for a missing asset', async () => {
    const t = await serve({ webRoot });
    for (const path of ['/r/web/overview', '/r/(Tiltfile)/overview', '/overview?term=x']) {
      const r = await t.request('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.body).toBe(INDEX);
      expect(r.headers['set-cookie']).toBeDefined();
    }
    expect((await t.request('GET', '/assets/gone-123.js')).status).toBe(404);
    const head = await t.request('HEAD', '/r/web/overview');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await t.request('POST', '/', { body: '{}' })).status).toBe(405);
  });

  it('serves nothing outside its directory', async () => {
    const t = await serve({ webRoot });
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await t.request('GET', path);
      expect(r.body, path).not.toContain('secret');
    }
  });

  it('says how to build the UI when it is not built, still with the cookie', async () => {
    const t = await serve({ webRoot: join(dir, 'missing') });
    for (const path of ['/', '/r/web/overview']) {
      const r = await t.request('GET', path);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toContain('The web UI is not built');
      expect(r.body).toContain('npm run build');
      expect(r.headers['set-cookie']).toEqual([
        `${tokenCookie(t.port)}=${t.token}; Path=/; SameSite=Strict; HttpOnly`,
      ]);
    }
  });
});
