import { checksumHeaders, discard, ingest } from '../../http/ingest';
import { header, parseObjectHeaders, versionIdHeader } from '../../http/object-headers';
import type { Handler } from '../../types';

export const putObject: Handler<'PutObject'> = async (ep, req, deps) => {
  const headers = parseObjectHeaders(req.headers, deps.config.maxUserMetadataBytes);
  const conditions = { ifMatch: header(req.headers, 'if-match'), ifNoneMatch: header(req.headers, 'if-none-match') };
  // A client waiting for 100 Continue learns of a missing bucket before it sends the body.
  if (req.awaitingContinue) await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  const body = await ingest(req, deps, { maxSize: deps.config.maxObjectSize, allowInline: true });
  try {
    const v = await deps.metadata.putObject(
      { bucket: ep.bucket, key: ep.key, data: body.data, size: body.size, etag: body.md5, headers, checksum: body.checksum, conditions },
      req.ctx,
    );
    return { status: 200, headers: { ETag: `"${v.etag}"`, ...checksumHeaders(v.checksum), ...versionIdHeader(v) } };
  } catch (e) {
    await discard(body.data, req, deps);
    throw e;
  }
};
