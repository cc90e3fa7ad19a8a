import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBackend } from './fake-backend.js';
import { ServerPortError, startServer } from '../../src/server/server.js';
import {
  defaultTokenDir,
  readServerInfo,
  serverInfoPath,
  writeServerInfo,
} from '../../src/server/token.js';
import { closeAll, serve } from './harness.js';

afterEach(closeAll);

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the token file', () => {
  it('is written for the user alone and removed on close', async () => {
    const t = await serve();
    const path = join(t.tokenDir, 'servers', `${t.port}.json`);
    expect(serverInfoPath(t.port, t.tokenDir)).toBe(path);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(t.tokenDir, 'servers'))).toBe(0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      token: t.token,
      port: t.port,
      host: '127.0.0.1',
      pid: process.pid,
      url: `http://localhost:${t.port}/`,
    });
    expect(readServerInfo(t.port, t.tokenDir)).toEqual({
      token: t.token,
      port: t.port,
      host: '127.0.0.1',
      pid: process.pid,
      url: t.server.url,
    });
    await t.server.close();
    expect(existsSync(path)).toBe(false);
    expect(readServerInfo(t.port, t.tokenDir)).toBeUndefined();
  });

  it('is left alone on close when another tilt has taken it over', async () => {
    const t = await serve();
    const theirs = { token: 'b'.repeat(64), port: t.port, host: 'h', pid: process.pid, url: 'u' };
    writeServerInfo(theirs, t.tokenDir);
    await t.server.close();
    expect(readServerInfo(t.port, t.tokenDir)).toEqual(theirs);
  });

  it('is not believed when the process that wrote it is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tilt-token-test-'));
    try {
      writeServerInfo({ token: 'a', port: 1234, host: 'h', pid: 2 ** 22 + 7, url: 'u' }, dir);
      expect(readServerInfo(1234, dir)).toBeUndefined();
      writeFileSync(serverInfoPath(1235, dir), 'not json');
      expect(readServerInfo(1235, dir)).toBeUndefined();
      expect(readServerInfo(1236, dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lives in the tilt config directory by default', () => {
    expect(defaultTokenDir({ HOME: '/home/u', TILT_DEV_DIR: '/x/dev' })).toBe('/x/dev/tilt-ts');
    expect(defaultTokenDir({})).toMatch(/\.tilt-dev\/tilt-ts$/);
  });
});

describe('a port in use', () => {
  it('stops the second server with the message users know, leaving the first one be', async () => {
    const t = await serve();
    const err = await startServer({
      host: '127.0.0.1',
      port: t.port,
      backend: () => new FakeBackend(),
      tokenDir: t.tokenDir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerPortError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^Tilt cannot start because you already have another process on port ${t.port}\\n` +
          'If you want to run multiple Tilt instances simultaneously,\\n' +
          'use the --port flag or TILT_PORT env variable to set a custom port\\n' +
          'Original error: .*EADDRINUSE',
      ),
    );
    expect(readServerInfo(t.port, t.tokenDir)?.token).toBe(t.token);
    expect((await t.api('GET', '/api/view')).status).toBe(200);
  });
});
