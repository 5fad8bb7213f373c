import type { Bucket, CallCtx } from '@massive/contracts';
import { loadBucket } from './common';
import type { OpDeps } from './deps';
import { toBucket } from './create-bucket';

export function getBucket(deps: OpDeps, req: { name: string }, ctx: CallCtx): Promise<Bucket> {
  return deps.txn.read('GetBucket', async (s) => toBucket(await loadBucket(s, req.name)), ctx);
}

/**
 * Fails BucketNotEmpty while any object or multipart upload exists. Race-safe under snapshot
 * isolation: every object/upload writer `lock`s one of the bucket's guard stripes, and this deletes
 * (writes) all of them, so either side's commit conflicts with the other's and the retry sees the truth.
 */
