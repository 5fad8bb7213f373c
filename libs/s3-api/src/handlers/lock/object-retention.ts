import { assertRetainUntilDateInFuture, buildObjectLegalHold, buildObjectRetention, parseObjectLegalHold, parseObjectRetention, S3Error } from '@massive/s3-protocol';
import { mayBypass, requireObjectLock } from '../../http/object-lock';
import { readSmallBody, requireIntegrityHeader, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { LockRequestValues } from '../../access/policy-context';
import type { Handler, S3Request } from '../../types';

/**
 * PutObjectRetention / PutObjectLegalHold: change one version's lock in place (the latest, or the one
 * `versionId` names; no new version, as S3). Whether a retention may change is metadata's to decide, in
 * the transaction, against the stored one (an unexpired COMPLIANCE retention only lengthens; GOVERNANCE
 * too unless this request may bypass it): otherwise 403 AccessDenied, "Access Denied because object
 * protected by object lock.". Both need a bucket with Object Lock (400 InvalidRequest) and, as S3
 * models them, Content-MD5 or a checksum.
 */
export const putObjectRetention: Handler<'PutObjectRetention'> = async (ep, req, deps) => {
  await requireObjectLock(ep.bucket, deps, req.ctx);
  requireIntegrityHeader(req);
  const doc = parseObjectRetention(await readSmallBody(req, XML_BODY_LIMITS.PutObjectRetention));
  if (doc.RetainUntilDate !== undefined) assertRetainUntilDateInFuture(doc.RetainUntilDate, Date.now());
  const retention = doc.Mode === undefined ? {} : { mode: doc.Mode, retainUntil: doc.RetainUntilDate };
  await checkLockPolicy(req, { mode: doc.Mode, retainUntil: doc.RetainUntilDate });
  const versionId = req.query.get('versionId') ?? undefined;
  const bypass = mayBypass(req, ep.bucket, ep.key);
  await deps.metadata.updateObjectVersion({ bucket: ep.bucket, key: ep.key, versionId, retention, ...(bypass && { bypassGovernance: true }) }, req.ctx);
  return { status: 200 };
};

export const putObjectLegalHold: Handler<'PutObjectLegalHold'> = async (ep, req, deps) => {
  await requireObjectLock(ep.bucket, deps, req.ctx);
  requireIntegrityHeader(req);
  const status = parseObjectLegalHold(await readSmallBody(req, XML_BODY_LIMITS.PutObjectLegalHold));
  await checkLockPolicy(req, { legalHold: status });
  const versionId = req.query.get('versionId') ?? undefined;
  await deps.metadata.updateObjectVersion({ bucket: ep.bucket, key: ep.key, versionId, legalHold: status === 'ON' }, req.ctx);
  return { status: 200 };
};

/** A bucket policy's Deny on the body's Object Lock condition keys (`s3:object-lock-remaining-retention-days`, …). */
async function checkLockPolicy(req: S3Request, values: LockRequestValues): Promise<void> {
  if (req.lockPolicy && (await req.lockPolicy(values)) === 'deny') throw new S3Error('AccessDenied');
}

/** GetObjectRetention / GetObjectLegalHold: the version's, or 404 NoSuchObjectLockConfiguration when it has none. */
export const getObjectRetention: Handler<'GetObjectRetention'> = async (ep, req, deps) => {
  await requireObjectLock(ep.bucket, deps, req.ctx);
  const versionId = req.query.get('versionId') ?? undefined;
  const v = await deps.metadata.getObject({ bucket: ep.bucket, key: ep.key, versionId, withoutData: true }, req.ctx);
  const lock = v.headers.lock;
  if (lock?.mode === undefined || lock.retainUntil === undefined) throw new S3Error('NoSuchObjectLockConfiguration');
  return xmlResponse(buildObjectRetention({ Mode: lock.mode, RetainUntilDate: lock.retainUntil }));
};

export const getObjectLegalHold: Handler<'GetObjectLegalHold'> = async (ep, req, deps) => {
  await requireObjectLock(ep.bucket, deps, req.ctx);
  const versionId = req.query.get('versionId') ?? undefined;
  const v = await deps.metadata.getObject({ bucket: ep.bucket, key: ep.key, versionId, withoutData: true }, req.ctx);
  const hold = v.headers.lock?.legalHold;
  if (hold === undefined) throw new S3Error('NoSuchObjectLockConfiguration');
  return xmlResponse(buildObjectLegalHold(hold ? 'ON' : 'OFF'));
};
