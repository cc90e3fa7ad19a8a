// Port-forwards of k8s resources: listening from the first deploy on, each
// connection dialled to the resource's current pod, so a forward survives
// pod replacement.

import { PortForward } from '../portforward/index.js';
import type { PortForward as PortForwardSpec } from '../model/manifest.js';
import type { WorkloadRuntime } from '../runtime/workload.js';
import type { ResourceLog } from './log.js';
import type { EngineStore } from './store.js';

/** The URL Tilt shows for a forward. */
export function forwardURL(pf: PortForwardSpec): string {
  const host =
    pf.host === '' || pf.host === '127.0.0.1' || pf.host === '0.0.0.0' ? 'localhost' : pf.host;
  const path = pf.linkPath ? `/${pf.linkPath.replace(/^\//, '')}` : '/';
  return `http://${host}:${pf.localPort}${path}`;
}

export class PortForwardController {
  private readonly forwards = new Map<string, PortForward>();

  constructor(
    private readonly store: EngineStore,
    private readonly runtime: () => WorkloadRuntime | undefined,
    private readonly log: ResourceLog,
  ) {}

  reconcile(): void {
    const runtime = this.runtime();
    const wanted = new Map<string, { resource: string; spec: PortForwardSpec }>();
    for (const r of this.store.resources) {
      const m = r.manifest;
      const specs = m.k8s?.portForwards ?? [];
      const urls = [...specs.map(forwardURL), ...m.links.map((l) => l.url)];
      if (JSON.stringify(urls) !== JSON.stringify(r.endpoints)) {
        r.endpoints = urls;
        this.store.changed();
      }
      // Listen once the resource was deployed in this session.
      if (!runtime || !m.enabled || !r.deployed) continue;
      for (const spec of specs) {
        wanted.set(`${m.name}|${spec.host}|${spec.localPort}|${spec.containerPort}`, {
          resource: m.name,
          spec,
        });
      }
    }
    for (const [key, pf] of this.forwards) {
      if (!wanted.has(key)) {
        this.forwards.delete(key);
        void pf.stop();
      }
    }
    for (const [key, { resource, spec }] of wanted) {
      if (this.forwards.has(key) || !runtime) continue;
      const containerPort =
        spec.containerPort || runtime.firstContainerPort(resource) || spec.localPort;
      const pf = new PortForward({
        resource,
        host: spec.host || '127.0.0.1',
        localPort: spec.localPort,
        containerPort,
        connect: () => runtime.connect(resource, containerPort),
        log: (line, level) => this.log(resource, `portforward:${resource}`, line, level, 'runtime'),
      });
      this.forwards.set(key, pf);
      pf.start().catch((e: Error) => {
        this.log(resource, `portforward:${resource}`, e.message, 'ERROR', 'runtime');
      });
    }
  }

  async close(): Promise<void> {
    const all = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(all.map((pf) => pf.stop()));
  }
}
