import { buildCopyPartResult, S3Error } from '@massive/s3-protocol';
import { loadCopySource, parseCopySourceRange, versionBytes } from '../../http/copy-source';
import { discard, ingest } from '../../http/ingest';
import { header } from '../../http/object-headers';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';
import { checksumFields } from '../../http/checksum-fields';

const MAX_PART_SIZE = 5 * 1024 ** 3;

export const uploadPartCopy: Handler<'UploadPartCopy'> = async (ep, req, deps) => {
  const upload = await deps.metadata.getMultipartUpload({ bucket: ep.bucket, key: ep.key, uploadId: ep.uploadId }, req.ctx);
  const { version: src } = await loadCopySource(req, deps);
  const range = parseCopySourceRange(header(req.headers, 'x-amz-copy-source-range'), src.size);
  const size = range ? range.end - range.start + 1 : src.size;
  const body = await ingest(req, deps, {
    maxSize: MAX_PART_SIZE,
    allowInline: false,
    checksumAlgorithm: upload.checksumAlgorithm,
    source: versionBytes(src, range, req, deps),
    sourceLength: size,
  });
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
    return xmlResponse(buildCopyPartResult({ ETag: part.etag, LastModified: new Date(part.lastModified), ...checksumFields(part.checksum, false) }));
  } catch (e) {
    await discard(body.data, req, deps);
    throw e;
  }
};
