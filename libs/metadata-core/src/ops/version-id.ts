import { ServiceError } from '@massive/contracts';
import { idBytes } from '../keys/keys';

/** The external id of a key's null version (records written while versioning was off or suspended). */
export const NULL_VERSION_ID = 'null';

/**
 * Checks a client-supplied version id: `null` or one of our ids (32 hex digits). Anything else is
 * InvalidArgument, as S3 answers for a malformed id (a well-formed id of no version is NoSuchVersion or,
 * on DELETE, a no-op).
 */
export function checkVersionId(versionId: string): void {
  if (versionId !== NULL_VERSION_ID && !idBytes(versionId)) {
    throw new ServiceError('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
  }
}
