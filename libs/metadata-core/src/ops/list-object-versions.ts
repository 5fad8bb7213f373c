import type { CallCtx, ListObjectVersionsReq, ListObjectVersionsRes, VersionSummary } from '@massive/contracts';
import { prefixEnd, type KvReader } from '@massive/kv';
import { decodeVersionKey, keySuccessor, keyVersionsPrefix, versionKey, versionPrefix } from '../keys/keys';
import { codecs, type BucketRecord } from '../model/records';
import { loadBucket } from './common';
import { DelimitedBatch } from './delimited-batch';
import type { OpDeps } from './deps';
import { loadKeyState, s3VersionIdOf } from './key-versions';
import { MAX_KEYS } from './list-objects';
import { checkVersionId, NULL_VERSION_ID } from './version-id';

/**
 * ListObjectVersions: one snapshot per page, O(page) reads. It walks the V family in key order, which is
 * every key's versions and markers newest first; the first V of a key is its latest. A common prefix
 * seeks past every version below it; a key marker seeks past every version of that key (or, with a
 * version id marker, just past that version).
 */
export async function listObjectVersions(deps: OpDeps, req: ListObjectVersionsReq, ctx: CallCtx): Promise<ListObjectVersionsRes> {
  if (req.versionIdMarker !== undefined && req.versionIdMarker !== '') checkVersionId(req.versionIdMarker);
  return deps.txn.read(
    'ListObjectVersions',
    async (s) => versionsPage(s, await loadBucket(s, req.bucket), req),
    ctx,
  );
}

/** Where a page starts, and the key whose latest version an earlier page already returned. */
async function startOf(r: KvReader, bucket: BucketRecord, req: ListObjectVersionsReq, lowest: Buffer): Promise<{ start: Buffer; midKey?: string }> {
  const marker = req.keyMarker;
  if (marker === undefined || marker === '') return { start: lowest };
  const later = (b: Buffer): Buffer => (Buffer.compare(b, lowest) > 0 ? b : lowest);
  const idMarker = req.versionIdMarker || undefined;
  const id = idMarker === NULL_VERSION_ID ? (await loadKeyState(r, bucket, marker)).nullId : idMarker;
  // Without a version marker (or naming a null version that is gone): after every version of the key.
  if (id === undefined) return { start: later(prefixEnd(keyVersionsPrefix(bucket.id, marker))) };
  return { start: later(keySuccessor(versionKey(bucket.id, marker, id))), midKey: marker };
}

export async function versionsPage(r: KvReader, bucket: BucketRecord, req: ListObjectVersionsReq): Promise<ListObjectVersionsRes> {
  const prefix = req.prefix ?? '';
  const delimiter = req.delimiter || undefined;
  const maxKeys = Math.max(0, Math.min(MAX_KEYS, Math.floor(req.maxKeys)));
  const lowest = versionPrefix(bucket.id, prefix);
  const end = prefixEnd(lowest);
  let { start, midKey: prevKey } = await startOf(r, bucket, req, lowest);

  const versions: VersionSummary[] = [];
  const commonPrefixes: string[] = [];
  let last: { key: string; versionId?: string } | undefined;
  const count = (): number => versions.length + commonPrefixes.length;
  const truncated = (): ListObjectVersionsRes => ({
    versions,
    commonPrefixes,
    isTruncated: true,
    ...(last && { nextKeyMarker: last.key }),
    ...(last?.versionId !== undefined && { nextVersionIdMarker: last.versionId }),
  });

  const batches = new DelimitedBatch();
  while (count() < maxKeys) {
    const want = maxKeys - count() + 1;
    const limit = delimiter ? batches.limit(want) : want;
    const batch = await r.scan(start, end, { limit });
    if (batch.length === 0) return { versions, commonPrefixes, isTruncated: false };
    let sought = false;
    for (const pair of batch) {
      if (count() === maxKeys) return truncated();
      const { key } = decodeVersionKey(pair.key);
      const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const cp = key.slice(0, cut + (delimiter?.length ?? 0));
        start = prefixEnd(versionPrefix(bucket.id, cp)); // past every version below the prefix: O(page)
        sought = true;
        if (cp !== req.keyMarker) {
          commonPrefixes.push(cp);
          last = { key: cp };
        }
        break;
      }
      const v = codecs.version.decodeValue(pair.value);
      versions.push({
        key,
        versionId: s3VersionIdOf(v),
        isLatest: key !== prevKey,
        deleteMarker: v.deleteMarker === true,
        lastModified: v.lastModified,
        size: v.size,
        etag: v.etag,
        ...(v.checksum && { checksumAlgorithm: v.checksum.algorithm, checksumType: v.checksum.type }),
      });
      prevKey = key;
      last = { key, versionId: s3VersionIdOf(v) };
      start = keySuccessor(pair.key);
    }
    if (!sought && batch.length < limit) return { versions, commonPrefixes, isTruncated: false };
    if (sought) batches.sought();
    else batches.ranThrough();
  }
  const more = maxKeys > 0 && (await r.scan(start, end, { limit: 1 })).length > 0;
  return more ? truncated() : { versions, commonPrefixes, isTruncated: false };
}
