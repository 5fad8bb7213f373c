import { buildCopyPartResult } from '@massive/s3-protocol';
import { checksumFields } from '../../http/checksum-fields';
import { commitPart, MAX_PART_SIZE } from '../../http/commit-part';
import { copySourceVersionHeader, loadCopySource, parseCopySourceRange, versionBytes } from '../../http/copy-source';
import { ingest } from '../../http/ingest';
import { header } from '../../http/object-headers';
import { xmlResponse } from '../../http/xml-response';
import { dataKeyOf, encryptionHeaders, partEncryption } from '../../sse/object-encryption';
import { customerKeyOf, UPLOADING } from '../../sse/customer-keys';
import type { Handler } from '../../types';

export const uploadPartCopy: Handler<'UploadPartCopy'> = async (ep, req, deps) => {
  const upload = await deps.metadata.getMultipartUpload({ bucket: ep.bucket, key: ep.key, uploadId: ep.uploadId }, req.ctx);
  const { version: src } = await loadCopySource(req, deps);
  const range = parseCopySourceRange(header(req.headers, 'x-amz-copy-source-range'), src.size);
  const dataKey = dataKeyOf(upload.headers, ep.bucket, ep.key, deps, customerKeyOf(req.headers), UPLOADING);
  const body = await ingest(req, deps, {
    encryption: partEncryption(upload.headers, dataKey, ep.partNumber),
    maxSize: MAX_PART_SIZE,
    allowInline: false,
    checksumAlgorithm: upload.checksumAlgorithm,
    source: versionBytes(src, range, req, deps, customerKeyOf(req.headers, true), true),
    sourceLength: range ? range.end - range.start + 1 : src.size,
  });
  const part = await commitPart(ep, body, req, deps);
  return xmlResponse(
    buildCopyPartResult({ ETag: part.etag, LastModified: new Date(part.lastModified), ...checksumFields(part.checksum, false) }),
    200,
    { ...copySourceVersionHeader(src), ...encryptionHeaders(upload.headers) },
  );
};
