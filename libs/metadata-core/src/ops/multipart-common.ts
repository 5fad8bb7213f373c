import { ServiceError, type MultipartUpload, type StoredPart } from '@massive/contracts';
import { prefixEnd, type KvReader, type KvTxn } from '@massive/kv';
import { idBytes, partKey, partPrefix, UPLOAD_GUARD_STRIPES, uploadGuardKey, uploadKey } from '../keys/keys';
import { codecs, type PartRecord, type UploadRecord } from '../model/records';

export const MAX_PART_NUMBER = 10000;

export function noSuchUpload(uploadId: string): ServiceError {
  return new ServiceError('NoSuchUpload', `The specified multipart upload does not exist: ${uploadId}`);
}

/** The upload of (bucket, key, uploadId), or NoSuchUpload (also for ids we never minted). */
export async function loadUpload(r: KvReader, bucketId: string, key: string, uploadId: string): Promise<UploadRecord> {
  if (!idBytes(uploadId)) throw noSuchUpload(uploadId);
  const raw = await r.get(uploadKey(bucketId, key, uploadId));
  if (!raw) throw noSuchUpload(uploadId);
  return codecs.upload.decodeValue(raw);
}

export function toMultipartUpload(bucket: string, u: UploadRecord): MultipartUpload {
  return {
    bucket,
    key: u.key,
    uploadId: u.uploadId,
    initiated: u.initiated,
    headers: u.headers,
    owner: u.owner,
    ...(u.checksumAlgorithm && { checksumAlgorithm: u.checksumAlgorithm }),
    ...(u.checksumType && { checksumType: u.checksumType }),
  };
}

export function toStoredPart(p: PartRecord): StoredPart {
  return {
    partNumber: p.partNumber,
    size: p.size,
    etag: p.etag,
    lastModified: p.lastModified,
    ...(p.checksum && { checksum: p.checksum }),
  };
}

/** Parts with number > `after`, ascending, at most `limit` (all of them by default, in pages). */
export async function scanParts(r: KvReader, uploadId: string, after = 0, limit = Infinity): Promise<PartRecord[]> {
  const out: PartRecord[] = [];
  const end = prefixEnd(partPrefix(uploadId));
  let start = partKey(uploadId, after + 1);
  while (out.length < limit) {
    const want = Math.min(1000, limit - out.length);
    const page = await r.scan(start, end, { limit: want });
    for (const p of page) out.push(codecs.part.decodeValue(p.value));
    if (page.length < want) break;
    start = Buffer.concat([page[page.length - 1].key, Buffer.from([0])]);
  }
  return out;
}

/** Writes every upload guard stripe: conflicts with any UploadPart of this upload running concurrently. */
export function deleteUploadGuards(tx: KvTxn, uploadId: string): void {
  for (let s = 0; s < UPLOAD_GUARD_STRIPES; s++) tx.delete(uploadGuardKey(uploadId, s));
}
