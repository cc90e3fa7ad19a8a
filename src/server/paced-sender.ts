// Sending to one websocket client: changes are coalesced into at most one
// message per interval, and nothing is composed while the client is behind
// (its socket holds more than a high-water mark), so a slow or stalled page
// costs one pending message, not an ever-growing queue. Timers run only
// while something is pending.

import WebSocket from 'ws';

export const PACE_MS = 50;
export const HIGH_WATER_BYTES = 1 << 20;

export interface PaceOptions {
  intervalMs?: number;
  highWaterBytes?: number;
}

export class PacedSender {
  private readonly intervalMs: number;
  private readonly highWater: number;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = -Infinity;
  private dirty = false;
  private blocked = false;
  private closed = false;

  /**
   * `compose` builds the next message from what changed since the previous one (and records
   * what it sent); it returns undefined when there is nothing to tell.
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly compose: () => string | undefined,
    opts: PaceOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? PACE_MS;
    this.highWater = opts.highWaterBytes ?? HIGH_WATER_BYTES;
  }

  /** Sends `message` now (the first one, which nothing precedes). */
  sendNow(message: string): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    this.lastSent = Date.now();
    this.ws.send(message, (err) => this.written(err));
  }

  /** Something changed: a message follows within the interval, or once the client catches up. */
  wake(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer || this.blocked) return;
    const delay = Math.max(0, this.lastSent + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), delay);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.highWater) {
      // Every buffered byte belongs to a send whose callback is still to come; the last of them
      // unblocks.
      this.blocked = true;
      return;
    }
    this.dirty = false;
    const message = this.compose();
    if (message === undefined) return;
    this.sendNow(message);
  }

  private written(err: Error | undefined): void {
    if (err || this.closed || !this.blocked) return;
    if (this.ws.bufferedAmount > this.highWater) return;
    this.blocked = false;
    if (this.dirty) {
      this.dirty = false;
      this.wake();
    }
  }
}

/**
 * A websocket fed from one source: `first` at once, then whatever `compose`
 * makes of the changes `subscribe` reports, paced. Stops (and unsubscribes)
 * when the socket closes; returns the stop.
 */
export function pacedStream(
  ws: WebSocket,
  o: {
    first: string;
    compose: () => string | undefined;
    subscribe: (wake: () => void) => () => void;
    pace?: PaceOptions;
  },
): () => void {
  const sender = new PacedSender(ws, o.compose, o.pace);
  const unsubscribe = o.subscribe(() => sender.wake());
  sender.sendNow(o.first);
  const stop = () => {
    sender.close();
    unsubscribe();
  };
  ws.on('close', stop);
  return stop;
}
