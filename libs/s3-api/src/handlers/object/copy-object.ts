import { objectAclForWrite, withAcl } from '../../access/request-acl';
import type { NewObjectData } from '@massive/contracts';
import { buildCopyObjectResult, parseChecksumAlgorithm, S3Error } from '@massive/s3-protocol';
import { copySourceVersionHeader, loadCopySource, versionBytes } from '../../http/copy-source';
import { discard, ingest } from '../../http/ingest';
import { header, parseObjectHeaders, versionIdHeader, websiteRedirectOf } from '../../http/object-headers';
import { writeLock, withLock } from '../../http/object-lock';
import { xmlResponse } from '../../http/xml-response';
import { checksumFields } from '../../http/checksum-fields';
import { copyTags, withTags } from '../../http/tagging';
import { asksForEncryption, checkCustomerKey, encryptionHeaders, ingestEncryption, isCustomerEncrypted, resealedKey, sameSealing, withEncryption, writeEncryption } from '../../sse/object-encryption';
import { COPYING, customerKeyOf } from '../../sse/customer-keys';
import type { Handler } from '../../types';

export const copyObject: Handler<'CopyObject'> = async (ep, req, deps) => {
  const directive = (header(req.headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
  }
  // The copy gets the ACL this request asks for (private without one), never the source's.
  const acl = await objectAclForWrite(ep.bucket, req, deps);
  const { source, version: src } = await loadCopySource(req, deps);
  // An SSE-C source is read only with its key (x-amz-copy-source-server-side-encryption-customer-*).
  const sourceKey = customerKeyOf(req.headers, true);
  checkCustomerKey(src.headers, sourceKey, COPYING);
  const toItself = source.bucket === ep.bucket && source.key === ep.key;
  // Copying a named version onto its key is how S3 users restore an old version: not a no-op; nor is a
  // copy onto itself that names an encryption (how S3 users encrypt objects stored before), or that
  // takes a customer's key (SSE-C) off.
  // A website redirect location is never copied: the copy has the one its request names, if any.
  const websiteRedirectLocation = websiteRedirectOf(req.headers);
  if (
    toItself && directive === 'COPY' && source.versionId === undefined && websiteRedirectLocation === undefined &&
    !asksForEncryption(req.headers) && !isCustomerEncrypted(src.headers)
  ) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  // Tags follow their own directive (x-amz-tagging-directive), independent of the metadata one; the copy
  // gets the requested ACL, never the source's.
  const tags = copyTags(req.headers, src.headers.tags);
  // The copy is encrypted as its request (or else its bucket's default) says, whatever the source was.
  const encryption = await writeEncryption(req.headers, ep.bucket, ep.key, deps, req.ctx);
  // Nor is a retention or legal hold copied: the copy has what its request (or its bucket's default) gives it.
  const lock = await writeLock(req, ep.bucket, deps, req.ctx, { body: false });
  const kept = withTags(
    directive === 'REPLACE' ? parseObjectHeaders(req.headers, deps.config.maxUserMetadataBytes) : { ...src.headers, websiteRedirectLocation },
    tags,
  );
  let headers = withLock(withEncryption(withAcl(kept, acl), encryption), lock);
  const algRaw = header(req.headers, 'x-amz-checksum-algorithm');
  const algorithm = algRaw !== undefined ? parseChecksumAlgorithm(algRaw) : src.checksum?.type === 'FULL_OBJECT' ? src.checksum.algorithm : undefined;
  const conditions = { ifMatch: header(req.headers, 'if-match'), ifNoneMatch: header(req.headers, 'if-none-match') };

  let data: NewObjectData;
  let etag = src.etag;
  let checksum = src.checksum;
  // The write replaces the source version only when the bucket is not Enabled and the source is the
  // null version (the one a non-versioned write replaces); otherwise both stay, and never share data.
  const replacesSource = src.bucketVersioning !== 'Enabled' && (src.s3VersionId === undefined || src.s3VersionId === 'null');
  // SSE-C on either side is a change of key (or to or from one): the bytes are always rewritten.
  const customerKeys = encryption?.sse.customerKeyMd5 !== undefined || isCustomerEncrypted(src.headers);
  // The bytes stay only where the data key can: both plaintext, or sealed the same way (SSE-S3, or SSE-KMS
  // under the same KMS key and context). A change of KMS key or context rewrites them with a new data key.
  const sameKeying = encryption === undefined || src.headers.sse === undefined ? encryption === src.headers.sse : sameSealing(encryption.sse, src.headers.sse);
  if (toItself && replacesSource && !customerKeys && algorithm === src.checksum?.algorithm && sameKeying) {
    // Same bytes, new metadata: keep the stored data (and, encrypted, the data key sealing it); nothing is
    // copied. The data key is sealed anew under the current master key: after a rotation, copying an
    // object onto itself is how it stops needing the previous one.
    data = { kind: 'current', versionId: src.versionId };
    if (encryption && src.headers.sse) headers = { ...headers, sse: { ...encryption.sse, key: resealedKey(src.headers.sse, ep.bucket, ep.key, deps) } };
  } else {
    const body = await ingest(req, deps, {
      maxSize: deps.config.maxObjectSize,
      allowInline: true,
      checksumAlgorithm: algorithm,
      source: versionBytes(src, undefined, req, deps, sourceKey, true),
      sourceLength: src.size,
      encryption: ingestEncryption(encryption, 0),
    });
    data = body.data;
    // A copy of a multipart object is a single object, whose ETag is its MD5; an SSE-C source's ETag is
    // not its MD5, and an SSE-C copy's is its own (ingest).
    etag = encryption?.sse.customerKeyMd5 !== undefined || src.parts || isCustomerEncrypted(src.headers) ? body.etag : src.etag;
    checksum = body.checksum;
  }
  try {
    const v = await deps.metadata.putObject(
      { bucket: ep.bucket, key: ep.key, data, size: src.size, etag, headers, checksum, conditions, withoutData: true },
      req.ctx,
    );
    return xmlResponse(buildCopyObjectResult({ ETag: v.etag, LastModified: new Date(v.lastModified), ...checksumFields(v.checksum) }), 200, {
      ...versionIdHeader(v),
      ...copySourceVersionHeader(src),
      ...encryptionHeaders(headers, true),
    });
  } catch (e) {
    await discard(data, req, deps);
    throw e;
  }
};
