// The one websocket to /ws/view and the state it feeds. Deltas are queued and applied once per
// animation frame, so a burst of them costs one render; the first view is applied at once.
// Resource state and logs have separate subscriptions, so log lines never re-render the
// overview, and log segments are stored in slices of a few milliseconds: the resources of a
// view with 200,000 lines show before its logs are stored, and the page never freezes.

import type { LogSegmentJSON, ViewMessage } from '../../src/api/types.js';
import { LogStore } from './log-store.js';
import { INITIAL_STATE, applyMessage, type ViewState } from './view-state.js';

export type { ViewState } from './view-state.js';

export interface ConnectionOptions {
  /** ws:// URL of /ws/view. */
  url: string;
  /** Called before reconnecting after a failure (to renew the token cookie). */
  beforeReconnect?: () => Promise<void>;
  logs?: LogStore;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;
/** Hidden tabs get no animation frames; apply queued messages this often anyway. */
const HIDDEN_FLUSH_MS = 250;
/** Longest stretch of log storing before the page gets a turn. */
const SLICE_MS = 12;
/** Segments stored between looks at the clock. */
const SLICE_SEGMENTS = 2000;

type LogWork = { segments: readonly LogSegmentJSON[] } | 'reset';

export class Connection {
  readonly logs: LogStore;
  private state: ViewState = INITIAL_STATE;
  private queue: ViewMessage[] = [];
  private scheduled = false;
  private readonly listeners = new Set<() => void>();
  private readonly logListeners = new Set<() => void>();
  private logVersion = 0;
  /** Log segments received and not yet stored, in order; `logPos` is how far into the first. */
  private logWork: LogWork[] = [];
  private logPos = 0;
  private ingesting = false;
  /** Highest segment index received (stored or not), to tell a restarted tilt. */
  private receivedIndex = 0;
  private readonly yielder = new MessageChannel();
  private ws: WebSocket | undefined;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;

  constructor(private readonly opts: ConnectionOptions) {
    this.logs = opts.logs ?? new LogStore();
    this.yielder.port1.onmessage = this.ingest;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close();
    this.ws = undefined;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): ViewState => this.state;

  readonly subscribeLogs = (listener: () => void): (() => void) => {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  };

  /** Changes whenever the log store does (at most once per slice of storing). */
  readonly getLogVersion = (): number => this.logVersion;

  private connect(): void {
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState({ ...this.state, status: 'open' });
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      const msg = JSON.parse(e.data) as ViewMessage;
      this.queue.push(msg);
      if (msg.type === 'view') {
        this.scheduled = true;
        this.flush();
      } else {
        this.schedule();
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.state.status !== 'closed') this.setState({ ...this.state, status: 'closed' });
      if (!this.stopped) this.retry();
    };
  }

  private retry(): void {
    const backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt);
    const delay = backoff * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.timer = window.setTimeout(() => {
      const before = this.attempt > 1 && this.opts.beforeReconnect;
      void (before ? before().catch(() => undefined) : Promise.resolve()).then(() => {
        if (!this.stopped) this.connect();
      });
    }, delay);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(this.flush);
    if (document.hidden) window.setTimeout(this.flush, HIDDEN_FLUSH_MS);
  }

  private readonly flush = (): void => {
    if (!this.scheduled) return;
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    let state = this.state;
    for (const msg of queue) {
      const chunk = msg.type === 'view' ? msg.view.logs : msg.logs;
      if (msg.type === 'view') {
        // Another tilt (or a restarted one) answered: its log indexes start over.
        const restarted =
          state.session !== null &&
          state.session.status.tiltStartTime !== msg.view.session.status.tiltStartTime;
        if (restarted || chunk.checkpoint < this.receivedIndex) {
          this.logWork.push('reset');
          this.receivedIndex = 0;
        }
      }
      if (chunk.segments.length > 0) {
        this.logWork.push({ segments: chunk.segments });
        this.receivedIndex = Math.max(this.receivedIndex, chunk.segments.at(-1)!.index);
      }
      state = applyMessage(state, msg);
    }
    if (state !== this.state) this.setState(state);
    if (this.logWork.length > 0 && !this.ingesting) {
      this.ingesting = true;
      // After the resources render.
      this.yielder.port2.postMessage(null);
    }
  };

  /** Stores queued log segments for one slice of time, then yields to the page if more remain. */
  private readonly ingest = (): void => {
    const deadline = performance.now() + SLICE_MS;
    let changed = false;
    while (this.logWork.length > 0) {
      const work = this.logWork[0];
      if (work === 'reset') {
        this.logs.reset();
        changed = true;
        this.logWork.shift();
        continue;
      }
      const end = Math.min(work.segments.length, this.logPos + SLICE_SEGMENTS);
      if (this.logs.append(work.segments, this.logPos, end)) changed = true;
      this.logPos = end;
      if (end === work.segments.length) {
        this.logWork.shift();
        this.logPos = 0;
      }
      if (performance.now() >= deadline) break;
    }
    if (changed) {
      this.logVersion++;
      for (const l of [...this.logListeners]) l();
    }
    if (this.logWork.length > 0) this.yielder.port2.postMessage(null);
    else this.ingesting = false;
  };

  private setState(state: ViewState): void {
    this.state = state;
    for (const l of [...this.listeners]) l();
  }
}

/** The websocket URL of the page's own server. */
export function viewSocketUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws/view`;
}
