import { S3Error } from '../errors';
import type { Grant, Grantee, Permission } from './acl';

/** `x-amz-grant-*` request headers and the permission each gives (S3 has no grant header for WRITE_ACP's sibling names beyond these). */
export const GRANT_HEADERS: readonly (readonly [string, Permission])[] = [
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
];

const ITEM = /^\s*(id|uri|emailAddress)\s*=\s*(?:"([^"]*)"|([^\s,"]+))\s*(?:,|$)/i;

/**
 * One grant header's value: a comma-separated list of `type="value"` (`id`, `uri`, `emailAddress`),
 * as `x-amz-grant-read: uri="http://acs.amazonaws.com/groups/global/AllUsers", id="abc"`.
 * Anything else is InvalidArgument, as AWS answers.
 */
export function parseGrantHeader(name: string, value: string, permission: Permission): Grant[] {
  const grants: Grant[] = [];
  let rest = value;
  while (rest.trim() !== '') {
    const m = ITEM.exec(rest);
    if (!m) throw new S3Error('InvalidArgument', undefined, { ArgumentName: name, ArgumentValue: value });
    const v = m[2] ?? m[3];
    const type = m[1].toLowerCase();
    const grantee: Grantee = type === 'id' ? { type: 'CanonicalUser', id: v } : type === 'uri' ? { type: 'Group', uri: v } : { type: 'AmazonCustomerByEmail', email: v };
    grants.push({ grantee, permission });
    rest = rest.slice(m[0].length);
  }
  if (grants.length === 0) throw new S3Error('InvalidArgument', undefined, { ArgumentName: name, ArgumentValue: value });
  return grants;
}

/** The grants of every `x-amz-grant-*` header present (undefined when none is). */
export function parseGrantHeaders(get: (name: string) => string | undefined): Grant[] | undefined {
  let out: Grant[] | undefined;
  for (const [name, permission] of GRANT_HEADERS) {
    const v = get(name);
    if (v === undefined) continue;
    (out ??= []).push(...parseGrantHeader(name, v, permission));
  }
  return out;
}
