// The engine as the web server's backend (src/server/backend.ts).

import type { TriggerMode } from '../api/types.js';
import { TILTFILE_RESOURCE, type LogStore } from '../logs/index.js';
import { RequestError, type ApiBackend } from '../server/backend.js';
import type { Engine } from './engine.js';
import { ENGINE_KINDS, engineObjects, uiResources, uiSession } from './ui-resource.js';

export function engineBackend(
  engine: Engine,
  logs: LogStore,
  info: { startedAt: number; version: string; mode: string },
): ApiBackend {
  const known = (names: string[], also: string[] = []) => {
    if (names.length === 0) throw new RequestError('no resource names given');
    const unknown = names.filter((n) => !engine.store.get(n) && !also.includes(n));
    if (unknown.length > 0) {
      throw new RequestError(`no such resource: ${unknown.join(', ')}`, 404);
    }
  };
  const mode = (m: TriggerMode) => (m === 'manual' ? 'TRIGGER_MODE_MANUAL' : 'TRIGGER_MODE_AUTO');
  return {
    kinds: ENGINE_KINDS,
    logs,
    resources: () => uiResources(engine.store),
    session: () => uiSession(engine.store, { ...info, args: engine.args }),
    objects: (kind) => engineObjects(engine.store, kind),
    subscribe: (listener) => engine.store.subscribe(listener),
    trigger: async (names) => {
      // The Tiltfile's trigger runs it again.
      known(names, [TILTFILE_RESOURCE]);
      for (const n of names) engine.trigger(n);
    },
    setTriggerMode: async (names, m) => {
      known(names);
      engine.setTriggerMode(names, mode(m));
    },
    setEnabled: async (names, enabled) => {
      known(names);
      await engine.setEnabled(names, enabled);
    },
    setArgs: (args) => engine.setArgs(args),
  };
}
