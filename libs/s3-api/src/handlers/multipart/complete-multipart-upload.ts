import { buildCompleteMultipartUploadResult, parseCompleteMultipartUpload, type Checksums } from '@massive/s3-protocol';
import { header, versionIdHeader } from '../../http/object-headers';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import { checksumFields } from '../../http/checksum-fields';
import { xmlResponse } from '../../http/xml-response';
import { encryptionHeaders, isCustomerEncrypted } from '../../sse/object-encryption';
import type { Handler } from '../../types';

export const completeMultipartUpload: Handler<'CompleteMultipartUpload'> = async (ep, req, deps) => {
  const xml = await readSmallBody(req, XML_BODY_LIMITS.CompleteMultipartUpload);
  const doc = parseCompleteMultipartUpload(xml);
  const v = await deps.metadata.completeMultipartUpload(
    {
      bucket: ep.bucket,
      key: ep.key,
      uploadId: ep.uploadId,
      parts: doc.Part.map((p) => ({ partNumber: p.PartNumber, etag: p.ETag, checksum: partChecksum(p) })),
      minPartSize: deps.config.minPartSize,
      conditions: { ifMatch: header(req.headers, 'if-match'), ifNoneMatch: header(req.headers, 'if-none-match') },
    },
    req.ctx,
  );
  const host = header(req.headers, 'host') ?? 'localhost';
  return xmlResponse(
    buildCompleteMultipartUploadResult({
      Location: `http://${host}/${ep.bucket}/${encodeURIComponent(ep.key).replace(/%2F/g, '/')}`,
      Bucket: ep.bucket,
      Key: ep.key,
      ETag: v.etag,
      ...checksumFields(v.checksum),
    }),
    200,
    // S3's Complete answers SSE-S3 but not SSE-C's algorithm and key MD5 (its API reference lists neither).
    { ...versionIdHeader(v), ...(isCustomerEncrypted(v.headers) ? {} : encryptionHeaders(v.headers)) },
  );
};

function partChecksum(p: Checksums): string | undefined {
  return p.ChecksumCRC32 ?? p.ChecksumCRC32C ?? p.ChecksumCRC64NVME ?? p.ChecksumSHA1 ?? p.ChecksumSHA256;
}
