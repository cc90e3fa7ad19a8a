// The HTTP server of a running tilt (localhost:10350 by default): the API
// under /api, websockets under /ws, and the web UI. Every request passes the
// checks of security.ts first. It is started before the engine exists (binding
// first keeps a second `tilt up` off the same port), so the API answers 503
// until the backend is there.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiBackend } from './backend.js';
import { logFilterParams, sinceParam } from './log-query.js';
import { streamObjects } from './object-stream.js';
import { resolveKind } from './objects.js';
import { streamLogs } from './log-stream.js';
import type { PaceOptions } from './paced-sender.js';
import { HttpError, refuseUpgrade, sendError } from './reply.js';
import { handleApi } from './routes.js';
import { createGuard, type Guard } from './security.js';
import { createStatic, defaultWebRoot } from './static.js';
import { newToken, removeServerInfo, writeServerInfo } from './token.js';
import { ViewHub } from './view-stream.js';

export class ServerPortError extends Error {
  constructor(
    readonly port: number,
    cause: Error,
  ) {
    super(
      `Tilt cannot start because you already have another process on port ${port}\n` +
        'If you want to run multiple Tilt instances simultaneously,\n' +
        'use the --port flag or TILT_PORT env variable to set a custom port\n' +
        `Original error: ${cause.message}`,
      { cause },
    );
    this.name = 'ServerPortError';
  }
}

export interface ServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The engine's backend; undefined until the engine exists. */
  backend: () => ApiBackend | undefined;
  /** The built web UI; dist/web by default. */
  webRoot?: string;
  /** Where servers/<port>.json goes; the user's tilt config directory by default. */
  tokenDir?: string;
  /** Websocket pacing, for tests. */
  pace?: PaceOptions;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** `localhost` resolves to ::1 first on some machines; IPv4 loopback is where every client looks. */
function bindAddress(host: string): string {
  return host.toLowerCase() === 'localhost' ? '127.0.0.1' : host;
}

function shownHost(host: string): string {
  if (['localhost', '127.0.0.1', '0.0.0.0', '::', ''].includes(host.toLowerCase())) {
    return 'localhost';
  }
  return host.includes(':') ? `[${host}]` : host;
}

const pathOf = (req: http.IncomingMessage) => new URL(req.url ?? '/', 'http://tilt.invalid');

const NOT_READY = 'tilt is starting: the engine is not ready yet';

interface Served {
  opts: ServerOptions;
  guard: Guard;
  serveStatic: ReturnType<typeof createStatic>;
  views: ViewHub;
  sockets: WebSocketServer;
}

function onRequest(s: Served, req: http.IncomingMessage, res: http.ServerResponse): void {
  const refusal = s.guard.checkSite(req);
  if (refusal) return sendError(res, refusal.status, refusal.message);
  const url = pathOf(req);
  const p = url.pathname;
  if (p === '/api' || p.startsWith('/api/') || p === '/ws' || p.startsWith('/ws/')) {
    const denied = s.guard.checkToken(req);
    if (denied) return sendError(res, denied.status, denied.message);
    if (p.startsWith('/ws')) {
      return sendError(res, 426, 'this is a websocket endpoint', { upgrade: 'websocket' });
    }
    void handleApi(req, res, url, s.opts.backend());
    return;
  }
  s.serveStatic(req, res, url).catch((e: Error) => {
    if (!res.headersSent) sendError(res, 500, e.message);
    else res.destroy(e);
  });
}

/** What a websocket at this URL runs once upgraded; throws HttpError to refuse it. */
function socketFor(s: Served, url: URL): (ws: WebSocket) => void {
  const backend = s.opts.backend();
  if (url.pathname === '/ws/view') {
    if (!backend) throw new HttpError(503, NOT_READY);
    return (ws) => s.views.add(ws, backend);
  }
  if (url.pathname === '/ws/logs') {
    const since = sinceParam(url.searchParams);
    const filter = logFilterParams(url.searchParams);
    if (!backend) throw new HttpError(503, NOT_READY);
    return (ws) => streamLogs(ws, backend.logs, { since, filter, pace: s.opts.pace });
  }
  const objects = /^\/ws\/objects\/([^/]+)$/.exec(url.pathname);
  if (objects) {
    if (!backend) throw new HttpError(503, NOT_READY);
    const kind = resolveKind(backend, decodeURIComponent(objects[1]));
    return (ws) => streamObjects(ws, backend, kind, s.opts.pace);
  }
  throw new HttpError(404, `no such websocket: ${url.pathname}`);
}

function onUpgrade(s: Served, req: http.IncomingMessage, socket: Socket, head: Buffer): void {
  const refuse = (status: number, message: string) => {
    socket.once('finish', () => socket.destroy());
    socket.end(refuseUpgrade(status, message));
  };
  const refusal = s.guard.checkSite(req) ?? s.guard.checkToken(req);
  if (refusal) return refuse(refusal.status, refusal.message);
  let start: (ws: WebSocket) => void;
  try {
    start = socketFor(s, pathOf(req));
  } catch (e) {
    return refuse(e instanceof HttpError ? e.status : 500, (e as Error).message);
  }
  s.sockets.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => ws.terminate());
    start(ws);
  });
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = newToken();
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ServerPortError(opts.port, err) : err),
    );
    server.listen(opts.port, bindAddress(opts.host), () => resolve());
  });
  // Handlers go on once bound: the guard needs the port. No request is read before they are on.
  const port = (server.address() as AddressInfo).port;
  const guard = createGuard({ host: opts.host, port, token });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const views = new ViewHub(opts.pace);
  const served: Served = {
    opts,
    guard,
    serveStatic: createStatic(opts.webRoot ?? defaultWebRoot(), guard.cookie),
    views,
    sockets,
  };
  server.on('request', (req, res) => onRequest(served, req, res));
  server.on('upgrade', (req, socket: Socket, head: Buffer) => onUpgrade(served, req, socket, head));
  const url = `http://${shownHost(opts.host)}:${port}/`;

  const stop = () =>
    new Promise<void>((resolve) => {
      views.close();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      server.close(() => resolve());
    });

  try {
    writeServerInfo({ token, port, host: opts.host, pid: process.pid, url }, opts.tokenDir);
  } catch (e) {
    await stop();
    throw new Error(`cannot write the API token file: ${(e as Error).message}`, { cause: e });
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    token,
    close: () =>
      (closed ??= (async () => {
        removeServerInfo(port, token, opts.tokenDir);
        await stop();
      })()),
  };
}
