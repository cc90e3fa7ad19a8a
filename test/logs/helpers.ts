// Helpers for the log store tests: what a reader reconstructs from segments.

import type { LogSegment } from '../../src/logs/index.js';

/** The text of one span as a reader joins it, markers left out. */
export function spanText(segs: readonly LogSegment[], spanId: string): string {
  return segs
    .filter((s) => s.spanId === spanId && !s.dropped)
    .map((s) => s.text)
    .join('');
}

export function markers(segs: readonly LogSegment[]): LogSegment[] {
  return segs.filter((s) => s.dropped);
}

/** `n` numbered lines of about `width` characters. */
export function lines(from: number, n: number, tag = 'line', width = 80): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    const head = `${tag} ${i} `;
    out += head + 'x'.repeat(Math.max(0, width - head.length - 1)) + '\n';
  }
  return out;
}
