import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  httpProbeURL,
  probeOnce,
  startProbe,
  type ProbeHandle,
  type ProbeOptions,
  type ProbeUpdate,
} from '../../../src/runtime/local/probe.js';
import type { ProbeSpec } from '../../../src/tiltfile/builtins/settings-values.js';
import { pidGone, waitFor } from './helpers.js';

/** A probe spec with fast timing (fractions of a second) unless given. */
function spec(action: Partial<ProbeSpec>, timing: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    initialDelaySecs: 0,
    timeoutSecs: 2,
    periodSecs: 0.05,
    successThreshold: 1,
    failureThreshold: 3,
    ...timing,
    ...action,
  };
}

const handles: ProbeHandle[] = [];
function probe(s: ProbeSpec, opts: ProbeOptions = {}) {
  const updates: ProbeUpdate[] = [];
  const changes: string[] = [];
  const h = startProbe(s, {
    ...opts,
    onResult: (u) => updates.push(u),
    onStatusChange: (st) => changes.push(st),
  });
  handles.push(h);
  return { h, updates, changes };
}

const servers: (Server | TcpServer)[] = [];
function listen<T extends Server | TcpServer>(server: T): Promise<number> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}
function close(server: Server | TcpServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listen(s);
  await close(s);
  return port;
}

const tmp = mkdtempSync(join(tmpdir(), 'tilt-probe-'));
afterEach(async () => {
  for (const h of handles.splice(0)) h.stop();
  await Promise.all(servers.splice(0).map((s) => (s.listening ? close(s) : undefined)));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('exec probe', () => {
  it('is unknown until success_threshold successes, then ready', async () => {
    const { h, updates, changes } = probe(
      spec({ exec: { command: ['true'] } }, { successThreshold: 3 }),
    );
    expect(h.status).toBe('unknown');
    await waitFor(() => h.status === 'ready', 'ready');
    expect(updates.slice(0, 3).map((u) => [u.result.success, u.status, u.changed])).toEqual([
      [true, 'unknown', false],
      [true, 'unknown', false],
      [true, 'ready', true],
    ]);
    expect(changes).toEqual(['ready']);
  });

  it('is not ready after failure_threshold failures, with the exit code', async () => {
    const { h, updates, changes } = probe(
      spec({ exec: { command: ['sh', '-c', 'echo nope; exit 2'] } }, { failureThreshold: 2 }),
    );
    await waitFor(() => h.status === 'not-ready', 'not ready');
    expect(updates.slice(0, 2).map((u) => [u.result.success, u.status])).toEqual([
      [false, 'unknown'],
      [false, 'not-ready'],
    ]);
    expect(updates[0].result.message).toBe('exit code 2: nope');
    expect(changes).toEqual(['not-ready']);
  });

  it('follows a changing condition with both thresholds', async () => {
    const flag = join(tmp, 'ready-flag');
    const { h, updates, changes } = probe(
      spec(
        { exec: { command: ['test', '-f', flag] } },
        { successThreshold: 2, failureThreshold: 2 },
      ),
    );
    await waitFor(() => h.status === 'not-ready', 'not ready');
    writeFileSync(flag, '');
    await waitFor(() => h.status === 'ready', 'ready');
    // One success was not enough: the status changed on the second in a row.
    const firstOk = updates.findIndex((u) => u.result.success);
    expect(updates[firstOk].status).toBe('not-ready');
    expect(updates[firstOk + 1]).toMatchObject({ status: 'ready', changed: true });
    unlinkSync(flag);
    await waitFor(() => h.status === 'not-ready' && changes.length === 3, 'not ready again');
    expect(changes).toEqual(['not-ready', 'ready', 'not-ready']);
  });

  it('runs in the dir and env given', async () => {
    writeFileSync(join(tmp, 'marker'), '');
    const { h } = probe(
      spec({ exec: { command: ['sh', '-c', 'test -f marker && test "$PROBE_X" = y'] } }),
      { dir: tmp, env: { PROBE_X: 'y' } },
    );
    await waitFor(() => h.status === 'ready', 'ready');
  });

  it('fails when the command times out, and kills it', async () => {
    const pidFile = join(tmp, 'slow-pid');
    const r = await probeOnce(
      spec({ exec: { command: ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 1000`] } }),
      { timeoutMs: 800 },
    );
    expect(r).toEqual({ success: false, message: 'probe timed out after 0.8s' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => pidGone(pid), 'the probe command to die');
  });

  it('fails for a command that cannot start', async () => {
    const r = await probeOnce(spec({ exec: { command: ['no-such-program-tilt-ts'] } }), {
      timeoutMs: 1000,
    });
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/executable file not found in \$PATH/);
  });
});

describe('http_get probe', () => {
  it('is ready while the server answers 2xx, not ready once it fails', async () => {
    let status = 200;
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end('body');
    });
    const port = await listen(server);
    const { h, updates } = probe(
      spec({ httpGet: { host: '127.0.0.1', port, scheme: 'http', path: '/healthz?x=1' } }),
    );
    await waitFor(() => h.status === 'ready', 'ready');
    expect(paths[0]).toBe('/healthz?x=1');
    status = 503;
    await waitFor(() => h.status === 'not-ready', 'not ready');
    const failed = updates.filter((u) => !u.result.success);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed[0].result.message).toBe('HTTP probe failed with statuscode: 503');
    status = 204;
    await waitFor(() => h.status === 'ready', 'ready again');
  });

  it('fails when the server is gone', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    const port = await listen(server);
    const { h, updates } = probe(
      spec({ httpGet: { host: '127.0.0.1', port, scheme: 'http', path: '' } }),
    );
    await waitFor(() => h.status === 'ready', 'ready');
    await close(server);
    await waitFor(() => h.status === 'not-ready', 'not ready');
    expect(updates[updates.length - 1].result.message).toMatch(
      /^Get "http:\/\/127\.0\.0\.1:\d+\/": .*ECONNREFUSED/,
    );
  });

  it('counts 3xx as success and follows redirects on the same host', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/elsewhere')
        res.writeHead(302, { location: 'http://example.invalid/' }).end();
      else if (req.url === '/moved') res.writeHead(301, { location: '/broken' }).end();
      else if (req.url === '/broken') res.writeHead(500).end();
      else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else res.writeHead(200).end();
    });
    const port = await listen(server);
    const once = (path: string) =>
      probeOnce(spec({ httpGet: { host: '127.0.0.1', port, scheme: 'http', path } }), {
        timeoutMs: 2000,
      });
    expect((await once('/elsewhere')).success).toBe(true);
    expect(await once('/moved')).toEqual({
      success: false,
      message: 'HTTP probe failed with statuscode: 500',
    });
    expect((await once('/loop')).message).toMatch(/stopped after 10 redirects/);
    expect(await once('/')).toEqual({ success: true, message: '' });
  });

  it('fails when the response does not come within the timeout', async () => {
    const server = createServer(() => {
      // never answers
    });
    const port = await listen(server);
    const r = await probeOnce(
      spec({ httpGet: { host: '127.0.0.1', port, scheme: 'http', path: '/' } }),
      { timeoutMs: 200 },
    );
    expect(r).toEqual({ success: false, message: 'probe timed out after 0.2s' });
  });

  it('builds the URL as Tilt does', () => {
    const url = (host: string, scheme: string, path: string) =>
      httpProbeURL({ host, port: 8080, scheme, path }).href;
    expect(url('', '', '')).toBe('http://localhost:8080/');
    expect(url('127.0.0.1', 'HTTPS', 'healthz')).toBe('https://127.0.0.1:8080/healthz');
    expect(url('::1', 'http', '/a?b=c')).toBe('http://[::1]:8080/a?b=c');
  });
});

describe('tcp_socket probe', () => {
  it('is ready while the port listens, not ready once it is closed', async () => {
    const server = createTcpServer((sock) => sock.destroy());
    const port = await listen(server);
    const { h, updates } = probe(spec({ tcpSocket: { host: '127.0.0.1', port } }));
    await waitFor(() => h.status === 'ready', 'ready');
    await close(server);
    await waitFor(() => h.status === 'not-ready', 'not ready');
    expect(updates[updates.length - 1].result.message).toMatch(
      new RegExp(`^dial tcp 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });

  it('fails against a closed port, with host defaulting to localhost', async () => {
    const port = await closedPort();
    const { h } = probe(spec({ tcpSocket: { host: '', port } }, { failureThreshold: 1 }));
    await waitFor(() => h.status === 'not-ready', 'not ready');
  });
});

describe('probe worker', () => {
  it('does no work once stopped', async () => {
    const counter = join(tmp, 'count');
    const { h, updates } = probe(
      spec({ exec: { command: ['sh', '-c', `echo x >> ${counter}`] } }, { periodSecs: 0.02 }),
    );
    await waitFor(() => updates.length >= 3, 'a few results');
    h.stop();
    expect(h.stopped).toBe(true);
    expect(h.status).toBe('unknown');
    const results = updates.length;
    // A probe in flight at stop() may still have appended its line; nothing starts after it.
    await new Promise((r) => setTimeout(r, 100));
    const lines = existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').length : 0;
    await new Promise((r) => setTimeout(r, 300));
    expect(updates.length).toBe(results);
    expect(readFileSync(counter, 'utf8').split('\n').length).toBe(lines);
  });

  it('abandons a probe in flight when stopped, killing its command', async () => {
    const pidFile = join(tmp, 'inflight-pid');
    const { h, updates } = probe(
      spec(
        { exec: { command: ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 1000`] } },
        { timeoutSecs: 60 },
      ),
    );
    await waitFor(
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
      'the probe',
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    h.stop();
    await waitFor(() => pidGone(pid), 'the probe command to die');
    await new Promise((r) => setTimeout(r, 100));
    expect(updates).toEqual([]);
  });

  it('waits initial_delay_secs before the first probe', async () => {
    const { h, updates } = probe(spec({ exec: { command: ['true'] } }, { initialDelaySecs: 0.2 }));
    expect(updates).toEqual([]);
    await waitFor(() => h.status === 'ready', 'ready');
  });

  it('rejects a probe without an action or with a port out of range', () => {
    expect(() => startProbe(spec({}))).toThrow('unsupported probe type');
    expect(() => startProbe(spec({ tcpSocket: { host: '', port: 0 } }))).toThrow(
      'port number out of range: 0',
    );
    expect(() =>
      startProbe(spec({ httpGet: { host: '', port: 70000, scheme: 'http', path: '' } })),
    ).toThrow('port number out of range: 70000');
  });
});
