import { ServiceError, type ObjectLock, type ObjectRetention } from '@massive/contracts';

/**
 * S3 Object Lock, enforced where versions are removed: in the transaction that would remove one, against
 * the lock state stored in that version's record, so no race between a PutObjectLegalHold and a DELETE
 * can let the DELETE through (both write the version's V key: one of them conflicts and retries).
 *
 * A version is protected while it has a legal hold, or a retention whose date has not passed: COMPLIANCE
 * from everyone, GOVERNANCE from everyone who does not bypass it. The clock is the metadata service's
 * (`deps.clock`), the same one that stamps LastModified.
 */

/** AWS's message for every refusal Object Lock causes (the code is AccessDenied, 403). */
export const OBJECT_LOCKED_MESSAGE = 'Access Denied because object protected by object lock.';

export function objectLocked(): ServiceError {
  return new ServiceError('ObjectLocked', OBJECT_LOCKED_MESSAGE);
}

/** The retention still in force at `now`, if any. */
export function activeRetention(lock: ObjectLock | undefined, now: number): ObjectLock['mode'] {
  if (!lock?.mode || lock.retainUntil === undefined) return undefined;
  return lock.retainUntil > now ? lock.mode : undefined;
}

/** Throws ObjectLocked unless a version with this lock state may be removed now. */
export function checkRemovable(lock: ObjectLock | undefined, now: number, bypassGovernance: boolean): void {
  if (!lock) return;
  if (lock.legalHold === true) throw objectLocked();
  const mode = activeRetention(lock, now);
  if (mode === 'COMPLIANCE' || (mode === 'GOVERNANCE' && !bypassGovernance)) throw objectLocked();
}

/**
 * PutObjectRetention's rule (AWS's, as MinIO and Ceph apply it): once a retention has passed, or where
 * there is none, any retention may be set or removed. While one is in force:
 * - COMPLIANCE may only be kept or extended, in COMPLIANCE;
 * - GOVERNANCE may only be kept or extended in GOVERNANCE, unless the caller bypasses it, when it may be
 *   shortened, removed or changed to COMPLIANCE.
 * `next` without mode and date removes the retention. Answers the version's new lock state.
 */
export function withRetention(current: ObjectLock | undefined, next: ObjectRetention, now: number, bypassGovernance: boolean): ObjectLock | undefined {
  const mode = activeRetention(current, now);
  const removing = next.mode === undefined || next.retainUntil === undefined;
  if (mode !== undefined) {
    const shortened = removing || next.retainUntil! < current!.retainUntil!;
    const changed = removing || next.mode !== mode;
    if (mode === 'COMPLIANCE' && (shortened || changed)) throw objectLocked();
    if (mode === 'GOVERNANCE' && (shortened || changed) && !bypassGovernance) throw objectLocked();
  }
  const legalHold = current?.legalHold !== undefined ? { legalHold: current.legalHold } : {};
  if (removing) return current?.legalHold !== undefined ? legalHold : undefined;
  return { mode: next.mode, retainUntil: next.retainUntil, ...legalHold };
}

/**
 * PutObjectLegalHold: always allowed (with the permission); answers the version's new lock state. OFF is
 * kept as OFF (S3 answers it so), but protects nothing.
 */
export function withLegalHold(current: ObjectLock | undefined, on: boolean): ObjectLock {
  const retention = current?.mode !== undefined && current.retainUntil !== undefined ? { mode: current.mode, retainUntil: current.retainUntil } : {};
  return { ...retention, legalHold: on };
}
