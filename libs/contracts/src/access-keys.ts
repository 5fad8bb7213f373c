import type { CallCtx } from './call-ctx';

/**
 * Access keys and their per-bucket grants (issue 13, Garage's model): a key is allowed read, write and/or
 * owner on a bucket. The secret is sealed by the gateway (AES-256-GCM under the server's master key)
 * before it reaches metadata, which stores it opaque: no plaintext secret is stored or crosses gRPC.
 */
export interface AccessKeySummary {
  readonly accessKeyId: string;
  /** Unique among keys (the CLI names keys by it). */
  readonly name: string;
  /** ms since the epoch */
  readonly createdAt: number;
  /** The key's canonical user id (ListBuckets' Owner ID, ACL grantee id): 64 hex characters. */
  readonly canonicalId: string;
}

export interface AccessKeyRecord extends AccessKeySummary {
  /** The secret sealed by the gateway (base64; opaque to metadata). */
  readonly sealedSecret: string;
}

export const KEY_PERMISSIONS = ['read', 'write', 'owner'] as const;
export type KeyPermission = (typeof KEY_PERMISSIONS)[number];

export interface KeyGrant {
  readonly accessKeyId: string;
  readonly bucket: string;
  readonly read: boolean;
  readonly write: boolean;
  readonly owner: boolean;
}

/** One lookup by exactly one of the fields. */
export type KeyLookup = { readonly accessKeyId: string } | { readonly name: string } | { readonly canonicalId: string };

export interface KeyWithGrants {
  /** Absent: no such key. */
  readonly key?: AccessKeyRecord;
  /** The key's grants, by bucket name (empty without a key). */
  readonly grants: readonly KeyGrant[];
}

/** The access-key half of the metadata port (MetadataApi extends it). */
export interface AccessKeyApi {
  /** InvalidArgument when the id or the name is taken. */
  createKey(req: AccessKeyRecord, ctx: CallCtx): Promise<AccessKeySummary>;
  /** The key and its grants, read from one snapshot. */
  getKey(req: KeyLookup, ctx: CallCtx): Promise<KeyWithGrants>;
  listKeys(req: Record<string, never>, ctx: CallCtx): Promise<readonly AccessKeySummary[]>;
  /**
   * Replaces a key's sealed secret with `sealedSecret` (the same secret sealed again: master key
   * rotation) if it is still `expected`; `resealed` false when the key is gone or its secret changed
   * meanwhile (another gateway re-sealed it first). InvalidArgument for an empty seal.
   */
  resealKey(req: { accessKeyId: string; expected: string; sealedSecret: string }, ctx: CallCtx): Promise<{ readonly resealed: boolean }>;
  /** Deletes the key and every grant it has; `deleted` false when there was no such key. */
  deleteKey(req: { accessKeyId: string }, ctx: CallCtx): Promise<{ readonly deleted: boolean }>;
  /**
   * Adds `allow` and removes `deny` permissions of a key on a bucket (a grant left with none is
   * deleted); answers the result. InvalidArgument without such a key, NoSuchBucket without the bucket.
   */
  updateGrant(
    req: { accessKeyId: string; bucket: string; allow: readonly KeyPermission[]; deny: readonly KeyPermission[] },
    ctx: CallCtx,
  ): Promise<KeyGrant>;
  /** Every key's grant on a bucket. NoSuchBucket. */
  listBucketGrants(req: { bucket: string }, ctx: CallCtx): Promise<readonly KeyGrant[]>;
}
