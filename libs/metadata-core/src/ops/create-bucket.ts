import { ServiceError, type Bucket, type CallCtx, type CreateBucketReq } from '@massive/contracts';
import { bucketConfigKey, bucketKey } from '../keys/keys';
import { checkConfig, encodeConfig } from './bucket-config';
import { codecs, type BucketRecord } from '../model/records';
import { randomId, type OpDeps } from './deps';
import { grantCreator } from './access-keys';

export function toBucket(r: BucketRecord): Bucket {
  return {
    name: r.name,
    id: r.id,
    region: r.region,
    owner: r.owner,
    createdAt: r.createdAt,
    ...(r.versioning !== 'Unversioned' && { versioning: r.versioning }),
    ...(r.objectLock && { objectLock: true }),
  };
}

export function createBucket(
  deps: OpDeps,
  req: CreateBucketReq,
  ctx: CallCtx,
): Promise<Bucket> {
  try {
    for (const c of req.configs ?? []) checkConfig(c.kind, c.document);
  } catch (e) {
    return Promise.reject(e);
  }
  return deps.txn.run(
    'CreateBucket',
    async (tx) => {
      const existing = await tx.get(bucketKey(req.name));
      if (existing) {
        const b = codecs.bucket.decodeValue(existing);
        if (b.owner.id === req.owner.id) {
          throw new ServiceError('BucketAlreadyOwnedByYou', `You already own bucket ${req.name}`);
        }
        throw new ServiceError('BucketAlreadyExists', `Bucket ${req.name} already exists`);
      }
      const rec: BucketRecord = {
        name: req.name,
        id: randomId(),
        region: req.region,
        owner: req.owner,
        createdAt: deps.clock(),
        // Object Lock needs versioning: a bucket created with it starts Enabled (S3).
        versioning: req.objectLock ? 'Enabled' : 'Unversioned',
        usageTracked: true,
        ...(req.objectLock && { objectLock: true }),
      };
      tx.put(bucketKey(req.name), codecs.bucket.encode(rec));
      // Its initial settings commit with it: a crash leaves the bucket with all of them or no bucket.
      for (const c of req.configs ?? []) tx.put(bucketConfigKey(rec.id, c.kind), encodeConfig(c.kind, c.document, rec.createdAt));
      if (req.ownerKey !== undefined) await grantCreator(tx, req.ownerKey, req.name);
      return toBucket(rec);
    },
    ctx,
  );
}
