import { ServiceError, type CallCtx } from '@massive/contracts';
import { prefixEnd } from '@massive/kv';
import { BUCKET_GUARD_STRIPES, bucketConfigPrefix, bucketKey, guardKey, uploadPrefix, versionPrefix } from '../keys/keys';
import { loadBucket } from './common';
import type { OpDeps } from './deps';
import { deleteBucketGrants } from './access-keys';

/**
 * Fails BucketNotEmpty while any version (object or delete marker: every O has its V) or multipart
 * upload exists. Race-safe under snapshot
 * isolation: every object/upload writer `lock`s one of the bucket's guard stripes, and this deletes
 * (writes) all of them, so either side's commit conflicts with the other's and the retry sees the truth.
 */
export function deleteBucket(deps: OpDeps, req: { name: string }, ctx: CallCtx): Promise<void> {
  return deps.txn.run(
    'DeleteBucket',
    async (tx) => {
      const b = await loadBucket(tx, req.name);
      const versions = versionPrefix(b.id);
      const uploads = uploadPrefix(b.id);
      const configs = bucketConfigPrefix(b.id);
      const [anyVersion, anyUpload, configKeys] = await Promise.all([
        tx.scan(versions, prefixEnd(versions), { limit: 1 }),
        tx.scan(uploads, prefixEnd(uploads), { limit: 1 }),
        tx.scan(configs, prefixEnd(configs), { limit: 64 }),
      ]);
      if (anyVersion.length > 0 || anyUpload.length > 0) {
        throw new ServiceError('BucketNotEmpty', `The bucket ${req.name} is not empty`);
      }
      for (let s = 0; s < BUCKET_GUARD_STRIPES; s++) tx.delete(guardKey(b.id, s));
      for (const c of configKeys) tx.delete(c.key); // its configurations (a handful: one per kind)
      await deleteBucketGrants(tx, req.name);
      tx.delete(bucketKey(req.name));
    },
    ctx,
  );
}

/** All buckets (of `owner`, when given), by name. */
