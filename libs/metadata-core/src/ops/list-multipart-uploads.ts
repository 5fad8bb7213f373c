import type { CallCtx, ListUploadsReq, ListUploadsRes, MultipartUpload } from '@massive/contracts';
import { prefixEnd } from '@massive/kv';
import { decodeUploadKey, idBytes, keySuccessor, uploadKey, uploadKeyPrefix, uploadPrefix } from '../keys/keys';
import { codecs } from '../model/records';
import { loadBucket } from './common';
import type { OpDeps } from './deps';
import { toMultipartUpload } from './multipart-common';

export const MAX_UPLOADS = 1000;
const BATCH = 64;

/**
 * ListMultipartUploads: by key, then by initiation time (upload ids sort by time), from one snapshot.
 * Resumes after (keyMarker, uploadIdMarker), or after every upload of keyMarker when no id is given.
 * Common prefixes are skipped with one seek each, as in ListObjects.
 */
export function listMultipartUploads(deps: OpDeps, req: ListUploadsReq, ctx: CallCtx): Promise<ListUploadsRes> {
  return deps.txn.read(
    'ListMultipartUploads',
    async (s) => {
      const bucket = await loadBucket(s, req.bucket);
      const bid = bucket.id;
      const prefix = req.prefix ?? '';
      const delimiter = req.delimiter || undefined;
      const max = Math.max(0, Math.min(MAX_UPLOADS, Math.floor(req.maxUploads)));
      const lowest = uploadPrefix(bid, prefix);
      const end = prefixEnd(lowest);
      let start = lowest;
      if (req.keyMarker !== undefined) {
        const after =
          req.uploadIdMarker && idBytes(req.uploadIdMarker)
            ? keySuccessor(uploadKey(bid, req.keyMarker, req.uploadIdMarker))
            : prefixEnd(uploadKeyPrefix(bid, req.keyMarker));
        if (Buffer.compare(after, start) > 0) start = after;
      }
      const uploads: MultipartUpload[] = [];
      const commonPrefixes: string[] = [];
      let last: { key: string; uploadId?: string } | undefined;
      const done = (isTruncated: boolean): ListUploadsRes => ({
        uploads,
        commonPrefixes,
        isTruncated,
        ...(isTruncated && last && { nextKeyMarker: last.key }),
        ...(isTruncated && last?.uploadId && { nextUploadIdMarker: last.uploadId }),
      });

      for (;;) {
        const batch = await s.scan(start, end, { limit: BATCH });
        if (batch.length === 0) return done(false);
        let sought = false;
        for (const pair of batch) {
          if (uploads.length + commonPrefixes.length === max) return done(max > 0);
          const { key } = decodeUploadKey(pair.key);
          const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
          if (cut >= 0) {
            const cp = key.slice(0, cut + (delimiter?.length ?? 0));
            start = prefixEnd(uploadPrefix(bid, cp));
            sought = true;
            if (cp !== req.keyMarker) {
              commonPrefixes.push(cp);
              last = { key: cp };
            }
            break;
          }
          const u = codecs.upload.decodeValue(pair.value);
          uploads.push(toMultipartUpload(req.bucket, u));
          last = { key, uploadId: u.uploadId };
          start = keySuccessor(pair.key);
        }
        if (!sought && batch.length < BATCH) return done(false);
      }
    },
    ctx,
  );
}
