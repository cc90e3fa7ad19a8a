// The engine's event stream, filtered to the project's containers: how the
// runtime learns that a container started, exited or was removed, without ever
// polling. A broken stream is reopened from where it stopped.

import type Docker from 'dockerode';
import { labelFilters } from './labels.js';

export interface ContainerEvent {
  /** `start`, `die`, `destroy`, `oom`. */
  action: string;
  id: string;
  /** ms since the epoch. */
  time: number;
  attributes: Record<string, string>;
}

export interface EventStreamOptions {
  onEvent: (ev: ContainerEvent) => void;
  /** The stream was reopened after a break: events in between may be missing. */
  onReconnect?: () => void;
  /** Reopening failed; `retryInMs` until the next attempt. */
  onError?: (err: unknown, retryInMs: number) => void;
}

const WATCHED_ACTIONS = ['start', 'die', 'destroy', 'oom'];
const MAX_RETRY_MS = 30_000;

export class ContainerEventStream {
  private stream: NodeJS.ReadableStream | undefined;
  private abort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = 500;
  private closed = false;
  /** Seconds since the epoch of the last event seen, to reopen from there. */
  private lastEventSec: number | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly project: string,
    private readonly opts: EventStreamOptions,
  ) {}

  /** Resolves once the stream is open: events from then on are delivered. */
  async open(): Promise<void> {
    await this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.abort?.abort();
    const s = this.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    s?.destroy?.();
    this.stream = undefined;
  }

  private async connect(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const options: Docker.GetEventsOptions & { abortSignal?: AbortSignal } = {
      filters: {
        type: ['container'],
        label: labelFilters(this.project),
        event: WATCHED_ACTIONS,
      },
      abortSignal: abort.signal,
    };
    if (this.lastEventSec !== undefined) options.since = this.lastEventSec;
    const stream = await this.docker.getEvents(options);
    if (this.closed) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      return;
    }
    this.stream = stream;
    this.retryMs = 500;
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) this.dispatch(line);
      }
    });
    const broken = () => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.scheduleReconnect();
    };
    stream.on('end', broken);
    stream.on('close', broken);
    stream.on('error', broken);
  }

  private dispatch(line: string): void {
    let raw: {
      Action?: string;
      status?: string;
      id?: string;
      Actor?: { ID?: string; Attributes?: Record<string, string> };
      time?: number;
      timeNano?: number;
    };
    try {
      raw = JSON.parse(line) as typeof raw;
    } catch {
      return;
    }
    const action = raw.Action ?? raw.status ?? '';
    const id = raw.Actor?.ID ?? raw.id ?? '';
    if (!id || !action) return;
    if (raw.time !== undefined) this.lastEventSec = raw.time;
    const time = raw.timeNano !== undefined ? raw.timeNano / 1e6 : (raw.time ?? 0) * 1000;
    this.opts.onEvent({ action, id, time, attributes: raw.Actor?.Attributes ?? {} });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed) return;
      this.connect().then(
        () => {
          if (!this.closed) this.opts.onReconnect?.();
        },
        (err: unknown) => {
          this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
          this.opts.onError?.(err, this.retryMs);
          this.scheduleReconnect();
        },
      );
    }, delay);
  }
}
