// Coalescing of one target's changed paths into batches: a batch is delivered once no new path
// has arrived for `quietMs` (more events for a pending path do not count), or `maxWaitMs` after its first path even if paths keep arriving.
// While the watcher still works on paths for the target (a walk of a new directory), a hold keeps
// the quiet period from ending the batch, so the walk's paths join it; the maximum wait still
// applies. Nothing runs while nothing is pending: the timers exist only between a batch's first
// path and its delivery.

export interface CoalescerOptions {
  quietMs: number;
  maxWaitMs: number;
  /** Receives the unique paths of a batch, sorted. */
  deliver: (paths: string[]) => void;
}

export class Coalescer {
  private pending = new Set<string>();
  private quietTimer: NodeJS.Timeout | null = null;
  private maxTimer: NodeJS.Timeout | null = null;
  private holds = 0;
  private quietElapsed = false;
  private closed = false;

  constructor(private readonly opts: CoalescerOptions) {}

  /** Number of paths waiting for delivery. */
  get size(): number {
    return this.pending.size;
  }

  add(path: string): void {
    if (this.closed) return;
    // A path already pending does not extend the quiet period: a file being written keeps
    // sending events, and its batch is due all the same.
    if (this.pending.has(path)) return;
    this.pending.add(path);
    this.quietElapsed = false;
    if (this.quietTimer === null) {
      this.quietTimer = setTimeout(() => this.onQuiet(), this.opts.quietMs);
    } else {
      this.quietTimer.refresh();
    }
    if (this.maxTimer === null) {
      this.maxTimer = setTimeout(() => this.flush(), this.opts.maxWaitMs);
    }
  }

  /** Keep the batch open until release(), apart from the maximum wait. */
  hold(): void {
    this.holds++;
  }

  release(): void {
    if (this.holds > 0) this.holds--;
    if (this.holds === 0 && this.quietElapsed) this.flush();
  }

  /** Deliver what is pending now. */
  flush(): void {
    this.clearTimers();
    this.quietElapsed = false;
    if (this.closed || this.pending.size === 0) return;
    const paths = [...this.pending].sort();
    this.pending = new Set();
    this.opts.deliver(paths);
  }

  /** Drop what is pending and stop; nothing is delivered afterwards. */
  close(): void {
    this.closed = true;
    this.pending.clear();
    this.clearTimers();
  }

  private onQuiet(): void {
    this.quietTimer = null;
    if (this.holds > 0) {
      this.quietElapsed = true;
      return;
    }
    this.flush();
  }

  private clearTimers(): void {
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    if (this.maxTimer !== null) clearTimeout(this.maxTimer);
    this.quietTimer = null;
    this.maxTimer = null;
  }
}
