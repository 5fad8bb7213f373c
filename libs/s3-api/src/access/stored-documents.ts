import {
  isObjectOwnership,
  isPermission,
  type BucketEncryption,
  type Grant,
  type ObjectLockConfiguration,
  type ObjectOwnership,
  type PublicAccessBlockConfiguration,
} from '@massive/s3-protocol';

/**
 * The gateway's stored forms of the 'acl' (bucket) and `headers.acl` (object), 'ownershipControls',
 * 'publicAccessBlock' and 'encryption' documents: small versioned JSON, never the client's XML. A document this version
 * cannot read is a server fault (thrown), never read as "no restriction".
 */
const VERSION = 1;

export function encodeAcl(grants: readonly Grant[]): string {
  return JSON.stringify({ v: VERSION, grants });
}

export function decodeAcl(doc: string): Grant[] {
  const o = parse(doc, 'acl') as { grants?: unknown };
  if (!Array.isArray(o.grants)) throw corrupt('acl');
  return o.grants.map((g: unknown) => {
    const { grantee, permission } = (g ?? {}) as { grantee?: { type?: unknown; id?: unknown; uri?: unknown; email?: unknown }; permission?: unknown };
    if (typeof permission !== 'string' || !isPermission(permission) || !grantee) throw corrupt('acl');
    if (grantee.type === 'CanonicalUser' && typeof grantee.id === 'string') return { grantee: { type: 'CanonicalUser', id: grantee.id }, permission };
    if (grantee.type === 'Group' && typeof grantee.uri === 'string') return { grantee: { type: 'Group', uri: grantee.uri }, permission };
    throw corrupt('acl');
  });
}

export function encodeOwnership(ownership: ObjectOwnership): string {
  return JSON.stringify({ v: VERSION, objectOwnership: ownership });
}

export function decodeOwnership(doc: string): ObjectOwnership {
  const o = parse(doc, 'ownershipControls') as { objectOwnership?: unknown };
  if (typeof o.objectOwnership !== 'string' || !isObjectOwnership(o.objectOwnership)) throw corrupt('ownershipControls');
  return o.objectOwnership;
}

export function encodePublicAccessBlock(c: PublicAccessBlockConfiguration): string {
  return JSON.stringify({ v: VERSION, ...c });
}

export function decodePublicAccessBlock(doc: string): PublicAccessBlockConfiguration {
  const o = parse(doc, 'publicAccessBlock') as Record<string, unknown>;
  const flag = (k: string): boolean => {
    if (typeof o[k] !== 'boolean') throw corrupt('publicAccessBlock');
    return o[k] as boolean;
  };
  return {
    BlockPublicAcls: flag('BlockPublicAcls'),
    IgnorePublicAcls: flag('IgnorePublicAcls'),
    BlockPublicPolicy: flag('BlockPublicPolicy'),
    RestrictPublicBuckets: flag('RestrictPublicBuckets'),
  };
}

/** What GetBucketEncryption answers (BucketKeyEnabled always present: S3 reports it false when never set). */
export interface StoredBucketEncryption extends BucketEncryption {
  readonly BucketKeyEnabled: boolean;
}

/**
 * A bucket's default encryption: `{"v":1,"a":"AES256"|"aws:kms","k":<KMSMasterKeyID>?,"bk":<BucketKeyEnabled>}`.
 * `bk` answers GetBucketEncryption as it was set, and SSE-KMS objects inherit it (answered back; S3 Bucket
 * Keys are an SSE-KMS cost saving with no effect here). A document that
 * does not read is thrown, never taken as "no default encryption", which would store plaintext in a
 * bucket its owner asked to encrypt.
 */
export function encodeBucketEncryption(c: BucketEncryption): string {
  return JSON.stringify({ v: VERSION, a: c.SSEAlgorithm, ...(c.KMSMasterKeyID !== undefined && { k: c.KMSMasterKeyID }), bk: c.BucketKeyEnabled ?? false });
}

export function decodeBucketEncryption(doc: string): StoredBucketEncryption {
  const o = parse(doc, 'encryption') as { a?: unknown; k?: unknown; bk?: unknown };
  if ((o.a !== 'AES256' && o.a !== 'aws:kms') || typeof o.bk !== 'boolean') throw corrupt('encryption');
  if (o.k !== undefined && (typeof o.k !== 'string' || o.a !== 'aws:kms')) throw corrupt('encryption');
  return { SSEAlgorithm: o.a, ...(o.k !== undefined && { KMSMasterKeyID: o.k }), BucketKeyEnabled: o.bk };
}

/**
 * A bucket's Object Lock configuration: `{"v":1}`, with its default retention `"m":<Mode>` and `"d":<Days>`
 * or `"y":<Years>`. That the bucket has Object Lock at all is metadata's flag (it enforces it); this
 * document only says what new objects get by default; a bucket with the flag and no document (created
 * with Object Lock) has none. Unreadable: thrown, never taken as "no default", which would leave new
 * objects unprotected.
 */
export function encodeObjectLock(c: ObjectLockConfiguration): string {
  const r = c.DefaultRetention;
  if (!r) return JSON.stringify({ v: VERSION });
  return JSON.stringify(r.Days !== undefined ? { v: VERSION, m: r.Mode, d: r.Days } : { v: VERSION, m: r.Mode, y: r.Years });
}

export function decodeObjectLock(doc: string | undefined): ObjectLockConfiguration {
  if (doc === undefined) return { ObjectLockEnabled: 'Enabled' };
  const o = parse(doc, 'object lock') as { m?: unknown; d?: unknown; y?: unknown };
  if (o.m === undefined && o.d === undefined && o.y === undefined) return { ObjectLockEnabled: 'Enabled' };
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
  if (o.m !== 'GOVERNANCE' && o.m !== 'COMPLIANCE') throw corrupt('object lock');
  if (count(o.d) && o.y === undefined) return { ObjectLockEnabled: 'Enabled', DefaultRetention: { Mode: o.m, Days: o.d } };
  if (count(o.y) && o.d === undefined) return { ObjectLockEnabled: 'Enabled', DefaultRetention: { Mode: o.m, Years: o.y } };
  throw corrupt('object lock');
}

function parse(doc: string, kind: string): object {
  let o: unknown;
  try {
    o = JSON.parse(doc);
  } catch {
    throw corrupt(kind);
  }
  if (typeof o !== 'object' || o === null || (o as { v?: unknown }).v !== VERSION) throw corrupt(kind);
  return o;
}

function corrupt(kind: string): Error {
  return new Error(`stored ${kind} document is unreadable (unknown version or corrupt)`);
}
