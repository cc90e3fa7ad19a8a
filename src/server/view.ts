// The View and LogChunks the API serves, from a backend and its log store.

import type { LogChunk, LogSegmentJSON, View } from '../api/types.js';
import type { LogFilter, LogSegment, LogStore } from '../logs/index.js';
import type { ApiBackend } from './backend.js';

function segmentJSON(s: LogSegment): LogSegmentJSON {
  return {
    index: s.index,
    resource: s.resource,
    spanId: s.spanId,
    level: s.level,
    source: s.source,
    time: s.time,
    text: s.text,
  };
}

export function logChunk(
  logs: LogStore,
  since: number,
  filter?: LogFilter,
  limit = Infinity,
): LogChunk {
  const r = logs.since(since, filter, limit);
  return { segments: r.segments.map(segmentJSON), checkpoint: r.checkpoint, dropped: r.dropped };
}

export function buildView(backend: ApiBackend, since = 0): View {
  return {
    session: backend.session(),
    resources: backend.resources(),
    logs: logChunk(backend.logs, since),
  };
}
