// Readiness probes of a serve_cmd: probe() with exec_action(), http_get_action()
// or tcp_socket_action(), run the way Tilt's probe worker (a simplified
// kubelet prober) runs them.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type {
  ExecActionSpec,
  HTTPGetActionSpec,
  ProbeSpec,
  TCPSocketActionSpec,
} from '../../tiltfile/builtins/settings-values.js';
import { CmdError, spawnGroup } from './command.js';
import { killGroupQuietly, track, untrack, type GroupOwner } from './process-group.js';

/**
 * `unknown` until a threshold is first crossed (and again once stopped): not
 * ready, as far as whoever waits on readiness is concerned. Then `ready` after
 * success_threshold consecutive successes, `not-ready` after failure_threshold
 * consecutive failures.
 */
export type ProbeStatus = 'unknown' | 'ready' | 'not-ready';

/** The outcome of one probe execution. */
export interface ProbeResult {
  success: boolean;
  /** Why it failed (or the redirect it stopped at); empty on a plain success. */
  message: string;
}

export interface ProbeUpdate {
  result: ProbeResult;
  /** The status after this result. */
  status: ProbeStatus;
  /** Whether this result changed the status. */
  changed: boolean;
}

export interface ProbeOptions {
  /** After each probe execution. */
  onResult?: (update: ProbeUpdate) => void;
  /** When the status changes. */
  onStatusChange?: (status: ProbeStatus, result: ProbeResult) => void;
  /** Working directory of exec probes; tilt's own by default (as in Tilt). */
  dir?: string;
  /** Variables set over tilt's environment for exec probes. */
  env?: Record<string, string>;
}

export interface ProbeHandle {
  readonly status: ProbeStatus;
  readonly stopped: boolean;
  /** Stops probing: clears the timer and abandons (kills) a probe in flight. No callback follows. */
  stop(): void;
}

/** Kubernetes' (and Tilt's) defaults for timing fields left at 0. */
const DEFAULT_TIMEOUT_SECS = 1;
const DEFAULT_PERIOD_SECS = 10;
const DEFAULT_SUCCESS_THRESHOLD = 1;
const DEFAULT_FAILURE_THRESHOLD = 3;

/** How much of a probe's output (exec) or response body (http) is read. */
const MAX_READ = 10 * 1024;
const MAX_REDIRECTS = 10;

type Action =
  | { kind: 'exec'; command: string[] }
  | { kind: 'http'; url: URL }
  | { kind: 'tcp'; host: string; port: number };

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`port number out of range: ${port}`);
  }
  return port;
}

/** Brackets an IPv6 literal, as Go's net.JoinHostPort does. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The URL an http_get_action probes: host defaults to localhost, scheme to http. */
export function httpProbeURL(spec: HTTPGetActionSpec): URL {
  const port = checkPort(spec.port);
  const scheme = (spec.scheme || 'http').toLowerCase();
  const host = spec.host || 'localhost';
  let path = spec.path || '/';
  if (!path.startsWith('/')) path = '/' + path;
  return new URL(`${scheme}://${joinHostPort(host, port)}${path}`);
}

/** The action of a probe, checked as Tilt checks it when it makes the worker. */
function actionOf(spec: ProbeSpec): Action {
  const given = [spec.exec, spec.httpGet, spec.tcpSocket].filter((a) => a !== undefined);
  if (given.length !== 1) throw new Error('unsupported probe type');
  if (spec.exec) return execAction(spec.exec);
  if (spec.httpGet) return { kind: 'http', url: httpProbeURL(spec.httpGet) };
  return tcpAction(spec.tcpSocket!);
}

function execAction(spec: ExecActionSpec): Action {
  if (spec.command.length === 0) throw new Error('exec probe: empty command');
  return { kind: 'exec', command: [...spec.command] };
}

function tcpAction(spec: TCPSocketActionSpec): Action {
  return { kind: 'tcp', host: spec.host || 'localhost', port: checkPort(spec.port) };
}

const positive = (v: number, dflt: number) => (v > 0 ? v : dflt);

/**
 * Runs a probe: after initial_delay_secs, then every period_secs (measured
 * from the start of the previous probe; one probe at a time — a slow probe
 * delays the next rather than overlapping it), each probe failing when it
 * takes more than timeout_secs. Throws for a probe with no action or a port
 * out of range.
 */
export function startProbe(spec: ProbeSpec, opts: ProbeOptions = {}): ProbeHandle {
  return new ProbeWorker(actionOf(spec), spec, opts);
}

class ProbeWorker implements ProbeHandle {
  status: ProbeStatus = 'unknown';
  stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private inflight: AbortController | undefined;
  private lastSuccess: boolean | undefined;
  private run = 0;
  private readonly timeoutMs: number;
  private readonly periodMs: number;
  private readonly successThreshold: number;
  private readonly failureThreshold: number;

  constructor(
    private readonly action: Action,
    spec: ProbeSpec,
    private readonly opts: ProbeOptions,
  ) {
    this.timeoutMs = positive(spec.timeoutSecs, DEFAULT_TIMEOUT_SECS) * 1000;
    this.periodMs = positive(spec.periodSecs, DEFAULT_PERIOD_SECS) * 1000;
    this.successThreshold = positive(spec.successThreshold, DEFAULT_SUCCESS_THRESHOLD);
    this.failureThreshold = positive(spec.failureThreshold, DEFAULT_FAILURE_THRESHOLD);
    this.schedule(Math.max(0, spec.initialDelaySecs) * 1000);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.inflight?.abort();
    this.inflight = undefined;
    this.status = 'unknown';
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const started = Date.now();
    const ac = new AbortController();
    this.inflight = ac;
    const result = await runAction(this.action, {
      timeoutMs: this.timeoutMs,
      signal: ac.signal,
      dir: this.opts.dir,
      env: this.opts.env,
    });
    if (this.stopped) return;
    this.inflight = undefined;
    // Scheduled before the callbacks run, so that one that throws does not end the probing.
    this.schedule(Math.max(0, started + this.periodMs - Date.now()));
    this.handle(result);
  }

  /** Tilt's handleResult: count runs of the same result; change status when a threshold is met. */
  private handle(result: ProbeResult): void {
    if (this.lastSuccess === result.success) {
      this.run++;
    } else {
      this.lastSuccess = result.success;
      this.run = 1;
    }
    const threshold = result.success ? this.successThreshold : this.failureThreshold;
    const next: ProbeStatus = result.success ? 'ready' : 'not-ready';
    const changed = this.run >= threshold && this.status !== next;
    if (changed) {
      this.status = next;
      this.opts.onStatusChange?.(next, result);
    }
    if (!this.stopped) this.opts.onResult?.({ result, status: this.status, changed });
  }
}

export interface RunProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  dir?: string;
  env?: Record<string, string>;
}

/** Runs a probe's action once, within the probe's timeout. Never rejects. */
export function probeOnce(spec: ProbeSpec, opts: RunProbeOptions): Promise<ProbeResult> {
  let action: Action;
  try {
    action = actionOf(spec);
  } catch (e) {
    return Promise.resolve({ success: false, message: (e as Error).message });
  }
  return runAction(action, opts);
}

async function runAction(action: Action, opts: RunProbeOptions): Promise<ProbeResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs);
  const onOuterAbort = () => ac.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) ac.abort();
  try {
    let result: ProbeResult;
    switch (action.kind) {
      case 'exec':
        result = await execProbe(action.command, ac.signal, opts);
        break;
      case 'http':
        result = await httpProbe(action.url, ac.signal);
        break;
      case 'tcp':
        result = await tcpProbe(action.host, action.port, ac.signal);
        break;
    }
    if (ac.signal.aborted && !opts.signal?.aborted) {
      return { success: false, message: `probe timed out after ${opts.timeoutMs / 1000}s` };
    }
    return result;
  } catch (e) {
    return { success: false, message: (e as Error).message };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Resolves when the signal aborts. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** exec_action: the command (argv, no shell) in a group of its own; exit code 0 is success. */
async function execProbe(
  command: string[],
  signal: AbortSignal,
  opts: RunProbeOptions,
): Promise<ProbeResult> {
  let spawned;
  try {
    spawned = await spawnGroup(command, { dir: opts.dir, env: opts.env });
  } catch (e) {
    return { success: false, message: e instanceof CmdError ? e.message : String(e) };
  }
  const { child, pid, exited } = spawned;
  const kill = () => killGroupQuietly(pid);
  const owner: GroupOwner = { dispose: async () => kill(), killNow: kill };
  track(owner);
  try {
    const out: Buffer[] = [];
    let size = 0;
    const collect = (b: Buffer) => {
      if (size < MAX_READ) out.push(b);
      size += b.length;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    // Like Go's Cmd.Wait: done when the process has exited and its output is closed.
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const aborted = whenAborted(signal);
    const done = await Promise.race([closed.then(() => true), aborted.then(() => false)]);
    if (!done) {
      kill();
      child.stdout.destroy();
      child.stderr.destroy();
      return { success: false, message: 'probe canceled' };
    }
    const { exitCode, signal: sig } = await exited;
    if (exitCode === 0) return { success: true, message: '' };
    const output = Buffer.concat(out).subarray(0, MAX_READ).toString('utf8').trimEnd();
    const how = exitCode !== null ? `exit code ${exitCode}` : `signal ${sig}`;
    return { success: false, message: output ? `${how}: ${output}` : how };
  } finally {
    untrack(owner);
  }
}

/** http_get_action: a GET; 2xx and 3xx succeed. Redirects to the same host are followed. */
async function httpProbe(url: URL, signal: AbortSignal): Promise<ProbeResult> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    let res: { status: number; location: string | undefined };
    try {
      res = await get(current, signal);
    } catch (e) {
      return { success: false, message: `Get ${JSON.stringify(current.href)}: ${errText(e)}` };
    }
    const { status, location } = res;
    if ([301, 302, 303, 307, 308].includes(status) && location !== undefined) {
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return { success: true, message: `redirect to an invalid URL: ${location}` };
      }
      // Like kubelet: a redirect to another host is not followed, and counts as success.
      if (next.hostname !== url.hostname) {
        return { success: true, message: `probe terminated redirects, response: ${status}` };
      }
      if (redirects + 1 >= MAX_REDIRECTS) {
        return {
          success: false,
          message: `Get ${JSON.stringify(next.href)}: stopped after ${MAX_REDIRECTS} redirects`,
        };
      }
      current = next;
      continue;
    }
    if (status >= 200 && status < 400) {
      return { success: true, message: status >= 300 ? `redirect response: ${status}` : '' };
    }
    return { success: false, message: `HTTP probe failed with statuscode: ${status}` };
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One GET without keep-alive, proxy or certificate checks; reads at most MAX_READ of the body. */
function get(
  url: URL,
  signal: AbortSignal,
): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: 'GET',
        agent: false,
        signal,
        rejectUnauthorized: false,
        headers: { 'User-Agent': 'tilt-probe/0.1', Accept: '*/*' },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        let read = 0;
        const finish = () => {
          res.destroy();
          resolve({ status, location });
        };
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= MAX_READ) finish();
        });
        res.once('end', finish);
        res.once('error', finish);
        res.once('close', finish);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** tcp_socket_action: success when a connection opens. */
function tcpProbe(host: string, port: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const address = joinHostPort(host, port);
    const socket = connect({ host, port });
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => done({ success: false, message: `dial tcp ${address}: canceled` });
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    socket.once('connect', () => done({ success: true, message: '' }));
    socket.once('error', (e) =>
      done({ success: false, message: `dial tcp ${address}: ${e.message}` }),
    );
  });
}
