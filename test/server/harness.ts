// The real server on a free port with a FakeBackend, and clients that can
// send what a browser or an attacker would (any Host, Origin or cookie).

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TOKEN_HEADER } from '../../src/api/types.js';
import type { ApiBackend } from '../../src/server/backend.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.js';
import { FakeBackend } from './fake-backend.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => unknown;
}

export interface TestServer {
  server: RunningServer;
  backend: FakeBackend;
  port: number;
  token: string;
  tokenDir: string;
  /** A request with the token header unless `headers` says otherwise. */
  api(method: string, path: string, opts?: RequestOptions): Promise<Reply>;
  /** A request with exactly these headers (Host is 127.0.0.1:PORT unless given). */
  request(method: string, path: string, opts?: RequestOptions): Promise<Reply>;
  /** A websocket with the token header unless `headers` says otherwise. */
  ws(path: string, headers?: Record<string, string>): Promise<Client>;
  close(): Promise<void>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  /** Send no Host header at all. */
  noHost?: boolean;
}

const servers: TestServer[] = [];

export async function serve(
  opts: {
    backend?: () => ApiBackend | undefined;
    webRoot?: string;
    host?: string;
  } & Pick<ServerOptions, 'pace'> = {},
): Promise<TestServer> {
  const backend = new FakeBackend();
  const tokenDir = mkdtempSync(join(tmpdir(), 'tilt-server-test-'));
  const server = await startServer({
    host: opts.host ?? '127.0.0.1',
    port: 0,
    backend: opts.backend ?? (() => backend),
    webRoot: opts.webRoot ?? join(tokenDir, 'no-web'),
    tokenDir,
    pace: opts.pace,
  });
  const { port, token } = server;
  const request = (method: string, path: string, o: RequestOptions = {}) =>
    send(port, method, path, o);
  const t: TestServer = {
    server,
    backend,
    port,
    token,
    tokenDir,
    request,
    api: (method, path, o = {}) =>
      request(method, path, { ...o, headers: { [TOKEN_HEADER]: token, ...o.headers } }),
    ws: (path, headers = { [TOKEN_HEADER]: token }) =>
      connect(`ws://127.0.0.1:${port}${path}`, headers),
    close: async () => {
      await server.close();
      rmSync(tokenDir, { recursive: true, force: true });
    },
  };
  servers.push(t);
  return t;
}

/** Closes every server a test started (afterEach). */
export async function closeAll(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

function send(port: number, method: string, path: string, o: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.body !== undefined && !headers['content-type'])
      headers['content-type'] = 'application/json';
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers,
        setHost: !o.noHost && !Object.keys(headers).some((h) => h.toLowerCase() === 'host'),
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body) as unknown,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface Client {
  ws: WebSocket;
  /** Every message so far, parsed. */
  messages: unknown[];
  /** Resolves with the next message not yet taken. */
  next<T = unknown>(ms?: number): Promise<T>;
  /** Messages that arrived and were not taken yet. */
  pending(): number;
  close(): Promise<void>;
}

export function connect(url: string, headers: Record<string, string>): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: unknown[] = [];
    let taken = 0;
    let wake: (() => void) | undefined;
    ws.on('message', (data) => {
      messages.push(JSON.parse(data.toString()));
      wake?.();
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
    });
    ws.once('error', reject);
    ws.once('open', () => {
      const client: Client = {
        ws,
        messages,
        pending: () => messages.length - taken,
        next: async <T>(ms = 5000) => {
          const deadline = Date.now() + ms;
          while (messages.length <= taken) {
            if (Date.now() > deadline) throw new Error('no message came');
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 20);
            });
          }
          return messages[taken++] as T;
        },
        close: () =>
          new Promise<void>((r) => {
            if (ws.readyState === WebSocket.CLOSED) return r();
            ws.once('close', () => r());
            ws.close();
          }),
      };
      resolve(client);
    });
  });
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}

/** Waits until `pred` holds (polling), or fails after `ms`. */
export async function eventually(pred: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
