// What the server needs from the engine: the objects to serve, change
// notifications, the log store, and the changes users ask for. The engine
// implements it (engineBackend); tests use a recording double.

import type { EngineObject, TriggerMode, UIResource, UISession } from '../api/types.js';
import type { LogStore } from '../logs/index.js';

/** A user's request the backend refused: answered 400 (or 404 for an unknown name) with `message`. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export interface ApiBackend {
  /** Every resource, the Tiltfile first, in Tiltfile order. */
  resources(): UIResource[];
  session(): UISession;
  /** Objects of one of the engine's kinds (lower-case, e.g. `filewatch`); undefined for an unknown kind. */
  objects(kind: string): EngineObject[] | undefined;
  /** The engine's kinds besides uiresource and uisession. */
  readonly kinds: readonly string[];
  readonly logs: LogStore;
  /** Called after every change of the objects (at most once per tick). */
  subscribe(listener: () => void): () => void;
  /** Queues updates, as the trigger button. Rejects with RequestError for an unknown name. */
  trigger(names: string[]): Promise<void>;
  setTriggerMode(names: string[], mode: TriggerMode): Promise<void>;
  setEnabled(names: string[], enabled: boolean): Promise<void>;
  /** Runs the Tiltfile again with these args. */
  setArgs(args: string[]): Promise<void>;
}
