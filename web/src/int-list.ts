// A growable list of integers in a typed array: line numbers of a resource or of a filtered
// view. Typed storage keeps 200,000 entries at 800 KB and out of the garbage collector's way.

export class IntList {
  private buf: Int32Array;
  private start = 0;
  private end = 0;

  constructor(capacity = 256) {
    this.buf = new Int32Array(capacity);
  }

  get length(): number {
    return this.end - this.start;
  }

  at(i: number): number {
    return this.buf[this.start + i];
  }

  last(): number | undefined {
    return this.end > this.start ? this.buf[this.end - 1] : undefined;
  }

  push(v: number): void {
    if (this.end === this.buf.length) this.grow(1);
    this.buf[this.end++] = v;
  }

  /** First position whose value is >= v; the values must be ascending. */
  lowerBound(v: number): number {
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.start;
  }

  /** Whether ascending values hold v. */
  has(v: number): boolean {
    const p = this.lowerBound(v);
    return p < this.length && this.at(p) === v;
  }

  /** Drops the first n entries. */
  dropFront(n: number): void {
    this.start = Math.min(this.end, this.start + n);
    if (this.start === this.end) this.start = this.end = 0;
  }

  /** Keeps ascending values sorted: adds v if missing. */
  insertSorted(v: number): void {
    const p = this.lowerBound(v);
    if (p < this.length && this.at(p) === v) return;
    if (this.end === this.buf.length) this.grow(1);
    const at = this.start + p;
    this.buf.copyWithin(at + 1, at, this.end);
    this.buf[at] = v;
    this.end++;
  }

  removeSorted(v: number): void {
    const p = this.lowerBound(v);
    if (p >= this.length || this.at(p) !== v) return;
    const at = this.start + p;
    this.buf.copyWithin(at, at + 1, this.end);
    this.end--;
  }

  clear(): void {
    this.start = this.end = 0;
  }

  private grow(extra: number): void {
    const n = this.length;
    // Reuse the space freed at the front when it is at least half the buffer.
    if (this.start >= this.buf.length / 2 && n + extra <= this.buf.length) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      const next = new Int32Array(Math.max(16, (n + extra) * 2));
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = n;
  }
}
