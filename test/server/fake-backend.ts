// A server backend for tests: resources and a session a test sets, a real
// log store, and a record of the changes requested through the API.

import {
  API_VERSION,
  type EngineObject,
  type TriggerMode,
  type UIResource,
  type UISession,
} from '../../src/api/types.js';
import { LogStore, type LogFilter, type LogListener } from '../../src/logs/index.js';
import { RequestError, type ApiBackend } from '../../src/server/backend.js';

export interface RecordedRequest {
  call: 'trigger' | 'setTriggerMode' | 'setEnabled' | 'setArgs';
  names?: string[];
  mode?: TriggerMode;
  enabled?: boolean;
  args?: string[];
}

/** A UIResource with defaults for what a test does not say. */
export function resource(name: string, over: Partial<UIResource['status']> = {}): UIResource {
  return {
    kind: 'UIResource',
    apiVersion: API_VERSION,
    metadata: { name, labels: {} },
    status: {
      type: 'local',
      order: 1,
      updateStatus: 'ok',
      runtimeStatus: 'ok',
      triggerMode: 'auto',
      autoInit: true,
      queued: false,
      hasPendingChanges: false,
      buildHistory: [],
      endpointLinks: [],
      disabled: false,
      labels: [],
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'UpToDate', status: 'True' },
      ],
      ...over,
    },
  };
}

/** A log store that counts its live subscriptions, to see that readers let go. */
export class CountingLogStore extends LogStore {
  active = 0;

  override subscribe(listener: LogListener, filter?: LogFilter): () => void {
    return this.count(super.subscribe(listener, filter));
  }

  override onAppend(wake: () => void, filter?: LogFilter): () => void {
    return this.count(super.onAppend(wake, filter));
  }

  private count(unsubscribe: () => void): () => void {
    this.active++;
    let done = false;
    return () => {
      if (!done) this.active--;
      done = true;
      unsubscribe();
    };
  }
}

export class FakeBackend implements ApiBackend {
  readonly kinds = ['filewatch', 'kubernetesdiscovery'];
  readonly logs = new CountingLogStore({ resourceBytes: 16 << 20, totalBytes: 64 << 20 });
  readonly requests: RecordedRequest[] = [];
  items: UIResource[];
  sessionStatus: UISession['status'] = {
    tiltfileError: null,
    tiltStartTime: new Date(0).toISOString(),
    version: 'v0.0.0-test',
    tiltfileArgs: [],
    mode: 'up',
  };
  private listeners = new Set<() => void>();

  constructor(items: UIResource[] = [resource('(Tiltfile)', { type: 'tiltfile', order: 0 })]) {
    this.items = items;
  }

  resources(): UIResource[] {
    return this.items;
  }

  session(): UISession {
    return {
      kind: 'UISession',
      apiVersion: API_VERSION,
      metadata: { name: 'Tiltfile' },
      status: this.sessionStatus,
    };
  }

  objects(kind: string): EngineObject[] | undefined {
    if (kind === 'kubernetesdiscovery') return [];
    if (kind !== 'filewatch') return undefined;
    return ['image:app', 'image:gcr.io/proj/app'].map((name) => ({
      kind: 'FileWatch',
      apiVersion: API_VERSION,
      metadata: { name },
      spec: { watchedPaths: ['/src'] },
      status: {},
    }));
  }

  /** Listeners subscribed through subscribe(). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces or adds resources and tells subscribers. */
  set(...items: UIResource[]): void {
    for (const it of items) {
      const i = this.items.findIndex((x) => x.metadata.name === it.metadata.name);
      if (i >= 0) this.items[i] = it;
      else this.items.push(it);
    }
    this.changed();
  }

  remove(name: string): void {
    this.items = this.items.filter((x) => x.metadata.name !== name);
    this.changed();
  }

  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private known(names: string[]): void {
    const unknown = names.filter((n) => !this.items.some((x) => x.metadata.name === n));
    if (unknown.length > 0) throw new RequestError(`no such resource: ${unknown.join(', ')}`, 404);
  }

  async trigger(names: string[]): Promise<void> {
    this.known(names);
    this.requests.push({ call: 'trigger', names });
  }

  async setTriggerMode(names: string[], mode: TriggerMode): Promise<void> {
    this.known(names);
    this.requests.push({ call: 'setTriggerMode', names, mode });
  }

  async setEnabled(names: string[], enabled: boolean): Promise<void> {
    this.known(names);
    this.requests.push({ call: 'setEnabled', names, enabled });
  }

  async setArgs(args: string[]): Promise<void> {
    this.requests.push({ call: 'setArgs', args });
    this.sessionStatus = { ...this.sessionStatus, tiltfileArgs: args };
    this.changed();
  }
}
