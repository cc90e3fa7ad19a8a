// Who may talk to a running tilt. The Host header must name this server (a
// page of another site that rebinds its DNS name to 127.0.0.1 sends its own
// name), an Origin must be this server (cross-site POSTs and websockets), and
// the API needs the token: the CLI reads it from the token file, the page gets
// it as a SameSite=Strict cookie that other sites cannot make the browser send.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { tokenCookie, TOKEN_HEADER } from '../api/types.js';

export type Refusal = { status: 401 | 403; message: string };

export interface Guard {
  /** Why a request may not go further, whatever it asks for; undefined when it may. */
  checkSite(req: IncomingMessage): Refusal | undefined;
  /** Why an API or websocket request may not go further; undefined when it carries the token. */
  checkToken(req: IncomingMessage): Refusal | undefined;
  /** The Set-Cookie value that hands the token to the page. */
  readonly cookie: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** `host:port` as it appears in a Host header (IPv6 literals in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`.toLowerCase();
}

export function createGuard(opts: { host: string; port: number; token: string }): Guard {
  const { port, token } = opts;
  const allowed = new Set(
    ['localhost', '127.0.0.1', '::1', opts.host].map((h) => hostPort(h, port)),
  );
  // Bound to every interface, the server is also reached by the machine's addresses; an IP
  // literal in Host cannot come from a rebound DNS name.
  const anyIp = WILDCARDS.has(opts.host);
  const isAllowedHost = (h: string): boolean => {
    const v = h.toLowerCase();
    if (allowed.has(v)) return true;
    if (!anyIp || !v.endsWith(`:${port}`)) return false;
    const name = v.slice(0, -`:${port}`.length);
    return (
      isIP(name) === 4 ||
      (name.startsWith('[') && name.endsWith(']') && isIP(name.slice(1, -1)) === 6)
    );
  };
  const cookieName = tokenCookie(port);
  const expected = Buffer.from(token);
  const matches = (given: string | undefined): boolean => {
    if (given === undefined) return false;
    const b = Buffer.from(given);
    return b.length === expected.length && timingSafeEqual(b, expected);
  };

  return {
    cookie: `${cookieName}=${token}; Path=/; SameSite=Strict; HttpOnly`,
    checkSite(req) {
      const host = req.headers.host;
      if (!host || !isAllowedHost(host)) {
        return {
          status: 403,
          message: `forbidden: Host ${JSON.stringify(host ?? '')} is not this server`,
        };
      }
      const origin = req.headers.origin;
      if (origin !== undefined) {
        const ok = origin.toLowerCase().startsWith('http://') && isAllowedHost(origin.slice(7));
        if (!ok)
          return {
            status: 403,
            message: `forbidden: Origin ${JSON.stringify(origin)} is not this server`,
          };
      }
      return undefined;
    },
    checkToken(req) {
      const header = req.headers[TOKEN_HEADER];
      const given = typeof header === 'string' ? header : undefined;
      if (matches(given) || cookieValues(req.headers.cookie, cookieName).some(matches)) {
        return undefined;
      }
      const message =
        given !== undefined || cookieValues(req.headers.cookie, cookieName).length > 0
          ? 'unauthorized: wrong token'
          : `unauthorized: missing token (the ${TOKEN_HEADER} header or the ${cookieName} cookie)`;
      return { status: 401, message };
    },
  };
}

/** Every value of cookie `name` in a Cookie header (a browser may send several). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    out.push(part.slice(eq + 1).trim());
  }
  return out;
}
