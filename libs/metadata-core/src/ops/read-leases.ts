import { ServiceError, type CallCtx, type ReadLease } from '@massive/contracts';
import { gcClaimKey, idBytes, readLeaseExpiryKey, readLeaseKey } from '../keys/keys';
import { codecs } from '../model/records';
import { randomId, type OpDeps } from './deps';

/**
 * Read leases: a GET (or copy) that streams a chunked version for longer than the GC grace could
 * cover takes a lease on the version, and renews it while it streams. The collector postpones the
 * chunks of a leased version (gc/collector.ts) and, before deleting any, writes a claim record for the
 * version; a lease can be taken or renewed only while there is no claim. Both transactions write the
 * claim key (the lease `lock`s it), so they conflict and serialize: either the lease commits first and
 * the collector sees it, or the claim does and the lease is refused.
 */
export async function leaseVersion(
  deps: OpDeps,
  req: { versionId: string; leaseId?: string; ttlMs: number },
  ctx: CallCtx,
): Promise<ReadLease> {
  if (!Number.isFinite(req.ttlMs) || req.ttlMs <= 0) throw new ServiceError('InvalidArgument', 'ttlMs must be > 0');
  if (!idBytes(req.versionId)) throw new ServiceError('NoSuchVersion', `no version ${req.versionId}`);
  if (req.leaseId !== undefined && !idBytes(req.leaseId)) throw new ServiceError('InvalidArgument', `malformed lease id ${req.leaseId}`);
  return deps.txn.run(
    'LeaseVersion',
    async (tx) => {
      const claim = gcClaimKey(req.versionId);
      tx.lock(claim);
      if (await tx.get(claim)) {
        throw new ServiceError('NoSuchVersion', `version ${req.versionId} was unlinked and its data is being collected`);
      }
      const leaseId = req.leaseId ?? randomId();
      const key = readLeaseKey(req.versionId, leaseId);
      const old = await tx.get(key);
      if (old) tx.delete(readLeaseExpiryKey(codecs.readLease.decodeValue(old).expiresAt, req.versionId, leaseId));
      const expiresAt = deps.clock() + req.ttlMs;
      tx.put(key, codecs.readLease.encode({ expiresAt }));
      tx.put(readLeaseExpiryKey(expiresAt, req.versionId, leaseId), Buffer.alloc(0));
      return { leaseId, expiresAt };
    },
    ctx,
  );
}

/** Drops a read lease; idempotent. */
export async function releaseVersionLease(deps: OpDeps, req: { versionId: string; leaseId: string }, ctx: CallCtx): Promise<void> {
  if (!idBytes(req.versionId) || !idBytes(req.leaseId)) return;
  return deps.txn.run(
    'ReleaseVersionLease',
    async (tx) => {
      const key = readLeaseKey(req.versionId, req.leaseId);
      const raw = await tx.get(key);
      if (!raw) return;
      tx.delete(key);
      tx.delete(readLeaseExpiryKey(codecs.readLease.decodeValue(raw).expiresAt, req.versionId, req.leaseId));
    },
    ctx,
  );
}
