// Readiness probes of a pod's containers, run as the kubelet runs them: exec
// (docker exec in the container), httpGet and tcpSocket (to the pod's IP on the
// project network, reachable from the host), with Kubernetes' timing fields and
// defaults. A timer runs only while a container with a probe is running.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type Docker from 'dockerode';
import {
  childArray,
  childObject,
  childString,
  isJSONObject,
  type JSONObject,
} from '../../k8s/json.js';
import { FrameDemuxer } from './logs.js';

export interface ProbeResult {
  success: boolean;
  /** Why it failed; empty on success. */
  message: string;
}

/** What a probe acts on: the container (exec) and the pod's address. */
export interface ProbeTarget {
  container: Docker.Container;
  podIP(): string | undefined;
  /** A port named in the container's ports. */
  namedPort(name: string): number | undefined;
}

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** Kubernetes' defaults for fields left out (or 0). */
export function probeTiming(spec: JSONObject): ProbeTiming {
  const int = (field: string, dflt: number, min: number) => {
    const v = spec[field];
    return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : dflt;
  };
  return {
    initialDelayMs: int('initialDelaySeconds', 0, 0) * 1000,
    periodMs: int('periodSeconds', 10, 1) * 1000,
    timeoutMs: int('timeoutSeconds', 1, 1) * 1000,
    successThreshold: int('successThreshold', 1, 1),
    failureThreshold: int('failureThreshold', 3, 1),
  };
}

const MAX_OUTPUT = 10 * 1024;

/**
 * Probes until stopped: not ready at first; ready after `successThreshold`
 * successes in a row; not ready again after `failureThreshold` failures in a row.
 */
export class ReadinessProber {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ready = false;
  private lastSuccess: boolean | undefined;
  private run = 0;
  private readonly timing: ProbeTiming;

  constructor(
    private readonly spec: JSONObject,
    private readonly target: ProbeTarget,
    private readonly onResult: (ready: boolean, result: ProbeResult, changed: boolean) => void,
  ) {
    this.timing = probeTiming(spec);
  }

  start(): void {
    this.schedule(this.timing.initialDelayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const started = Date.now();
    const result = await runProbe(this.spec, this.target, this.timing.timeoutMs);
    if (this.stopped) return;
    this.schedule(Math.max(0, started + this.timing.periodMs - Date.now()));
    if (this.lastSuccess === result.success) this.run++;
    else {
      this.lastSuccess = result.success;
      this.run = 1;
    }
    const threshold = result.success ? this.timing.successThreshold : this.timing.failureThreshold;
    const changed = this.run >= threshold && this.ready !== result.success;
    if (changed) this.ready = result.success;
    this.onResult(this.ready, result, changed);
  }
}

/** Runs a probe's action once; never rejects. */
export async function runProbe(
  spec: JSONObject,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const exec = childObject(spec, 'exec');
    const http = childObject(spec, 'httpGet');
    const tcp = childObject(spec, 'tcpSocket');
    let result: ProbeResult;
    if (exec) {
      const command = (childArray(exec, 'command') ?? []).map(String);
      result = await execProbe(target.container, command, abort.signal);
    } else if (http) {
      result = await httpProbe(http, target, abort.signal);
    } else if (tcp) {
      result = await tcpProbe(tcp, target, abort.signal);
    } else {
      return { success: false, message: 'probe has no exec, httpGet or tcpSocket action' };
    }
    if (abort.signal.aborted) {
      return { success: false, message: `probe timed out after ${timeoutMs / 1000}s` };
    }
    return result;
  } catch (err) {
    if (abort.signal.aborted) {
      return { success: false, message: `probe timed out after ${timeoutMs / 1000}s` };
    }
    return { success: false, message: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

async function execProbe(
  container: Docker.Container,
  command: string[],
  signal: AbortSignal,
): Promise<ProbeResult> {
  if (command.length === 0) return { success: false, message: 'exec probe: empty command' };
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({
    abortSignal: signal,
  } as Docker.ExecStartOptions)) as NodeJS.ReadableStream;
  const output: Buffer[] = [];
  let size = 0;
  const demux = new FrameDemuxer((_kind, data) => {
    if (size < MAX_OUTPUT) output.push(data);
    size += data.length;
  });
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  if (signal.aborted) return { success: false, message: 'timed out' };
  const info = await exec.inspect();
  if (info.ExitCode === 0) return { success: true, message: '' };
  const text = Buffer.concat(output).subarray(0, MAX_OUTPUT).toString('utf8').trimEnd();
  const how = `command ${JSON.stringify(command)} exited with ${info.ExitCode ?? 'no exit code'}`;
  return { success: false, message: text ? `${how}: ${text}` : how };
}

function portOf(value: unknown, target: ProbeTarget): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string')
    return /^\d+$/.test(value) ? Number(value) : target.namedPort(value);
  return undefined;
}

/** Where an httpGet or tcpSocket probe connects, or the failure that says why it cannot. */
function addressOf(
  action: JSONObject,
  target: ProbeTarget,
): { host: string; port: number } | ProbeResult {
  const port = portOf(action.port, target);
  const host = childString(action, 'host') || target.podIP();
  if (port === undefined) return { success: false, message: `unknown port ${String(action.port)}` };
  if (!host) return { success: false, message: 'the pod has no IP address' };
  return { host, port };
}

async function httpProbe(
  action: JSONObject,
  target: ProbeTarget,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const address = addressOf(action, target);
  if ('success' in address) return address;
  const { host, port } = address;
  const scheme = (childString(action, 'scheme') || 'HTTP').toLowerCase();
  let path = childString(action, 'path') || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/tilt', Accept: '*/*' };
  for (const h of childArray(action, 'httpHeaders') ?? []) {
    if (isJSONObject(h) && childString(h, 'name'))
      headers[childString(h, 'name')] = childString(h, 'value');
  }
  const status = await new Promise<number>((resolve, reject) => {
    const request = scheme === 'https' ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: 'GET', agent: false, signal, headers, rejectUnauthorized: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
  // Like the kubelet: 2xx and 3xx are success, and redirects are not followed further.
  if (status >= 200 && status < 400) return { success: true, message: '' };
  return { success: false, message: `HTTP probe failed with statuscode: ${status}` };
}

function tcpProbe(
  action: JSONObject,
  target: ProbeTarget,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const address = addressOf(action, target);
  if ('success' in address) return Promise.resolve(address);
  const { host, port } = address;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () =>
      done({ success: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done({ success: true, message: '' }));
    socket.once('error', (e) =>
      done({ success: false, message: `dial tcp ${host}:${port}: ${e.message}` }),
    );
  });
}
