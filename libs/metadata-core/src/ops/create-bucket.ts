import { ServiceError, type Bucket, type CallCtx, type Owner } from '@massive/contracts';
import { bucketKey } from '../keys/keys';
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
  };
}

export function createBucket(
  deps: OpDeps,
  req: { name: string; region: string; owner: Owner; ownerKey?: string },
  ctx: CallCtx,
): Promise<Bucket> {
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
        versioning: 'Unversioned',
        usageTracked: true,
      };
      tx.put(bucketKey(req.name), codecs.bucket.encode(rec));
      if (req.ownerKey !== undefined) await grantCreator(tx, req.ownerKey, req.name);
      return toBucket(rec);
    },
    ctx,
  );
}
