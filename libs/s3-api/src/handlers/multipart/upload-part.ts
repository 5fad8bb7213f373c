import { commitPart, MAX_PART_SIZE } from '../../http/commit-part';
import { ingest } from '../../http/ingest';
import { checkPartIntegrity } from '../../http/object-lock';
import { dataKeyOf, encryptionHeaders, partEncryption } from '../../sse/object-encryption';
import { customerKeyOf, UPLOADING } from '../../sse/customer-keys';
import type { Handler } from '../../types';

export const uploadPart: Handler<'UploadPart'> = async (ep, req, deps) => {
  // Fail fast, before any byte is stored, when the upload does not exist.
  const upload = await deps.metadata.getMultipartUpload({ bucket: ep.bucket, key: ep.key, uploadId: ep.uploadId }, req.ctx);
  const dataKey = dataKeyOf(upload.headers, ep.bucket, ep.key, deps, customerKeyOf(req.headers), UPLOADING);
  checkPartIntegrity(req, upload.headers);
  const body = await ingest(req, deps, {
    maxSize: MAX_PART_SIZE,
    allowInline: false,
    checksumAlgorithm: upload.checksumAlgorithm,
    encryption: partEncryption(upload.headers, dataKey, ep.partNumber),
  });
  const part = await commitPart(ep, body, req, deps);
  const headers: Record<string, string> = { ETag: `"${part.etag}"`, ...encryptionHeaders(upload.headers) };
  if (part.checksum) headers[`x-amz-checksum-${part.checksum.algorithm.toLowerCase()}`] = part.checksum.value;
  return { status: 200, headers };
};
