/**
 * Scan batch sizes for a listing with a delimiter. A batch is cut short at the first key that rolls up
 * into a common prefix (the listing then seeks past the prefix), so whatever the batch read beyond that
 * key was read for nothing. With a fixed batch of 64, a page of 1,000 common prefixes read, decoded and
 * copied 64,000 pairs to use 1,000 (measured by `npm run bench -- --only listbig`: ~96 ms of server CPU
 * per such page). Here the batch after a seek (and the first one) is one pair, and each batch that ran
 * to its end without a seek doubles the next: a run of prefixes reads one pair per prefix, a run of
 * plain keys reaches large batches in a few scans, and the pairs read for nothing never exceed the ones
 * used.
 */
export class DelimitedBatch {
  private size = 1;

  /** The limit of the next scan, when the page needs at most `want` more pairs. */
  limit(want: number): number {
    return Math.min(want, this.size);
  }

  /** The last batch ended with a seek past a common prefix. */
  sought(): void {
    this.size = 1;
  }

  /** The last batch was used to its end. */
  ranThrough(): void {
    this.size = Math.min(this.size * 2, 1 << 16);
  }
}
