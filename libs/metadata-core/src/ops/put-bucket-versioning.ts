import { ServiceError, type CallCtx } from '@massive/contracts';
import { bucketKey } from '../keys/keys';
import { codecs } from '../model/records';
import { loadBucket } from './common';
import type { OpDeps } from './deps';

/**
 * PutBucketVersioning: Enabled or Suspended (the port has no way back to Unversioned, as S3). Existing
 * objects stay as they are: they are their keys' null versions. A write that read the old state and
 * commits concurrently is ordered before this change (it read B, this writes B: snapshot isolation keeps
 * both, and either order is a valid history). Under Object Lock versioning stays Enabled
 * (InvalidBucketState): a Suspended bucket would overwrite null versions a retention protects.
 */
export function putBucketVersioning(deps: OpDeps, req: { bucket: string; status: 'Enabled' | 'Suspended' }, ctx: CallCtx): Promise<void> {
  if (req.status !== 'Enabled' && req.status !== 'Suspended') {
    return Promise.reject(new ServiceError('InvalidArgument', `Invalid versioning status: ${String(req.status)}`));
  }
  return deps.txn.run(
    'PutBucketVersioning',
    async (tx) => {
      const b = await loadBucket(tx, req.bucket);
      if (b.versioning === req.status) return;
      if (b.objectLock) {
        throw new ServiceError('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
      }
      tx.put(bucketKey(req.bucket), codecs.bucket.encode({ ...b, versioning: req.status }));
    },
    ctx,
  );
}
