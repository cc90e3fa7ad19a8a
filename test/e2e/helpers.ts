// Running `tilt up`, `tilt ci` and `tilt down` on temporary projects against
// the real Docker engine, and looking at them the way a user does: the
// terminal output, the view the web server serves, the forwarded ports, and
// the containers left behind.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TOKEN_HEADER, type View } from '../../src/api/types.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { projectName } from '../../src/engine/project.js';
import { readServerInfo } from '../../src/server/token.js';
import { dockerEngine, ensureBusyboxBase } from '../integration/fixtures.js';

/** The local base image the examples build FROM (scripts/busybox-image.sh makes it for users). */
export const EXAMPLE_BASE = 'tilt-example-busybox:latest';

const dirs: string[] = [];

/** A temporary project: a copy of `from` (if given) plus `files`. */
export function project(files: Record<string, string>, from?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilt-e2e-'));
  dirs.push(dir);
  if (from) cpSync(from, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

export const SEED_EXAMPLE = resolve('examples/seed');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => res(port));
    });
  });
}

function captureIO(): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false },
    out: () => out,
    err: () => err,
  };
}

/** A resource as the tests look at it: the fields of the served UIResource they check. */
export interface ResourceView {
  name: string;
  type: string;
  disabled: boolean;
  updateStatus: string;
  runtimeStatus: string;
  detail?: string;
  endpoints: string[];
  podName?: string;
}

export interface EngineView {
  resources: ResourceView[];
  tiltfileError: string | null;
}

/** The served View, flattened to what the tests read. */
export function flatView(v: View): EngineView {
  return {
    resources: v.resources.map((r) => ({
      name: r.metadata.name,
      type: r.status.type,
      disabled: r.status.disabled,
      updateStatus: r.status.updateStatus,
      runtimeStatus: r.status.runtimeStatus,
      detail: r.status.detail,
      endpoints: r.status.endpointLinks.map((l) => l.url),
      podName: r.status.podName,
    })),
    tiltfileError: v.session.status.tiltfileError,
  };
}

export interface RunningUp {
  dir: string;
  port: number;
  output: () => string;
  view: () => Promise<EngineView>;
  resource: (name: string) => Promise<ResourceView | undefined>;
  /** Polls the served view until `pred` holds. */
  until: (pred: (v: EngineView) => boolean, what: string, ms?: number) => Promise<EngineView>;
  /** Ctrl-C: resolves to the exit code. */
  stop: () => Promise<number>;
}

const running: RunningUp[] = [];

export async function up(dir: string, args: string[] = []): Promise<RunningUp> {
  await ensureBusyboxBase(await dockerEngine(), EXAMPLE_BASE);
  const port = await freePort();
  const abort = new AbortController();
  const { io, out, err } = captureIO();
  const exit = main(
    ['up', '-f', join(dir, 'Tiltfile'), '--port', String(port), '--stream', ...args],
    io,
    abort.signal,
  );
  const view = async () => JSON.parse(await get(`http://127.0.0.1:${port}/api/view`)) as EngineView;
  const r: RunningUp = {
    dir,
    port,
    output: () => out() + err(),
    view,
    resource: async (name) => (await view()).resources.find((x) => x.name === name),
    until: async (pred, what, ms = 60_000) => {
      const deadline = Date.now() + ms;
      let last: EngineView | undefined;
      for (;;) {
        try {
          last = await view();
          if (pred(last)) return last;
        } catch {
          // the server is not up yet
        }
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting until ${what}; view: ${JSON.stringify(last?.resources)}\noutput:\n${r.output()}`,
          );
        }
        await new Promise((res) => setTimeout(res, 200));
      }
    },
    stop: async () => {
      abort.abort();
      return exit;
    },
  };
  running.push(r);
  return r;
}

export async function ci(
  dir: string,
  args: string[] = [],
): Promise<{ code: number; out: string; err: string }> {
  await ensureBusyboxBase(await dockerEngine(), EXAMPLE_BASE);
  const { io, out, err } = captureIO();
  const code = await main(['ci', '-f', join(dir, 'Tiltfile'), '--port', '0', ...args], io);
  return { code, out: out(), err: err() };
}

export async function down(
  dir: string,
  args: string[] = [],
): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = captureIO();
  const code = await main(['down', '-f', join(dir, 'Tiltfile'), ...args], io);
  return { code, out: out(), err: err() };
}

/** Containers of the project of `dir`, running or not. */
export async function projectContainers(
  dir: string,
): Promise<{ id: string; name: string; state: string; resource: string }[]> {
  const engine = await dockerEngine();
  const list = await engine.docker.listContainers({
    all: true,
    filters: { label: [`dev.tilt.project=${projectName(join(dir, 'Tiltfile'))}`] },
  });
  return list.map((c) => ({
    id: c.Id,
    name: c.Names[0]?.replace(/^\//, '') ?? '',
    state: c.State,
    resource: c.Labels['dev.tilt.resource'] ?? '',
  }));
}

/**
 * The body at `url`. A tilt's API is asked with the token from its token file, and its
 * `/api/view` comes back flattened (flatView), as the tests read it.
 */
export async function get(url: string): Promise<string> {
  const u = new URL(url);
  if (!u.pathname.startsWith('/api/')) return fetchText(url, {});
  const info = readServerInfo(Number(u.port));
  const body = await fetchText(url, info ? { [TOKEN_HEADER]: info.token } : {});
  return u.pathname === '/api/view' ? JSON.stringify(flatView(JSON.parse(body) as View)) : body;
}

function fetchText(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((res, rej) => {
    const req = http.get(url, { timeout: 5000, headers }, (resp) => {
      let body = '';
      resp.setEncoding('utf8');
      resp.on('data', (c: string) => (body += c));
      resp.on('end', () =>
        resp.statusCode === 200
          ? res(body)
          : rej(new Error(`${url}: HTTP ${resp.statusCode}: ${body}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', rej);
  });
}

/** Polls `url` until its body satisfies `pred`. */
export async function untilServed(
  url: string,
  pred: (body: string) => boolean,
  what: string,
  ms = 60_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      last = await get(url);
      if (pred(last)) return last;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; last: ${last}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Stops every `tilt up` still running, takes its project down, and removes the directories. */
export async function cleanUp(): Promise<void> {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const dir of dirs.splice(0)) {
    await down(dir, ['--delete-volumes']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
