// Containers that start after a live update, from the image built before it
// (a replaced pod, a new replica), would silently lack the live-updated files;
// and initial_sync() copies every synced path into each new container. This
// controller watches the pods of resources with live updates and brings each
// new container up to date. When that fails while files are at stake, it
// queues a rebuild, so that nothing is lost.

import { LiveUpdateRunError, type LiveUpdater, type PendingSync } from './live-update.js';
import type { ResourceLog } from './log.js';
import { isUpdating, type EngineStore, type ResourceState } from './store.js';

export class LiveSyncController {
  private seq = 0;
  private stopped = false;

  constructor(
    private readonly store: EngineStore,
    private readonly live: LiveUpdater,
    private readonly log: ResourceLog,
  ) {}

  reconcile(): void {
    if (this.stopped) return;
    for (const r of this.store.resources) {
      if (isUpdating(r) || !r.deployed || r.live.size === 0) continue;
      const pending = this.live.pendingSyncs(r);
      if (pending.length > 0) void this.sync(r, pending);
    }
  }

  private async sync(r: ResourceState, pending: PendingSync[]) {
    const name = r.manifest.name;
    const spanId = `build:${name}:sync-${++this.seq}`;
    const log = (line: string, level?: 'INFO' | 'WARN' | 'ERROR') =>
      this.log(name, spanId, line, level);
    r.liveSyncing = true;
    this.store.changed();
    let rebuild = false;
    try {
      await Promise.all(
        pending.map(async (p) => {
          try {
            await this.live.syncContainer(r, p, log);
          } catch (e) {
            // Never retried for this container: a rebuild brings the files instead.
            r.live.get(p.target.ref)?.containers.set(p.container.id, Number.MAX_SAFE_INTEGER);
            const message = (e as Error).message;
            for (const line of message.split('\n')) log(line, 'ERROR');
            if (
              !(e instanceof LiveUpdateRunError) &&
              (r.live.get(p.target.ref)?.files.size ?? 0) > 0
            ) {
              rebuild = true;
            }
          }
        }),
      );
    } finally {
      r.liveSyncing = false;
      if (rebuild && !this.stopped && this.store.get(name) === r) {
        log('Could not copy the live-updated files into the new container: rebuilding the image');
        if (!this.store.triggerQueue.includes(name)) this.store.triggerQueue.push(name);
      }
      this.store.changed();
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
