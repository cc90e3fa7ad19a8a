// /ws/objects/<kind>: watching the objects of one kind (`tilt get KIND -w`).
// The first message lists them all; then each message holds the objects that
// changed or appeared, and the names of those that went, paced as /ws/view.

import type WebSocket from 'ws';
import type { ApiObject, ObjectWatchMessage } from '../api/types.js';
import type { ApiBackend } from './backend.js';
import { listObjects } from './objects.js';
import { PacedSender, type PaceOptions } from './paced-sender.js';

export function streamObjects(
  ws: WebSocket,
  backend: ApiBackend,
  kind: string,
  pace?: PaceOptions,
): () => void {
  let sent = new Map<string, string>();
  const snapshot = (): { items: ApiObject[]; json: Map<string, string> } => {
    const items = listObjects(backend, kind);
    return { items, json: new Map(items.map((o) => [o.metadata.name, JSON.stringify(o)])) };
  };
  const sender = new PacedSender(
    ws,
    () => {
      const { items, json } = snapshot();
      const changed = items.filter((o) => sent.get(o.metadata.name) !== json.get(o.metadata.name));
      const removed = [...sent.keys()].filter((n) => !json.has(n));
      sent = json;
      if (changed.length === 0 && removed.length === 0) return undefined;
      const message: ObjectWatchMessage = { type: 'changed', items: changed, removed };
      return JSON.stringify(message);
    },
    pace,
  );
  const first = snapshot();
  sent = first.json;
  const unsubscribe = backend.subscribe(() => sender.wake());
  const message: ObjectWatchMessage = { type: 'list', items: first.items };
  sender.sendNow(JSON.stringify(message));
  const stop = () => {
    sender.close();
    unsubscribe();
  };
  ws.on('close', stop);
  return stop;
}
