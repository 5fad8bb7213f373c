import type { CallCtx, ListObjectsReq, ListObjectsRes, ObjectSummary } from '@massive/contracts';
import { prefixEnd, type KvReader } from '@massive/kv';
import { decodeObjectKey, keySuccessor, objectKey, objectPrefix } from '../keys/keys';
import { codecs } from '../model/records';
import { loadBucket } from './common';
import { DelimitedBatch } from './delimited-batch';
import type { OpDeps } from './deps';

export const MAX_KEYS = 1000;

/**
 * ListObjects (v1 and v2): one snapshot per page, O(page) reads. When a common prefix is emitted the
 * scan seeks to prefixEnd(prefix + delimiter) instead of walking the keys under it.
 */
export function listObjects(deps: OpDeps, req: ListObjectsReq, ctx: CallCtx): Promise<ListObjectsRes> {
  return deps.txn.read(
    'ListObjects',
    async (s) => {
      const bucket = await loadBucket(s, req.bucket);
      return listPage(s, bucket.id, req);
    },
    ctx,
  );
}

export async function listPage(r: KvReader, bucketId: string, req: ListObjectsReq): Promise<ListObjectsRes> {
  const prefix = req.prefix ?? '';
  const delimiter = req.delimiter || undefined;
  const maxKeys = Math.max(0, Math.min(MAX_KEYS, Math.floor(req.maxKeys)));
  const lowest = objectPrefix(bucketId, prefix);
  const end = prefixEnd(lowest);
  let start = lowest;
  if (req.startAfter !== undefined) {
    const after = keySuccessor(objectKey(bucketId, req.startAfter));
    if (Buffer.compare(after, start) > 0) start = after;
  }
  const objects: ObjectSummary[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;

  const count = () => objects.length + commonPrefixes.length;
  const batches = new DelimitedBatch();
  while (count() < maxKeys) {
    const want = maxKeys - count() + 1;
    const limit = delimiter ? batches.limit(want) : want;
    const batch = await r.scan(start, end, { limit });
    if (batch.length === 0) return { objects, commonPrefixes, isTruncated: false };
    let sought = false;
    for (const pair of batch) {
      if (count() === maxKeys) return { objects, commonPrefixes, isTruncated: true, nextMarker: last };
      const key = decodeObjectKey(pair.key);
      const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const cp = key.slice(0, cut + (delimiter?.length ?? 0));
        // Seek past every key under the prefix: this is what keeps a listing O(page).
        start = prefixEnd(objectPrefix(bucketId, cp));
        sought = true;
        // A marker equal to the prefix means the previous page already returned it.
        if (cp !== req.startAfter) {
          commonPrefixes.push(cp);
          last = cp;
        }
        break;
      }
      const o = codecs.object.decodeValue(pair.value);
      objects.push({
        key,
        size: o.size,
        etag: o.etag,
        lastModified: o.lastModified,
        ...(o.checksumAlgorithm && { checksumAlgorithm: o.checksumAlgorithm }),
        ...(o.checksumType && { checksumType: o.checksumType }),
      });
      last = key;
      start = keySuccessor(pair.key);
    }
    if (start.length === 0) return { objects, commonPrefixes, isTruncated: false };
    if (!sought && batch.length < limit) return { objects, commonPrefixes, isTruncated: false };
    if (sought) batches.sought();
    else batches.ranThrough();
  }
  // The page is full: it is truncated only if anything at all remains.
  const more = maxKeys > 0 && (await r.scan(start, end, { limit: 1 })).length > 0;
  return { objects, commonPrefixes, isTruncated: more, ...(more && { nextMarker: last }) };
}
