import { S3Error } from '../errors';

/**
 * S3 access control lists, as AWS defines them (grantee × permission), and the canned ACLs. Pure: the
 * caller gives the owner's canonical id. Only the grantees this service can honour are representable
 * after `checkGrantees`: the owner's canonical id and the AllUsers / AuthenticatedUsers groups.
 */
export const PERMISSIONS = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

export type Grantee =
  | { readonly type: 'CanonicalUser'; readonly id: string }
  | { readonly type: 'Group'; readonly uri: string }
  | { readonly type: 'AmazonCustomerByEmail'; readonly email: string };

export interface Grant {
  readonly grantee: Grantee;
  readonly permission: Permission;
}

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export function isPermission(s: string): s is Permission {
  return (PERMISSIONS as readonly string[]).includes(s);
}

/** `x-amz-acl`'s value, or InvalidArgument as AWS answers for an unknown one. */
export function parseCannedAcl(raw: string): CannedAcl {
  const v = raw.trim();
  if (!(CANNED_ACLS as readonly string[]).includes(v)) {
    throw new S3Error('InvalidArgument', undefined, { ArgumentName: 'x-amz-acl', ArgumentValue: raw });
  }
  return v as CannedAcl;
}

/**
 * The grants a canned ACL stands for (AWS's "Canned ACL" table). `bucketOwnerId` is the bucket's owner
 * (for the `bucket-owner-*` ACLs of objects; AWS ignores those on buckets). `aws-exec-read` and
 * `log-delivery-write` name principals this service does not have: refused, never stored as a lie.
 */
export function expandCannedAcl(canned: CannedAcl, target: 'bucket' | 'object', ownerId: string, bucketOwnerId = ownerId): Grant[] {
  const owner: Grant = { grantee: { type: 'CanonicalUser', id: ownerId }, permission: 'FULL_CONTROL' };
  const group = (uri: string, permission: Permission): Grant => ({ grantee: { type: 'Group', uri }, permission });
  switch (canned) {
    case 'private':
      return [owner];
    case 'public-read':
      return [owner, group(ALL_USERS, 'READ')];
    case 'public-read-write':
      return [owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')];
    case 'authenticated-read':
      return [owner, group(AUTHENTICATED_USERS, 'READ')];
    case 'bucket-owner-read':
    case 'bucket-owner-full-control': {
      if (target === 'bucket' || bucketOwnerId === ownerId) return [owner];
      const permission = canned === 'bucket-owner-read' ? 'READ' : 'FULL_CONTROL';
      return [owner, { grantee: { type: 'CanonicalUser', id: bucketOwnerId }, permission }];
    }
    case 'aws-exec-read':
    case 'log-delivery-write':
      throw new S3Error('NotImplemented', `The canned ACL ${canned} grants access to AWS services this service does not have.`, {
        ArgumentName: 'x-amz-acl',
        ArgumentValue: canned,
      });
  }
}

/**
 * Refuses grantees this service cannot honour, with AWS's answers: an e-mail address names no account
 * here (UnresolvableGrantByEmailAddress); a canonical id other than a known one is InvalidArgument
 * (`Invalid id`); groups other than AllUsers and AuthenticatedUsers (LogDelivery) have no meaning here.
 */
export function checkGrantees(grants: readonly Grant[], knownIds: ReadonlySet<string> | ((id: string) => boolean)): void {
  const known = typeof knownIds === 'function' ? knownIds : (id: string) => knownIds.has(id);
  for (const { grantee } of grants) {
    switch (grantee.type) {
      case 'AmazonCustomerByEmail':
        throw new S3Error('UnresolvableGrantByEmailAddress', undefined, { EmailAddress: grantee.email });
      case 'CanonicalUser':
        if (!known(grantee.id)) throw new S3Error('InvalidArgument', 'Invalid id', { ArgumentName: 'CanonicalUser/ID', ArgumentValue: grantee.id });
        break;
      case 'Group':
        if (grantee.uri !== ALL_USERS && grantee.uri !== AUTHENTICATED_USERS) {
          const what = grantee.uri === LOG_DELIVERY ? 'The LogDelivery group is not supported by this service' : 'Invalid group uri';
          throw new S3Error('InvalidArgument', what, { ArgumentName: 'Group/URI', ArgumentValue: grantee.uri });
        }
        break;
    }
  }
}

/** Whether the grants give `permission` to the group `uri` (FULL_CONTROL implies every permission). */
export function groupHas(grants: readonly Grant[], uri: string, permission: Permission): boolean {
  return grants.some((g) => g.grantee.type === 'Group' && g.grantee.uri === uri && (g.permission === permission || g.permission === 'FULL_CONTROL'));
}

/** AWS's "public" for Block Public Access: any grant to AllUsers or AuthenticatedUsers. */
export function isPublicAcl(grants: readonly Grant[]): boolean {
  return grants.some((g) => g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS));
}

/** True when the grants amount to the owner's FULL_CONTROL and nothing else (`private` / `bucket-owner-full-control`). */
export function isOwnerOnly(grants: readonly Grant[], ownerId: string): boolean {
  return grants.every((g) => g.grantee.type === 'CanonicalUser' && g.grantee.id === ownerId && g.permission === 'FULL_CONTROL');
}

/** Equal grants given twice are one grant (AWS keeps one). */
export function dedupeGrants(grants: readonly Grant[]): Grant[] {
  const seen = new Set<string>();
  return grants.filter((g) => {
    const k = `${granteeKey(g.grantee)} ${g.permission}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function granteeKey(g: Grantee): string {
  return g.type === 'CanonicalUser' ? `id:${g.id}` : g.type === 'Group' ? `uri:${g.uri}` : `email:${g.email.toLowerCase()}`;
}
