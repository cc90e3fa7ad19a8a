// The state the UI shows and how each /ws/view message changes it. Pure, so that it can be
// tested without a browser; the connection applies it once per frame.

import type { UIResource, UISession, ViewMessage } from '../../src/api/types.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface ViewState {
  status: ConnectionStatus;
  /** A whole view has arrived. */
  loaded: boolean;
  session: UISession | null;
  /** In Tiltfile order, the Tiltfile first. Unchanged resources keep their object identity. */
  resources: readonly UIResource[];
  byName: ReadonlyMap<string, UIResource>;
}

export const INITIAL_STATE: ViewState = {
  status: 'connecting',
  loaded: false,
  session: null,
  resources: [],
  byName: new Map(),
};

/** The state after one message (its logs are the log store's business). */
export function applyMessage(state: ViewState, msg: ViewMessage): ViewState {
  if (msg.type === 'view') {
    const byName = new Map<string, UIResource>();
    for (const r of msg.view.resources) {
      // Keep the old object when nothing changed, so its row does not re-render on reconnect.
      const old = state.byName.get(r.metadata.name);
      byName.set(r.metadata.name, old && sameJSON(old, r) ? old : r);
    }
    return {
      ...state,
      loaded: true,
      session: msg.view.session,
      byName,
      resources: ordered(byName),
    };
  }
  if (msg.resources.length === 0 && msg.removed.length === 0 && !msg.session) return state;
  let { byName, resources } = state;
  if (msg.resources.length > 0 || msg.removed.length > 0) {
    const next = new Map(byName);
    for (const r of msg.resources) next.set(r.metadata.name, r);
    for (const name of msg.removed) next.delete(name);
    byName = next;
    resources = ordered(next);
  }
  return { ...state, byName, resources, session: msg.session ?? state.session };
}

function ordered(byName: ReadonlyMap<string, UIResource>): UIResource[] {
  // Stable: equal orders keep the server's order.
  return [...byName.values()].sort((a, b) => a.status.order - b.status.order);
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
