// React access to the connection: resource state and log changes as separate subscriptions,
// and one shared clock for relative times.

import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Connection, ViewState } from './connection.js';
import type { LogStore } from './log-store.js';

export const ConnectionContext = createContext<Connection | null>(null);

export function useConnection(): Connection {
  const c = useContext(ConnectionContext);
  if (!c) throw new Error('no ConnectionContext');
  return c;
}

export function useViewState(): ViewState {
  const c = useConnection();
  return useSyncExternalStore(c.subscribe, c.getState);
}

/** The log store and a number that changes when it does. */
export function useLogs(): [LogStore, number] {
  const c = useConnection();
  const version = useSyncExternalStore(c.subscribeLogs, c.getLogVersion);
  return [c.logs, version];
}

const clockListeners = new Set<() => void>();
let clockNow = Date.now();
let clockTimer: number | undefined;

function subscribeClock(listener: () => void): () => void {
  clockListeners.add(listener);
  if (clockTimer === undefined) {
    clockNow = Date.now();
    clockTimer = window.setInterval(() => {
      clockNow = Date.now();
      for (const l of [...clockListeners]) l();
    }, 1000);
  }
  return () => {
    clockListeners.delete(listener);
    if (clockListeners.size === 0) {
      window.clearInterval(clockTimer);
      clockTimer = undefined;
    }
  };
}

/** The time, ticking every second; only components that show a time subscribe. */
export function useNow(): number {
  return useSyncExternalStore(subscribeClock, () => clockNow);
}
