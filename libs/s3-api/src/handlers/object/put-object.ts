import { objectAclForWrite, withAcl } from '../../access/request-acl';
import { checksumHeaders, discard, ingest } from '../../http/ingest';
import { expirationHeaders } from '../../http/lifecycle-expiration';
import { header, parseObjectHeaders, versionIdHeader } from '../../http/object-headers';
import { writeLock, withLock } from '../../http/object-lock';
import { requestTags, withTags } from '../../http/tagging';
import { encryptionHeaders, ingestEncryption, withEncryption, writeEncryption } from '../../sse/object-encryption';
import type { Handler } from '../../types';

export const putObject: Handler<'PutObject'> = async (ep, req, deps) => {
  const acl = await objectAclForWrite(ep.bucket, req, deps);
  const encryption = await writeEncryption(req.headers, ep.bucket, ep.key, deps, req.ctx);
  const lock = await writeLock(req, ep.bucket, deps, req.ctx, { body: true });
  const parsed = withTags(parseObjectHeaders(req.headers, deps.config.maxUserMetadataBytes), requestTags(req.headers));
  const headers = withLock(withEncryption(withAcl(parsed, acl), encryption), lock);
  const conditions = { ifMatch: header(req.headers, 'if-match'), ifNoneMatch: header(req.headers, 'if-none-match') };
  // A client waiting for 100 Continue learns of a missing bucket before it sends the body.
  if (req.awaitingContinue) await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  const body = await ingest(req, deps, { maxSize: deps.config.maxObjectSize, allowInline: true, encryption: ingestEncryption(encryption, 0) });
  const rules = deps.lifecycleRules?.rules(ep.bucket, req.ctx);
  try {
    const v = await deps.metadata.putObject(
      { bucket: ep.bucket, key: ep.key, data: body.data, size: body.size, etag: body.etag, headers, checksum: body.checksum, conditions, withoutData: true },
      req.ctx,
    );
    const expiration = rules ? expirationHeaders(await rules, v) : {};
    return { status: 200, headers: { ETag: `"${v.etag}"`, ...checksumHeaders(v.checksum), ...versionIdHeader(v), ...encryptionHeaders(headers, true), ...expiration } };
  } catch (e) {
    await discard(body.data, req, deps);
    throw e;
  }
};
