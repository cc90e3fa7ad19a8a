// Durations the way Go prints and parses them (`30m0s`, `1h30m`, `1.5s`), as
// Tilt's flags and messages use them.

/** Go's time.Duration String() for whole milliseconds or more: `5m0s`, `1h0m0s`, `1.5s`, `250ms`. */
export function goDurationShort(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = +((ms % 60_000) / 1000).toFixed(3);
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `30m`, `1h30m`, `90s`, `1.5s`, `250ms`; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  if (text === '0') return 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const match = re.exec(text);
    if (!match) return undefined;
    total += parseFloat(match[1]) * UNIT_MS[match[2]];
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : total;
}
