// How controllers write to the log store: one line at a time, per resource and span.

import type { LogLevel, LogSource, LogStore } from '../logs/index.js';

export type ResourceLog = (
  resource: string,
  spanId: string,
  line: string,
  level?: LogLevel,
  source?: LogSource,
) => void;

/** A ResourceLog over `store`; build output unless told otherwise. */
export function storeLog(store: LogStore): ResourceLog {
  return (resource, spanId, line, level = 'INFO', source = 'build') => {
    store.append({ resource, spanId, text: `${line}\n`, level, source });
  };
}
