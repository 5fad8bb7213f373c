import { isServiceError } from '@massive/contracts';
import { isBlankBody, parseCreateBucketConfiguration, S3Error } from '@massive/s3-protocol';
import { checkGranteeKeys } from '../../access/grantee-keys';
import { newBucketAccess } from '../../access/new-bucket-access';
import { validateBucketName } from '../../http/bucket-name';
import { header } from '../../http/object-headers';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import type { Handler } from '../../types';

const LEGACY_REGION = 'us-east-1';

export const createBucket: Handler<'CreateBucket'> = async (ep, req, deps) => {
  validateBucketName(ep.bucket);
  const xml = await readSmallBody(req, XML_BODY_LIMITS.CreateBucket);
  const config = isBlankBody(xml) ? {} : parseCreateBucketConfiguration(xml);
  const region = deps.config.region;
  const wanted = config.LocationConstraint;
  if (wanted !== undefined && wanted !== '' && wanted !== region) {
    throw new S3Error('IllegalLocationConstraintException', `The ${wanted} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  }
  const access = newBucketAccess(req.headers, req.owner);
  // Object Lock from the start: the bucket is created versioned (Enabled), with no default retention.
  const objectLock = header(req.headers, 'x-amz-bucket-object-lock-enabled')?.trim().toLowerCase() === 'true';
  // Grants may name other keys (their canonical ids, as ListBuckets shows them): each must exist.
  if (access.grants) await checkGranteeKeys(access.grants, [req.owner.id], deps, req.ctx);
  try {
    // A key other than the root owns what it creates (read, write and owner, in the same transaction).
    const ownerKey = req.scope?.accessKeyId;
    // Its ownership controls, Block Public Access and ACL commit with the bucket (all or nothing).
    await deps.metadata.createBucket(
      { name: ep.bucket, region, owner: req.owner, ...(ownerKey !== undefined && { ownerKey }), configs: access.documents, ...(objectLock && { objectLock: true }) },
      req.ctx,
    );
    deps.writeDefaults?.invalidate(ep.bucket);
    if (ownerKey !== undefined) deps.credentials.invalidate?.(ownerKey);
  } catch (e) {
    // us-east-1 keeps S3's legacy answer: creating a bucket you already own there succeeds (200), and
    // leaves the bucket's settings as they are.
    if (!(region === LEGACY_REGION && isServiceError(e, 'BucketAlreadyOwnedByYou'))) throw e;
    return { status: 200, headers: { Location: `/${ep.bucket}` } };
  }
  return { status: 200, headers: { Location: `/${ep.bucket}` } };
};
