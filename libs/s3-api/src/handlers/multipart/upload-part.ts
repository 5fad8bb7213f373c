import { S3Error } from '@massive/s3-protocol';
import { checksumHeaders, discard, ingest } from '../../http/ingest';
import type { Handler } from '../../types';

/** S3's largest part. */
const MAX_PART_SIZE = 5 * 1024 ** 3;

export const uploadPart: Handler<'UploadPart'> = async (ep, req, deps) => {
  // Fail fast, before any byte is stored, when the upload does not exist.
  const upload = await deps.metadata.getMultipartUpload({ bucket: ep.bucket, key: ep.key, uploadId: ep.uploadId }, req.ctx);
  const body = await ingest(req, deps, { maxSize: MAX_PART_SIZE, allowInline: false, checksumAlgorithm: upload.checksumAlgorithm });
  if (body.data.kind !== 'chunks') throw new S3Error('InternalError');
  try {
    const part = await deps.metadata.uploadPart(
      {
        bucket: ep.bucket,
        key: ep.key,
        uploadId: ep.uploadId,
        partNumber: ep.partNumber,
        manifest: body.data.manifest,
        intentId: body.data.intentId,
        etag: body.md5,
        checksum: body.checksum,
      },
      req.ctx,
    );
    const ck = checksumHeaders(part.checksum);
    delete ck['x-amz-checksum-type'];
    return { status: 200, headers: { ETag: `"${part.etag}"`, ...ck } };
  } catch (e) {
    await discard(body.data, req, deps);
    throw e;
  }
};
