import { MAX_BUCKET_POLICY_BYTES, isPublicPolicy, parseBucketPolicy, S3Error } from '@massive/s3-protocol';
import { loadBucketAccess } from '../../access/bucket-access';
import { encodeBucketPolicy } from '../../access/bucket-policy-document';
import { readSmallBody } from '../../http/small-body';
import type { Handler } from '../../types';

/** Bodies are read up to this (whitespace aside, a policy past 20 KiB is PolicyTooLarge). */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * PutBucketPolicy: the JSON policy validated as AWS does (MalformedPolicy with the reason), at most
 * 20 KiB once whitespace is dropped (PolicyTooLarge), refused with AccessDenied when it is public and the
 * bucket's Block Public Access has BlockPublicPolicy. Stored with the client's text (GetBucketPolicy
 * answers it as put); 204 No Content, as S3. This gateway's policy cache is dropped at once.
 */
export const putBucketPolicy: Handler<'PutBucketPolicy'> = async (ep, req, deps) => {
  const body = await readSmallBody(req, MAX_BODY_BYTES);
  const text = body.toString('utf8');
  if (body.length > MAX_BUCKET_POLICY_BYTES && minifiedBytes(text) > MAX_BUCKET_POLICY_BYTES) throw new S3Error('PolicyTooLarge');
  const policy = parseBucketPolicy(text, ep.bucket);
  if (isPublicPolicy(policy)) {
    const access = req.bucketAccess ?? (await loadBucketAccess(ep.bucket, deps, req.ctx));
    if (access.publicAccessBlock?.BlockPublicPolicy === true) throw new S3Error('AccessDenied');
  }
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'policy', document: encodeBucketPolicy(text, policy) }, req.ctx);
  deps.bucketPolicies?.forget(ep.bucket);
  return { status: 204 };
};

/** The policy's size without insignificant whitespace (what AWS's 20 KiB limit counts); 0 when not JSON (parsing says why). */
function minifiedBytes(text: string): number {
  try {
    return Buffer.byteLength(JSON.stringify(JSON.parse(text)));
  } catch {
    return 0;
  }
}
