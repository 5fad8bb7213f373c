import {
  BUCKET_CONFIG_KINDS,
  MAX_BUCKET_CONFIG_BYTES,
  ServiceError,
  type BucketConfigKind,
  type BucketConfigs,
  type CallCtx,
} from '@massive/contracts';
import { bucketConfigKey, bucketKey } from '../keys/keys';
import type { KvTxn } from '@massive/kv';
import { codecs, type BucketRecord } from '../model/records';
import { loadBucket } from './common';
import { toBucket } from './create-bucket';
import type { OpDeps } from './deps';

const KINDS: ReadonlySet<string> = new Set(BUCKET_CONFIG_KINDS);

function checkKind(kind: string): void {
  if (!KINDS.has(kind)) throw new ServiceError('InvalidArgument', `Unknown bucket configuration: ${kind}`);
}

/** A configuration metadata can store: a known kind, a document within MAX_BUCKET_CONFIG_BYTES. */
export function checkConfig(kind: string, document: string | undefined): Buffer | undefined {
  checkKind(kind);
  const doc = document === undefined ? undefined : Buffer.from(document, 'utf8');
  if (doc && doc.length > MAX_BUCKET_CONFIG_BYTES) {
    throw new ServiceError('InvalidArgument', `The ${kind} configuration exceeds ${MAX_BUCKET_CONFIG_BYTES} bytes`);
  }
  return doc;
}

export function encodeConfig(kind: string, document: string, updatedAt: number): Buffer {
  return codecs.bucketConfig.encode({ kind, updatedAt }, Buffer.from(document, 'utf8'));
}

/**
 * Put/Delete of a bucket sub-resource (tagging, CORS, lifecycle, policy, ACL, ...): one C record per
 * kind, written in place. The transaction locks B, so it conflicts with a concurrent DeleteBucket
 * (which deletes B and every C): no configuration outlives its bucket.
 */
export async function putBucketConfig(
  deps: OpDeps,
  req: { bucket: string; kind: BucketConfigKind; document?: string },
  ctx: CallCtx,
): Promise<void> {
  const doc = checkConfig(req.kind, req.document);
  await deps.txn.run(
    'PutBucketConfig',
    async (tx) => {
      const b = await loadBucket(tx, req.bucket);
      tx.lock(bucketKey(req.bucket));
      if (req.kind === 'objectLock') enableObjectLock(tx, b, doc !== undefined);
      const key = bucketConfigKey(b.id, req.kind);
      if (doc) tx.put(key, codecs.bucketConfig.encode({ kind: req.kind, updatedAt: deps.clock() }, doc));
      else tx.delete(key);
    },
    ctx,
  );
}

/**
 * The `objectLock` document (the default retention, the gateway's format) comes with the bucket's
 * Object Lock flag, which metadata enforces: setting it enables Object Lock for good, on a bucket whose
 * versioning is Enabled (S3 allows enabling it on an existing bucket then); it cannot be removed.
 */
function enableObjectLock(tx: KvTxn, b: BucketRecord, setting: boolean): void {
  if (!setting) throw new ServiceError('InvalidArgument', 'Object Lock cannot be disabled on a bucket');
  if (b.objectLock) return;
  if (b.versioning !== 'Enabled') {
    throw new ServiceError('InvalidBucketState', 'Versioning must be \'Enabled\' on the bucket to apply a Object Lock configuration');
  }
  // B is locked by the caller, so a racing PutBucketVersioning (which writes B) conflicts with this.
  tx.put(bucketKey(b.name), codecs.bucket.encode({ ...b, objectLock: true }));
}

/** The bucket and the documents of `kinds` it has, read from one snapshot (B then every C in parallel). */
export function getBucketConfig(deps: OpDeps, req: { bucket: string; kinds: readonly BucketConfigKind[] }, ctx: CallCtx): Promise<BucketConfigs> {
  for (const k of req.kinds) checkKind(k);
  return deps.txn.read(
    'GetBucketConfig',
    async (s) => {
      const b = await loadBucket(s, req.bucket);
      const raws = await Promise.all(req.kinds.map((k) => s.get(bucketConfigKey(b.id, k))));
      const documents: Partial<Record<BucketConfigKind, string>> = {};
      raws.forEach((raw, i) => {
        if (raw) documents[req.kinds[i]] = codecs.bucketConfig.decode(raw).raw.toString('utf8');
      });
      return { bucket: toBucket(b), documents };
    },
    ctx,
  );
}
