import { prefixEnd, type KvReader, type KvTxn } from '@massive/kv';
import { BUCKET_GUARD_STRIPES, guardKey, guardPrefix, guardStripe } from '../keys/keys';
import { codecs, type BucketRecord, type UsageRecord } from '../model/records';

/**
 * A bucket's usage (object versions and their bytes), counted incrementally in its guard stripes: the
 * transaction that adds or removes a version adjusts the stripe of its key (see `UsageRecord`). Reading
 * it is one bounded scan (BUCKET_GUARD_STRIPES keys), never a walk over the objects.
 */
export const NO_USAGE: UsageRecord = { objects: 0, bytes: 0 };

/** The stripe record a writer of `key` reads with its key state (undefined: the bucket is not tracked). */
export function usageKeyOf(bucket: BucketRecord, key: string): Buffer | undefined {
  return bucket.usageTracked ? guardKey(bucket.id, guardStripe(key)) : undefined;
}

export function decodeUsage(raw: Buffer | undefined): UsageRecord {
  return raw ? codecs.usage.decodeValue(raw) : NO_USAGE;
}

/** A change of usage: a version stored (+1, +size) or removed (-1, -size). */
export interface UsageDelta {
  objects: number;
  bytes: number;
}

export const delta = (): UsageDelta => ({ objects: 0, bytes: 0 });
export function addVersion(d: UsageDelta, size: number): void {
  d.objects += 1;
  d.bytes += size;
}
export function removeVersionUsage(d: UsageDelta, size: number): void {
  d.objects -= 1;
  d.bytes -= size;
}

/**
 * Writes the stripe's new usage when it changed. `before` is what this transaction read with the key
 * state (read here when the caller has none); a concurrent writer of the same stripe wrote or locked
 * it, so one of the two conflicts and retries: no update is lost.
 */
export async function applyUsage(tx: KvTxn, bucket: BucketRecord, key: string, before: UsageRecord | undefined, d: UsageDelta): Promise<void> {
  if (!bucket.usageTracked || (d.objects === 0 && d.bytes === 0)) return;
  const stripe = guardKey(bucket.id, guardStripe(key));
  const b = before ?? decodeUsage(await tx.get(stripe));
  tx.put(stripe, codecs.usage.encode({ objects: b.objects + d.objects, bytes: b.bytes + d.bytes }));
}

/** The bucket's usage: the sum over its stripes (undefined when the bucket is not tracked). */
export async function readBucketUsage(r: KvReader, bucket: BucketRecord): Promise<UsageRecord | undefined> {
  if (!bucket.usageTracked) return undefined;
  const prefix = guardPrefix(bucket.id);
  const stripes = await r.scan(prefix, prefixEnd(prefix), { limit: BUCKET_GUARD_STRIPES });
  let objects = 0;
  let bytes = 0;
  for (const s of stripes) {
    const u = codecs.usage.decodeValue(s.value);
    objects += u.objects;
    bytes += u.bytes;
  }
  return { objects, bytes };
}
