import type { CallCtx } from '@massive/contracts';
import { S3Error, type Grant } from '@massive/s3-protocol';
import type { S3ApiDeps } from '../types';

/** Accepts every canonical id while parsing; `checkGranteeKeys` then checks them against the keys. */
export const ANY_ID = (): boolean => true;

/**
 * Every canonical-user grantee must be one of `ownerIds` or name an access key (ListBuckets' Owner ID of
 * another key): otherwise InvalidArgument `Invalid id`, as AWS answers for an unknown account. One
 * metadata read per distinct other id; none when the grants name only the owners.
 */
export async function checkGranteeKeys(grants: readonly Grant[], ownerIds: readonly string[], deps: Pick<S3ApiDeps, 'credentials'>, ctx: CallCtx): Promise<void> {
  const checked = new Set(ownerIds);
  for (const { grantee } of grants) {
    if (grantee.type !== 'CanonicalUser' || checked.has(grantee.id)) continue;
    const exists = deps.credentials.canonicalIdExists ? await deps.credentials.canonicalIdExists(grantee.id, ctx) : false;
    if (!exists) throw new S3Error('InvalidArgument', 'Invalid id', { ArgumentName: 'CanonicalUser/ID', ArgumentValue: grantee.id });
    checked.add(grantee.id);
  }
}
