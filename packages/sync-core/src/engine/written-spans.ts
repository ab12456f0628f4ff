/**
 * The spans of one range's memory that chunks opened in place wrote over (chunk-fetcher.ts),
 * kept sorted and merged, so whether a chunk's bytes were touched is a binary search. A range
 * read over HTTP holds up to 16 MiB, which is 4,096 database pages of 4 KiB: checking every
 * chunk against every span before it would be 8 million comparisons a range.
 */
export class WrittenSpans {
  /** Disjoint spans in ascending order: both lists grow together, so ends ascend too. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Bytes `from` (inclusive) to `to` (exclusive) were written over. */
  add(from: number, to: number): void {
    if (to <= from) return;
    // Spans that overlap or touch [from, to) are merged into it.
    let first = this.lastStartingBefore(from + 1);
    if (first < 0 || this.ends[first]! < from) first++;
    let last = first;
    while (last < this.starts.length && this.starts[last]! <= to) last++;
    const start = first < last ? Math.min(from, this.starts[first]!) : from;
    const end = first < last ? Math.max(to, this.ends[last - 1]!) : to;
    this.starts.splice(first, last - first, start);
    this.ends.splice(first, last - first, end);
  }

  /** Whether any byte from `from` to `to` (exclusive) was written over. */
  overlaps(from: number, to: number): boolean {
    const i = this.lastStartingBefore(to);
    return i >= 0 && this.ends[i]! > from;
  }

  /** The index of the last span starting before `at`, or -1. */
  private lastStartingBefore(at: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
