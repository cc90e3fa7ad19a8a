// The HTTP API under /api: reads of the view, logs and objects, and the
// requests that change things. Each route gets a ready backend; the server
// has already checked who is asking.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  EnableRequest,
  Snapshot,
  TriggerMode,
  TriggerModeRequest,
  TriggerRequest,
} from '../api/types.js';
import { RequestError, type ApiBackend } from './backend.js';
import { logFilterParams, sinceParam } from './log-query.js';
import { getObject, knownKinds, listObjects, resolveKind } from './objects.js';
import { HttpError, readJson, sendError, sendJson } from './reply.js';
import { buildView, logChunk } from './view.js';

interface RouteContext {
  backend: ApiBackend;
  req: IncomingMessage;
  url: URL;
  /** The path's captures, decoded. */
  params: string[];
}

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  handle(ctx: RouteContext): unknown;
}

const DONE = {};

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function field<T>(body: unknown, name: string, check: (v: unknown) => v is T, what: string): T {
  const v =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)[name]
      : undefined;
  if (!check(v)) throw new HttpError(400, `${name} must be ${what}`);
  return v;
}

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isNumber = (v: unknown): v is number => typeof v === 'number';

/** Tilt's trigger mode numbers: 0 auto, 1 manual with auto-init, 2 manual, 3 auto with manual init. */
export function triggerModeOf(n: number): TriggerMode {
  if (n === 0 || n === 3) return 'auto';
  if (n === 1 || n === 2) return 'manual';
  throw new HttpError(400, `trigger_mode must be 0, 1, 2 or 3, not ${n}`);
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/view$/,
    handle: ({ backend, url }) => buildView(backend, sinceParam(url.searchParams)),
  },
  {
    method: 'GET',
    path: /^\/api\/logs$/,
    handle: ({ backend, url }) =>
      logChunk(backend.logs, sinceParam(url.searchParams), logFilterParams(url.searchParams)),
  },
  {
    method: 'GET',
    path: /^\/api\/snapshot$/,
    handle: ({ backend }): Snapshot => ({
      view: buildView(backend, 0),
      createdAt: new Date().toISOString(),
    }),
  },
  {
    method: 'GET',
    path: /^\/api\/objects$/,
    handle: ({ backend }) => ({ kinds: knownKinds(backend) }),
  },
  {
    method: 'GET',
    path: /^\/api\/objects\/([^/]+)$/,
    handle: ({ backend, params: [kind] }) => ({
      items: listObjects(backend, resolveKind(backend, kind)),
    }),
  },
  {
    method: 'GET',
    // Names may hold slashes (image refs), so the rest of the path is the name.
    path: /^\/api\/objects\/([^/]+)\/(.+)$/,
    handle: ({ backend, params: [kind, name] }) =>
      getObject(backend, resolveKind(backend, kind), name),
  },
  {
    method: 'POST',
    path: /^\/api\/trigger$/,
    handle: async ({ backend, req }) => {
      const body = (await readJson(req)) as TriggerRequest;
      const names = field(body, 'manifest_names', isStringArray, 'an array of strings');
      await backend.trigger(names);
      return DONE;
    },
  },
  {
    method: 'POST',
    path: /^\/api\/override\/trigger_mode$/,
    handle: async ({ backend, req }) => {
      const body = (await readJson(req)) as TriggerModeRequest;
      const names = field(body, 'manifest_names', isStringArray, 'an array of strings');
      const mode = triggerModeOf(field(body, 'trigger_mode', isNumber, 'a number'));
      await backend.setTriggerMode(names, mode);
      return DONE;
    },
  },
  {
    method: 'POST',
    path: /^\/api\/set_tiltfile_args$/,
    handle: async ({ backend, req }) => {
      const args = await readJson(req);
      if (!isStringArray(args)) throw new HttpError(400, 'the body must be an array of strings');
      await backend.setArgs(args);
      return DONE;
    },
  },
  {
    method: 'POST',
    path: /^\/api\/enable$/,
    handle: async ({ backend, req }) => {
      const body = (await readJson(req)) as EnableRequest;
      const names = field(body, 'manifest_names', isStringArray, 'an array of strings');
      const enable = field(body, 'enable', isBoolean, 'true or false');
      await backend.setEnabled(names, enable);
      return DONE;
    },
  },
];

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `bad escape in path: ${s}`);
  }
}

/** Answers a request under /api (already checked: site and token). */
export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  backend: ApiBackend | undefined,
): Promise<void> {
  try {
    const matching = ROUTES.map((r) => ({ r, m: r.path.exec(url.pathname) })).filter((x) => x.m);
    if (matching.length === 0) throw new HttpError(404, `no such API: ${url.pathname}`);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const hit = matching.find((x) => x.r.method === method);
    if (!hit) {
      const allow = [...new Set(matching.map((x) => x.r.method))].join(', ');
      throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`, { allow });
    }
    if (!backend) throw new HttpError(503, 'tilt is starting: the engine is not ready yet');
    const params = hit.m!.slice(1).map((p) => (p === undefined ? '' : decode(p)));
    const body = await hit.r.handle({ backend, req, url, params });
    sendJson(res, 200, body);
  } catch (e) {
    if (e instanceof HttpError) sendError(res, e.status, e.message, e.headers);
    else if (e instanceof RequestError) sendError(res, e.status, e.message);
    else sendError(res, 500, (e as Error).message ?? String(e));
  }
}
