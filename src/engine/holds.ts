// Holds in words, as Tilt's UI shows why a resource waits.

import type { Hold } from './schedule.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function holdText(h: Hold): string {
  switch (h.reason) {
    case 'waiting-for-deps':
      return `Waiting on ${plural(h.deps.length, 'resource')}: ${h.deps.join(', ')}`;
    case 'waiting-for-parallelism':
      return `Waiting for ${plural(h.building.length, 'update')} in progress (max_parallel_updates)`;
    case 'waiting-for-local':
      return `Waiting for local resource ${h.building.join(', ')}`;
    case 'waiting-for-image':
      return `Waiting for ${h.building} to build ${h.image}`;
  }
}
