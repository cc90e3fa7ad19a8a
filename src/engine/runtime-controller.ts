// The workload runtime's reports: pods become each resource's runtime status
// and container output goes to the resource's runtime log. Starting the
// runtime is retried while Docker does not answer.

import type { WorkloadRuntime } from '../runtime/workload.js';
import { k8sRuntime } from './status.js';
import type { EngineStore } from './store.js';
import type { ResourceLog } from './log.js';

export class RuntimeController {
  private started?: Promise<void>;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly store: EngineStore,
    private readonly runtime: WorkloadRuntime,
    private readonly log: ResourceLog,
    private readonly retryDelayMs = 5000,
  ) {}

  /** Starts the runtime; on failure logs why and tries again later. Resolves after the first attempt. */
  start(): Promise<void> {
    this.started ??= this.attempt();
    return this.started;
  }

  private async attempt(): Promise<void> {
    try {
      await this.runtime.start({
        pods: (resource, pods) => {
          const r = this.store.get(resource);
          // Before its first deploy, a resource's adopted pods say nothing of this session.
          if (!r || r.status === 'never-built' || r.manifest.type !== 'k8s') return;
          r.runtime = k8sRuntime(r.manifest, pods);
          this.store.changed();
        },
        log: (resource, spanId, text, level) => {
          for (const line of text.replace(/\n$/, '').split('\n'))
            this.log(resource, spanId, line, level, 'runtime');
        },
      });
    } catch (e) {
      if (this.closed) return;
      this.log('', 'runtime', `${(e as Error).message}`, 'ERROR', 'runtime');
      this.retry = setTimeout(() => {
        this.started = undefined;
        void this.start();
      }, this.retryDelayMs);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.runtime.close();
  }
}
