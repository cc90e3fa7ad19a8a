// /ws/objects/<kind>: watching the objects of one kind (`tilt get KIND -w`).
// The first message lists them all; then each message holds the objects that
// changed or appeared, and the names of those that went, paced as /ws/view.

import type WebSocket from 'ws';
import type { ApiObject, ObjectWatchMessage } from '../api/types.js';
import type { ApiBackend } from './backend.js';
import { listObjects } from './objects.js';
import { pacedStream, type PaceOptions } from './paced-sender.js';

export function streamObjects(
  ws: WebSocket,
  backend: ApiBackend,
  kind: string,
  pace?: PaceOptions,
): () => void {
  const snapshot = (): { items: ApiObject[]; json: Map<string, string> } => {
    const items = listObjects(backend, kind);
    return { items, json: new Map(items.map((o) => [o.metadata.name, JSON.stringify(o)])) };
  };
  const first = snapshot();
  let sent = first.json;
  const list: ObjectWatchMessage = { type: 'list', items: first.items };
  return pacedStream(ws, {
    first: JSON.stringify(list),
    compose: () => {
      const { items, json } = snapshot();
      const changed = items.filter((o) => sent.get(o.metadata.name) !== json.get(o.metadata.name));
      const removed = [...sent.keys()].filter((n) => !json.has(n));
      sent = json;
      if (changed.length === 0 && removed.length === 0) return undefined;
      const message: ObjectWatchMessage = { type: 'changed', items: changed, removed };
      return JSON.stringify(message);
    },
    subscribe: (wake) => backend.subscribe(wake),
    pace,
  });
}
