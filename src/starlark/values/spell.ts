// "Did you mean" suggestions: the candidate nearest by edit distance,
// ignoring case and underscores, allowing up to half the name to differ.

export function nearest(x: string, candidates: Iterable<string>): string {
  const fold = (s: string) => s.replace(/_/g, '').toLowerCase();
  const fx = fold(x);
  let best = '';
  let bestD = Math.floor((fx.length + 1) / 2);
  for (const c of candidates) {
    const d = levenshtein(fx, fold(c), bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Edit distance of a and b, or a value >= max when it is at least max. */
function levenshtein(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) >= max) return max;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin >= max) return max;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}
