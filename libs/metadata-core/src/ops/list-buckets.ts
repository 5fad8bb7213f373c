import type { Bucket, CallCtx } from '@massive/contracts';
import { prefixEnd } from '@massive/kv';
import { bucketPrefix } from '../keys/keys';
import { codecs } from '../model/records';
import { toBucket } from './create-bucket';
import type { OpDeps } from './deps';

/** All buckets (of `owner`, when given), by name. */
export function listBuckets(deps: OpDeps, req: { owner?: string }, ctx: CallCtx): Promise<readonly Bucket[]> {
  return deps.txn.read(
    'ListBuckets',
    async (s) => {
      const out: Bucket[] = [];
      let start = bucketPrefix();
      const end = prefixEnd(bucketPrefix());
      for (;;) {
        const page = await s.scan(start, end, { limit: 1000 });
        for (const p of page) {
          const b = codecs.bucket.decodeValue(p.value);
          if (req.owner === undefined || b.owner.id === req.owner) out.push(toBucket(b));
        }
        if (page.length < 1000) return out;
        start = Buffer.concat([page[page.length - 1].key, Buffer.from([0])]);
      }
    },
    ctx,
  );
}
