// The CLI's side of a running tilt's API: requests carry the instance's token
// (read from the file the server writes for the same port), and a tilt that
// is not there gets one clear message instead of a stack of socket errors.

import WebSocket from 'ws';
import { TOKEN_HEADER } from '../api/types.js';
import { readServerInfo } from '../server/token.js';

export interface ClientOptions {
  host: string;
  port: number;
  /** Where the server's token files are (tests); the user's tilt config directory otherwise. */
  tokenDir?: string;
}

/** Nothing answers at the address: no tilt is running there. */
export class TiltNotRunningError extends Error {
  constructor(url: string, reason: string) {
    super(
      `No tilt is running at ${url} (${reason}).\n` +
        'Start one with `tilt up`, or reach another with --host/--port (TILT_HOST/TILT_PORT).',
    );
    this.name = 'TiltNotRunningError';
  }
}

/** The running tilt refused a request; the message is its answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class TiltClient {
  readonly base: string;

  constructor(private readonly opts: ClientOptions) {
    this.base = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  }

  private tokenHeaders?: Record<string, string>;

  /** The token header, read from the server's file once per client. */
  private headers(): Record<string, string> {
    if (!this.tokenHeaders) {
      const info = readServerInfo(this.opts.port, this.opts.tokenDir);
      this.tokenHeaders = info ? { [TOKEN_HEADER]: info.token } : {};
    }
    return this.tokenHeaders;
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          ...this.headers(),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw notRunning(this.base, e);
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = { error: text };
    }
    if (!res.ok) {
      const error = (data as { error?: unknown }).error;
      throw new ApiError(res.status, typeof error === 'string' ? error : `HTTP ${res.status}`);
    }
    return data as T;
  }

  /**
   * A websocket to `path`, its messages to `onMessage` from the first (which
   * may arrive with the handshake); rejects as requests do when it cannot open.
   */
  websocket(path: string, onMessage: (text: string) => void): Promise<WebSocket> {
    const url = this.base.replace(/^http/, 'ws') + path;
    const ws = new WebSocket(url, { headers: this.headers() });
    ws.on('message', (data) => onMessage(String(data)));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          ws.terminate();
          let message = `websocket ${path}: HTTP ${res.statusCode}`;
          try {
            const error = (JSON.parse(body) as { error?: unknown }).error;
            if (typeof error === 'string') message = error;
          } catch {
            // not JSON: the status says enough
          }
          reject(new ApiError(res.statusCode ?? 0, message));
        });
      });
      ws.once('error', (e) => reject(notRunning(this.base, e)));
    });
  }
}

function notRunning(url: string, e: unknown): Error {
  const cause = (e as { cause?: { code?: string } }).cause ?? (e as { code?: string });
  const code = cause?.code;
  if (code === 'ECONNREFUSED') return new TiltNotRunningError(url, 'connection refused');
  if (code === 'ENOTFOUND') return new TiltNotRunningError(url, 'no such host');
  return new TiltNotRunningError(url, (e as Error).message);
}
