/**
 * Write-write conflict detection for a store owned by one process (the embedded LMDB adapter).
 *
 * Every commit gets the next sequence number; the store persists the last one with the data, so a
 * read snapshot knows exactly which commit it reflects (its "snapshot seq"). Here, in memory, we keep
 * for each key the seq of the last commit that wrote, deleted or locked it. A commit conflicts when
 * one of its keys carries a seq above its snapshot seq.
 *
 * Entries are only needed while some transaction could still be validated against them: one whose
 * snapshot seq is below the entry's seq. They are dropped once every registered transaction, and
 * every future one, reads at or above it (`bound`). A transaction registers when its snapshot is
 * taken, under the last resolved seq (a lower bound of what it sees, known without reading LMDB),
 * and reads its exact snapshot seq only if it writes: read-only transactions never touch `meta`. Nothing is persisted: after a restart no
 * transaction is in flight, so no old entry can matter. A transaction whose snapshot is below what
 * was already dropped (`floor`) cannot be validated and is refused as a conflict (never expected:
 * new snapshots start at or above the last resolved commit).
 */
export class ConflictTracker {
  private readonly lastCommit = new Map<string, number>();
  /** Claims whose commit has not settled: what each of their keys carried before (undefined: nothing). */
  private readonly pending = new Map<number, [string, number | undefined][]>();
  private queue: { readonly key: string; readonly seq: number }[] = [];
  private head = 0;
  /** snapshot seq -> registered transactions. */
  private readonly active = new Map<number, number>();
  private assigned: number;
  private resolved: number;
  private floor: number;

  constructor(lastCommittedSeq: number) {
    this.assigned = this.resolved = this.floor = lastCommittedSeq;
  }

  /** Entries kept (for tests and metrics). */
  get size(): number {
    return this.lastCommit.size;
  }

  /**
   * Registers a transaction whose snapshot was just taken and returns its registration (a lower
   * bound of its snapshot seq: every resolved commit is visible to new snapshots). Pair with `end`.
   */
  begin(): number {
    const at = this.resolved;
    this.active.set(at, (this.active.get(at) ?? 0) + 1);
    return at;
  }

  end(registration: number): void {
    const n = (this.active.get(registration) ?? 1) - 1;
    if (n > 0) this.active.set(registration, n);
    else this.active.delete(registration);
    this.gc();
  }

  /**
   * Validates and claims `keys` for a commit; call it in the order commits reach the store (LmdbKv:
   * the order it queues them, which is the order lmdb-js applies them in).
   * Returns the commit's seq, or the first conflicting key (a latin1 string).
   */
  claim(snapshotSeq: number, keys: readonly (readonly string[])[]): number | { conflict: string } {
    if (snapshotSeq < this.floor) return { conflict: '' };
    for (const group of keys) {
      for (const k of group) if ((this.lastCommit.get(k) ?? 0) > snapshotSeq) return { conflict: k };
    }
    const seq = ++this.assigned;
    const undo: [string, number | undefined][] = [];
    for (const group of keys) {
      for (const k of group) {
        undo.push([k, this.lastCommit.get(k)]);
        this.lastCommit.set(k, seq);
        this.queue.push({ key: k, seq });
      }
    }
    this.pending.set(seq, undo);
    return seq;
  }

  /** The commit with `seq` is durable and visible to every snapshot taken from now on. */
  markResolved(seq: number): void {
    this.pending.delete(seq);
    if (seq > this.resolved) this.resolved = seq;
    this.gc();
  }

  /**
   * The commit with `seq` failed (LMDB wrote nothing: a full disk, an I/O error): its keys carry
   * again what they carried before the claim, so no later transaction meets a conflict with a write
   * that never happened. A key claimed again since (it cannot be: a later claim of it would have
   * conflicted with this one) keeps its newer seq. Its seq stays unused: snapshots never see it.
   */
  abandon(seq: number): void {
    const undo = this.pending.get(seq);
    if (!undo) return;
    this.pending.delete(seq);
    for (let i = undo.length - 1; i >= 0; i--) {
      const [k, before] = undo[i];
      if (this.lastCommit.get(k) !== seq) continue;
      // At or below the floor, the entry no longer matters to anyone (and gc may have passed it).
      if (before === undefined || before <= this.floor) this.lastCommit.delete(k);
      else this.lastCommit.set(k, before);
    }
  }

  private gc(): void {
    let bound = this.resolved;
    for (const s of this.active.keys()) if (s < bound) bound = s;
    if (bound > this.floor) this.floor = bound;
    while (this.head < this.queue.length && this.queue[this.head].seq <= bound) {
      const { key, seq } = this.queue[this.head++];
      if (this.lastCommit.get(key) === seq) this.lastCommit.delete(key);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
