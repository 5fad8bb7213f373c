import { objectAclForWrite, withAcl } from '../../access/request-acl';
import { buildInitiateMultipartUploadResult } from '@massive/s3-protocol';
import { parseChecksumRequest } from '../../http/checksum-request';
import { parseObjectHeaders } from '../../http/object-headers';
import { writeLock, withLock } from '../../http/object-lock';
import { requestTags, withTags } from '../../http/tagging';
import { xmlResponse } from '../../http/xml-response';
import { encryptionHeaders, withEncryption, writeEncryption } from '../../sse/object-encryption';
import type { Handler } from '../../types';

export const createMultipartUpload: Handler<'CreateMultipartUpload'> = async (ep, req, deps) => {
  // Tags and the ACL ride in the upload's headers and are applied at Complete, as S3 does.
  const acl = await objectAclForWrite(ep.bucket, req, deps);
  // The upload's data key seals every part; Complete keeps it as the object's.
  const encryption = await writeEncryption(req.headers, ep.bucket, ep.key, deps, req.ctx);
  // A retention counts from now, the upload's start (S3 dates a multipart object by its initiation too);
  // each part must then come with Content-MD5 or a checksum (checkPartIntegrity).
  const lock = await writeLock(req, ep.bucket, deps, req.ctx, { body: false });
  const parsed = withTags(parseObjectHeaders(req.headers, deps.config.maxUserMetadataBytes), requestTags(req.headers));
  const headers = withLock(withEncryption(withAcl(parsed, acl), encryption), lock);
  const { algorithm, type } = parseChecksumRequest(req.headers, 'multipart');
  const upload = await deps.metadata.createMultipartUpload(
    { bucket: ep.bucket, key: ep.key, headers, owner: req.owner, checksumAlgorithm: algorithm, checksumType: type },
    req.ctx,
  );
  return xmlResponse(buildInitiateMultipartUploadResult({ Bucket: ep.bucket, Key: ep.key, UploadId: upload.uploadId }), 200, {
    'x-amz-checksum-algorithm': algorithm,
    'x-amz-checksum-type': algorithm ? type : undefined,
    ...encryptionHeaders(headers, true),
  });
};
