import {
  buildPostResponse,
  checkKeyLength,
  evaluatePostPolicy,
  missingField,
  parsePostPolicy,
  postAuthFields,
  S3Error,
  SigningKeyCache,
  verifyPostSignature,
  verifyPostSignatureV2,
} from '@massive/s3-protocol';
import { authorizeKey } from '../../access/authorize-key';
import { formUploadRequest } from '../../http/form-auth';
import { formFileBody } from '../../http/form-file-body';
import { readFormUpload, type FormUpload } from '../../http/form-upload';
import { checksumHeaders, discard, ingest } from '../../http/ingest';
import { header, parseObjectHeaders, versionIdHeader } from '../../http/object-headers';
import { writeLock, withLock } from '../../http/object-lock';
import { formWrite, objectLocation, redirectLocation, successAction } from '../../http/post-form';
import { objectAclForWrite, withAcl } from '../../access/request-acl';
import { withTags } from '../../http/tagging';
import { refuseUnsupportedHeaders } from '../../http/unsupported-headers';
import { encryptionHeaders, ingestEncryption, withEncryption, writeEncryption } from '../../sse/object-encryption';
import { xmlResponse } from '../../http/xml-response';
import type { Handler, S3ApiDeps } from '../../types';
import { sessionLookup } from '../../identity/session-tokens';

/** One signing-key cache per deps object (per gateway), never a module global. */
const keyCaches = new WeakMap<S3ApiDeps, SigningKeyCache>();

/**
 * PostObject: a browser form upload (HTML POST with multipart/form-data). The fields before the file
 * are checked first (SigV4 signature of the policy, the policy's expiration and conditions with
 * `${filename}` substituted into the key), then the file streams into the same write path as a PUT
 * (write intent, checksums, metadata commit), bounded by the policy's content-length-range.
 */
export const postObject: Handler<'PostObject'> = async (ep, req, deps) => {
  const form = await readFormUpload(req.body, header(req.headers, 'content-type') ?? '');
  try {
    return await upload(form);
  } catch (e) {
    form.abandon();
    throw e;
  }

  async function upload(f: FormUpload) {
    const auth = postAuthFields(f.fields);
    // No public-write ACL or bucket policy exists yet, so an unsigned form is refused.
    if (auth.kind === 'anonymous') throw new S3Error('AccessDenied');
    if (auth.kind === 'sigv2' && !deps.config.sigV2) throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    // Temporary credentials (STS): the form carries the session token, which its policy must name like
    // any field (evaluatePostPolicy), so the signature binds it; the form then acts as the session's key.
    const token = f.fields.get('x-amz-security-token');
    if (token !== undefined && !deps.sessions) throw new S3Error('InvalidToken');
    const session = token !== undefined ? deps.sessions?.open(token) : undefined;
    let keyCache = keyCaches.get(deps);
    if (!keyCache) keyCaches.set(deps, (keyCache = new SigningKeyCache()));
    // A non-root key not in the gateway's key cache is read first.
    const loading = deps.credentials.prepare?.(session?.parentAccessKeyId ?? (auth.kind === 'sigv2' ? auth.accessKeyId : auth.credential.split('/')[0]), req.ctx);
    if (loading) await loading;
    const lookup = session ? sessionLookup(session) : { lookup: (id: string) => deps.credentials.lookup(id)?.secretKey };
    const signed = auth.kind === 'sigv2' ? verifyPostSignatureV2(auth, lookup) : verifyPostSignature(auth, lookup, { region: deps.config.region, keyCache });
    const cred = deps.credentials.lookup(session?.parentAccessKeyId ?? signed.accessKeyId);
    if (!cred) {
      if (session) throw new S3Error('InvalidToken');
      throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: signed.accessKeyId });
    }
    // The form's key needs write on the bucket, as a PutObject by it would.
    if (cred.scope) await authorizeKey({ ...formUploadRequest(), owner: cred.owner, scope: cred.scope }, ep, deps, req.ctx);
    const policy = parsePostPolicy(auth.policy);

    const rawKey = f.fields.get('key');
    if (rawKey === undefined) throw missingField('key');
    const key = rawKey.split('${filename}').join(f.filename);
    if (key === '') throw new S3Error('InvalidArgument', 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
    checkKeyLength(key, deps.config.maxKeyBytes);
    // The bucket policy's Deny of s3:PutObject on this key binds the form's signer (issue 13).
    if (req.postKeyDenied?.(cred.owner, key, auth.kind === 'sigv2' ? 'AWS' : undefined)) throw new S3Error('AccessDenied');
    const fields = f.fields.with('key', key);
    const range = evaluatePostPolicy(policy, { bucket: ep.bucket, fields, now: new Date() });

    const write = formWrite(fields);
    refuseUnsupportedHeaders(write.headers, 'PostObject', req.secure === true);
    const body = await formFileBody(f.file, deps.config.inlineThreshold, range);
    const fileReq = { ...req, headers: write.headers, body, owner: cred.owner };
    // The `acl` field is checked against the bucket's ownership controls and Block Public Access as a PUT's x-amz-acl.
    const acl = await objectAclForWrite(ep.bucket, fileReq, deps);
    const encryption = await writeEncryption(write.headers, ep.bucket, key, deps, req.ctx);
    // A form's Object Lock fields as a PUT's headers (no Content-MD5 asked of a browser form: the policy signs it).
    const lock = await writeLock(fileReq, ep.bucket, deps, req.ctx, { body: false });
    const parsed = withTags(parseObjectHeaders(write.headers, deps.config.maxUserMetadataBytes), write.tags);
    const headers = withLock(withEncryption(withAcl(parsed, acl), encryption), lock);
    const data = await ingest(fileReq, deps, {
      maxSize: deps.config.maxObjectSize,
      allowInline: true,
      lengthFromStream: true,
      checksumAlgorithm: write.checksumAlgorithm,
      encryption: ingestEncryption(encryption, 0),
    });
    try {
      if (range && data.size < range.min) {
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
          ProposedSize: String(data.size),
          MinSizeAllowed: String(range.min),
        });
      }
      // The whole form is read (and well-formed) before the object becomes visible.
      await f.finished();
      const v = await deps.metadata.putObject(
        { bucket: ep.bucket, key, data: data.data, size: data.size, etag: data.etag, headers, checksum: data.checksum, withoutData: true },
        req.ctx,
      );
      const common = { ETag: `"${v.etag}"`, ...checksumHeaders(v.checksum), ...versionIdHeader(v), ...encryptionHeaders(headers, true) };
      const action = successAction(fields);
      if (action.kind === 'redirect') return { status: 303, headers: { ...common, Location: redirectLocation(action.url, ep.bucket, key, v.etag) } };
      const location = objectLocation(req.headers, ep.bucket, key);
      if (action.status === 201) return xmlResponse(buildPostResponse({ Location: location, Bucket: ep.bucket, Key: key, ETag: v.etag }), 201, { ...common, Location: location });
      return { status: action.status, headers: { ...common, Location: location } };
    } catch (e) {
      await discard(data.data, fileReq, deps);
      throw e;
    }
  }
};
