// /ws/logs: LogChunks for `tilt logs -f`. The first message holds what is
// stored after `since` (possibly nothing, to say the stream is live); the
// others hold new text that passes the client's filter, paced like /ws/view.

import type WebSocket from 'ws';
import type { LogFilter, LogStore } from '../logs/index.js';
import { pacedStream, type PaceOptions } from './paced-sender.js';
import { logChunk } from './view.js';

export function streamLogs(
  ws: WebSocket,
  logs: LogStore,
  opts: { since: number; filter: LogFilter; pace?: PaceOptions },
): () => void {
  const { filter } = opts;
  const first = logChunk(logs, opts.since, filter);
  let checkpoint = first.checkpoint;
  return pacedStream(ws, {
    first: JSON.stringify(first),
    compose: () => {
      const chunk = logChunk(logs, checkpoint, filter);
      checkpoint = chunk.checkpoint;
      return chunk.segments.length > 0 ? JSON.stringify(chunk) : undefined;
    },
    subscribe: (wake) => logs.onAppend(wake, filter),
    pace: opts.pace,
  });
}
