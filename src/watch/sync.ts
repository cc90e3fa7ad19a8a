// A round trip through the native watcher, to know that it holds no more events.
//
// @parcel/watcher debounces in its own thread: after a pause it delivers the first event of a
// burst at once, then holds the rest until the filesystem has been quiet for 50 ms, or until
// 500 ms have passed since its last delivery. So a burst that lasts longer than the quiet period
// (`git checkout` of a large branch, writing thousands of files) would reach the watcher as its
// first event alone, a pause of up to 500 ms, then the rest: two batches, two builds.
//
// A probe closes that gap: a file created in a private directory, under a subscription of its
// own. The kernel queues its event behind every event that came before on the same inotify
// instance, and the debouncer delivers all subscriptions at once; so when the probe's creation is
// delivered, every earlier event has been delivered too. The watcher holds a batch until a probe
// sent after the batch's latest delivery is back: with the filesystem quiet that takes 50 ms and
// runs alongside the quiet period; during a burst it returns only with the burst's events.
//
// Nothing runs while no probe is in flight.

import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import parcelWatcher from '@parcel/watcher';

// When a probe does not come back (its directory was removed), give up after this long.
const PROBE_TIMEOUT_MS = 2000;
// Callbacks of one native delivery reach JavaScript one after another; let the others run first.
const AFTER_RETURN_MS = 2;

export class NativeSync {
  private seq = 0;
  private inflight: { path: string; timer: NodeJS.Timeout; callbacks: Array<() => void> } | null =
    null;
  /** Callbacks of the probe to send when the one in flight is back. */
  private next: Array<() => void> = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly sub: parcelWatcher.AsyncSubscription,
    private readonly ref: { self: NativeSync | null },
  ) {}

  /** A probe directory and its subscription; null when they cannot be made. */
  static async create(): Promise<NativeSync | null> {
    let dir: string | null = null;
    try {
      dir = await mkdtemp(join(tmpdir(), 'tilt-watch-sync-'));
      const ref: { self: NativeSync | null } = { self: null };
      const sub = await parcelWatcher.subscribe(dir, (err, events) => {
        ref.self?.onEvents(err, events);
      });
      const s = new NativeSync(dir, sub, ref);
      ref.self = s;
      return s;
    } catch {
      if (dir !== null) await rm(dir, { recursive: true, force: true }).catch(() => {});
      return null;
    }
  }

  /** Whether a path belongs to the probes. */
  owns(path: string): boolean {
    return path === this.dir || path.startsWith(this.dir + '/');
  }

  /**
   * Call `onBack` once a probe sent from now on has come back: everything the native watcher saw
   * before this call has been delivered. Requests made while a probe is in flight share the next
   * probe.
   */
  request(onBack: () => void): void {
    if (this.closed) {
      onBack();
    } else if (this.inflight === null) {
      this.send([onBack]);
    } else {
      this.next.push(onBack);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const callbacks = [...(this.inflight?.callbacks ?? []), ...this.next];
    if (this.inflight !== null) clearTimeout(this.inflight.timer);
    this.inflight = null;
    this.next = [];
    this.ref.self = null;
    for (const cb of callbacks) cb();
    await this.sub.unsubscribe().catch(() => {});
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }

  private send(callbacks: Array<() => void>): void {
    const path = join(this.dir, `probe-${++this.seq}`);
    const timer = setTimeout(() => this.back(path), PROBE_TIMEOUT_MS);
    this.inflight = { path, timer, callbacks };
    // Created empty: a single IN_CREATE.
    writeFile(path, '').catch(() => this.back(path));
  }

  private onEvents(err: Error | null, events: parcelWatcher.Event[]): void {
    const cur = this.inflight;
    if (cur === null) return;
    if (err !== null || events.some((e) => e.path === cur.path && e.type === 'create')) {
      clearTimeout(cur.timer);
      cur.timer = setTimeout(() => this.back(cur.path), AFTER_RETURN_MS);
    }
  }

  private back(path: string): void {
    const cur = this.inflight;
    if (cur === null || cur.path !== path) return;
    clearTimeout(cur.timer);
    this.inflight = null;
    unlink(path).catch(() => {});
    if (this.next.length > 0 && !this.closed) {
      const next = this.next;
      this.next = [];
      this.send(next);
    }
    for (const cb of cur.callbacks) cb();
  }
}
