import { objectAclForWrite, withAcl } from '../../access/request-acl';
import { buildInitiateMultipartUploadResult } from '@massive/s3-protocol';
import { parseChecksumRequest } from '../../http/checksum-request';
import { parseObjectHeaders } from '../../http/object-headers';
import { requestTags, withTags } from '../../http/tagging';
import { xmlResponse } from '../../http/xml-response';
import { encryptionHeaders, withEncryption, writeEncryption } from '../../sse/object-encryption';
import type { Handler } from '../../types';

export const createMultipartUpload: Handler<'CreateMultipartUpload'> = async (ep, req, deps) => {
  // Tags and the ACL ride in the upload's headers and are applied at Complete, as S3 does.
  const acl = await objectAclForWrite(ep.bucket, req, deps);
  // The upload's data key seals every part; Complete keeps it as the object's.
  const encryption = await writeEncryption(req.headers, ep.bucket, ep.key, deps, req.ctx);
  const headers = withEncryption(withAcl(withTags(parseObjectHeaders(req.headers, deps.config.maxUserMetadataBytes), requestTags(req.headers)), acl), encryption);
  const { algorithm, type } = parseChecksumRequest(req.headers, 'multipart');
  const upload = await deps.metadata.createMultipartUpload(
    { bucket: ep.bucket, key: ep.key, headers, owner: req.owner, checksumAlgorithm: algorithm, checksumType: type },
    req.ctx,
  );
  return xmlResponse(buildInitiateMultipartUploadResult({ Bucket: ep.bucket, Key: ep.key, UploadId: upload.uploadId }), 200, {
    'x-amz-checksum-algorithm': algorithm,
    'x-amz-checksum-type': algorithm ? type : undefined,
    ...encryptionHeaders(headers),
  });
};
