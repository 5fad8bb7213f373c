import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MvccLock, MvccStore, MvccWrite } from './mvcc';

/**
 * An append-only log of the fake's MVCC mutations, so `npm run fake:tikv -- --data-dir D` (and
 * start:distributed, which passes one) keeps its data across a stop or a SIGKILL and a restart: every
 * lock, default-CF value and write record is one JSON line, written before the call that made it
 * returns (page cache: it survives a killed process, not a power cut; a TEST FAKE, not a database).
 * In-place lock updates (heartbeats, pushed min_commit_ts) are not logged: after a restart such a lock
 * simply expires earlier, as the lock of a crashed client would. A GC pass is one `gc` line, replayed
 * by running the pass again at that point of the log (same state in, same removals out); it also
 * brings the collected safe point back, from which PD's GC safe point restarts (gc.ts).
 */
export type JournalEntry =
  | { readonly op: 'lock'; readonly key: string; readonly lock: SerializedLock }
  | { readonly op: 'unlock'; readonly key: string }
  | { readonly op: 'data'; readonly key: string; readonly startTs: string; readonly value: string }
  | { readonly op: 'undata'; readonly key: string; readonly startTs: string }
  | { readonly op: 'write'; readonly key: string; readonly startTs: string; readonly commitTs: string; readonly kind: MvccWrite['kind'] }
  | { readonly op: 'gc'; readonly safePoint: string };

interface SerializedLock {
  readonly primary: string;
  readonly startTs: string;
  readonly ttl: string;
  readonly op: MvccLock['op'];
  readonly minCommitTs: string;
  readonly txnSize: string;
}

export const serializeLock = (l: MvccLock): SerializedLock => ({
  primary: l.primary.toString('hex'),
  startTs: String(l.startTs),
  ttl: String(l.ttl),
  op: l.op,
  minCommitTs: String(l.minCommitTs),
  txnSize: String(l.txnSize),
});

export class FileJournal {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** Applies every logged mutation to `store` (journal detached meanwhile), then starts appending. */
  open(store: MvccStore): number {
    let n = 0;
    if (existsSync(this.path)) {
      const text = readFileSync(this.path, 'utf8');
      // A killed writer may leave a torn last line: cut it off (everything before it was complete), so
      // new lines start clean.
      const whole = text.lastIndexOf('\n') + 1;
      if (whole < text.length) truncateSync(this.path, Buffer.byteLength(text.slice(0, whole)));
      for (const line of text.slice(0, whole).split('\n')) {
        if (line.length === 0) continue;
        apply(store, JSON.parse(line) as JournalEntry);
        n++;
      }
    }
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a');
    store.journal = this;
    return n;
  }

  record(e: JournalEntry): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, JSON.stringify(e) + '\n');
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function apply(store: MvccStore, e: JournalEntry): void {
  if (e.op === 'gc') {
    store.gc(BigInt(e.safePoint));
    return;
  }
  const key = Buffer.from(e.key, 'hex');
  switch (e.op) {
    case 'lock':
      store.putLock(key, {
        primary: Buffer.from(e.lock.primary, 'hex'),
        startTs: BigInt(e.lock.startTs),
        ttl: BigInt(e.lock.ttl),
        op: e.lock.op,
        minCommitTs: BigInt(e.lock.minCommitTs),
        txnSize: BigInt(e.lock.txnSize),
      });
      return;
    case 'unlock':
      store.deleteLock(key);
      return;
    case 'data':
      store.putData(key, BigInt(e.startTs), Buffer.from(e.value, 'base64'));
      return;
    case 'undata':
      store.deleteData(key, BigInt(e.startTs));
      return;
    case 'write':
      store.putWrite(key, { startTs: BigInt(e.startTs), commitTs: BigInt(e.commitTs), kind: e.kind });
      return;
  }
}
