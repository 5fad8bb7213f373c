import type { CallCtx } from '@massive/contracts';
import { prefixEnd, type KvPair } from '@massive/kv';
import {
  decodeGcClaimTimeKey,
  decodeGcKey,
  decodeReadLeaseExpiryKey,
  gcClaimKey,
  gcClaimTimeBound,
  gcClaimTimeKey,
  gcClaimTimePrefix,
  gcKey,
  readLeaseExpiryBound,
  readLeaseExpiryKey,
  readLeaseExpiryPrefix,
  readLeaseKey,
  readLeasePrefix,
} from '../keys/keys';
import { codecs } from '../model/records';
import type { TxnRunner } from '../txn/run-txn';

/**
 * A claim record outlives the collection it guards by this much. Only a reader that loaded the version
 * before it was unlinked can ask for a lease on it, and it asks within its first lease interval (well
 * under the GC grace) and renews every interval after; an hour covers any such request in flight.
 */
export const GC_CLAIM_TTL_MS = 3600_000;

/**
 * The collector's side of read leases (ops/read-leases.ts has the reader's). Before deleting chunks
 * that the unlinking of `versionId` queued, in one transaction: if the version is already claimed,
 * go ahead; if a reader holds a live lease, move the entries to just after the latest lease expiry
 * (they are looked at again then); otherwise drop lapsed leases and write the claim, after which no
 * lease can be taken (the lease transaction locks the claim key, so the two conflict).
 */
export async function claimOrPostpone(
  txn: TxnRunner,
  clock: () => number,
  versionId: string,
  entries: readonly KvPair[],
  ctx: CallCtx,
): Promise<'claimed' | 'postponed'> {
  return txn.run(
    'GcClaim',
    async (tx) => {
      const claim = gcClaimKey(versionId);
      if (await tx.get(claim)) return 'claimed';
      const now = clock();
      const prefix = readLeasePrefix(versionId);
      const leases = (await tx.scan(prefix, prefixEnd(prefix))).map((p) => ({
        key: p.key,
        leaseId: p.key.subarray(prefix.length).toString('hex'),
        expiresAt: codecs.readLease.decodeValue(p.value).expiresAt,
      }));
      const until = Math.max(0, ...leases.map((l) => l.expiresAt));
      if (until > now) {
        for (const e of entries) {
          tx.delete(e.key);
          tx.put(gcKey(until + 1, decodeGcKey(e.key).chunkId), e.value);
        }
        return 'postponed';
      }
      for (const l of leases) {
        tx.delete(l.key);
        tx.delete(readLeaseExpiryKey(l.expiresAt, versionId, l.leaseId));
      }
      tx.put(claim, codecs.gcClaim.encode({ claimedAt: now }));
      tx.put(gcClaimTimeKey(now, versionId), Buffer.alloc(0));
      return 'claimed';
    },
    ctx,
  );
}

/** Drops lapsed read leases and forgets claims older than GC_CLAIM_TTL_MS. Returns how many keys went. */
export async function reapReadLeases(txn: TxnRunner, clock: () => number, batch: number, ctx: CallCtx): Promise<number> {
  const now = clock();
  let removed = 0;
  for (;;) {
    const lapsed = await txn.read('LeaseReapScan', (s) => s.scan(readLeaseExpiryPrefix(), readLeaseExpiryBound(now), { limit: batch }), ctx);
    if (lapsed.length === 0) break;
    await txn.run(
      'LeaseReap',
      async (tx) => {
        for (const p of lapsed) {
          const { expiresAt, versionId, leaseId } = decodeReadLeaseExpiryKey(p.key);
          const key = readLeaseKey(versionId, leaseId);
          const raw = await tx.get(key);
          // A renewal moved the lease meanwhile: its index entry is a new key; leave the lease alone.
          if (raw && codecs.readLease.decodeValue(raw).expiresAt === expiresAt) tx.delete(key);
          tx.delete(p.key);
        }
      },
      ctx,
    );
    removed += lapsed.length;
    if (lapsed.length < batch) break;
  }
  for (;;) {
    const old = await txn.read('ClaimReapScan', (s) => s.scan(gcClaimTimePrefix(), gcClaimTimeBound(now - GC_CLAIM_TTL_MS), { limit: batch }), ctx);
    if (old.length === 0) break;
    await txn.run(
      'ClaimReap',
      async (tx) => {
        for (const p of old) {
          tx.delete(gcClaimKey(decodeGcClaimTimeKey(p.key).versionId));
          tx.delete(p.key);
        }
      },
      ctx,
    );
    removed += old.length;
    if (old.length < batch) break;
  }
  return removed;
}
