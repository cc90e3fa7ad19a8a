// The HTTP server of `tilt up` on localhost:10350. For now it serves the
// engine's view as JSON at /api/view; the web UI (issue 7) builds on it.
// Binding it first also keeps a second `tilt up` from running on the same port.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
  port: number;
  /** The current view of every resource, as JSON-ready data. */
  view: () => unknown;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/api/view') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(opts.view()));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ServerPortError(opts.port, err) : err),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = opts.host === '127.0.0.1' || opts.host === '0.0.0.0' ? 'localhost' : opts.host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
