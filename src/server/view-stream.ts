// /ws/view: the whole view first, then deltas. Each client remembers what it
// was last sent (every resource's JSON, the session's, the log checkpoint),
// so a delta holds only what differs from that, however many changes it
// covers. The hub listens to the backend and the log store only while a
// client is connected.

import type WebSocket from 'ws';
import type { UIResource, UISession, ViewMessage } from '../api/types.js';
import type { ApiBackend } from './backend.js';
import { PacedSender, type PaceOptions } from './paced-sender.js';
import { logChunk } from './view.js';

interface Snapshot {
  generation: number;
  resources: UIResource[];
  /** Never changed once made: clients keep it as what they were sent. */
  json: ReadonlyMap<string, string>;
  session: UISession;
  sessionJson: string;
}

interface Client {
  sender: PacedSender;
  sent: ReadonlyMap<string, string>;
  sessionJson: string;
  checkpoint: number;
}

/**
 * Log segments per message: a tilt with 200,000 lines sends them in pieces
 * after the view, so the page draws at once and no message is tens of MB.
 */
export const LOG_SEGMENTS_PER_MESSAGE = 10_000;

export class ViewHub {
  private readonly clients = new Set<Client>();
  private backend: ApiBackend | undefined;
  private unsubscribe: (() => void)[] = [];
  private generation = 0;
  private snap: Snapshot | undefined;

  constructor(private readonly pace: PaceOptions = {}) {}

  get size(): number {
    return this.clients.size;
  }

  add(ws: WebSocket, backend: ApiBackend): void {
    if (this.clients.size === 0) this.listen(backend);
    const b = this.backend!;
    const snap = this.snapshot();
    const logs = logChunk(b.logs, 0, undefined, LOG_SEGMENTS_PER_MESSAGE);
    const client: Client = {
      sender: new PacedSender(ws, () => this.delta(client), this.pace),
      sent: snap.json,
      sessionJson: snap.sessionJson,
      checkpoint: logs.checkpoint,
    };
    this.clients.add(client);
    const first: ViewMessage = {
      type: 'view',
      view: { session: snap.session, resources: snap.resources, logs },
    };
    client.sender.sendNow(JSON.stringify(first));
    this.moreLogs(client);
    ws.on('close', () => this.drop(client));
  }

  close(): void {
    for (const c of [...this.clients]) this.drop(c);
  }

  private listen(backend: ApiBackend): void {
    this.backend = backend;
    const wakeAll = () => {
      for (const c of this.clients) c.sender.wake();
    };
    this.unsubscribe = [
      backend.subscribe(() => {
        this.generation++;
        wakeAll();
      }),
      backend.logs.onAppend(wakeAll),
    ];
  }

  private drop(client: Client): void {
    client.sender.close();
    if (!this.clients.delete(client) || this.clients.size > 0) return;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.backend = undefined;
    this.snap = undefined;
  }

  /** The backend's objects and their JSON, computed once per change for every client. */
  private snapshot(): Snapshot {
    if (this.snap?.generation === this.generation) return this.snap;
    const b = this.backend!;
    const resources = b.resources();
    const session = b.session();
    this.snap = {
      generation: this.generation,
      resources,
      json: new Map(resources.map((r) => [r.metadata.name, JSON.stringify(r)])),
      session,
      sessionJson: JSON.stringify(session),
    };
    return this.snap;
  }

  /** Asks for another message while the client has not got all the stored logs. */
  private moreLogs(c: Client): void {
    if (c.checkpoint < this.backend!.logs.checkpoint()) queueMicrotask(() => c.sender.wake());
  }

  private delta(c: Client): string | undefined {
    const snap = this.snapshot();
    const resources = snap.resources.filter(
      (r) => c.sent.get(r.metadata.name) !== snap.json.get(r.metadata.name),
    );
    const removed = [...c.sent.keys()].filter((n) => !snap.json.has(n));
    const session = c.sessionJson !== snap.sessionJson ? snap.session : undefined;
    const logs = logChunk(this.backend!.logs, c.checkpoint, undefined, LOG_SEGMENTS_PER_MESSAGE);
    c.checkpoint = logs.checkpoint;
    this.moreLogs(c);
    if (
      resources.length === 0 &&
      removed.length === 0 &&
      !session &&
      logs.segments.length === 0 &&
      logs.dropped === 0
    ) {
      return undefined;
    }
    c.sent = snap.json;
    c.sessionJson = snap.sessionJson;
    const message: ViewMessage = { type: 'delta', resources, removed, session, logs };
    return JSON.stringify(message);
  }
}
