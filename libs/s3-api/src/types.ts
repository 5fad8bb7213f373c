import type { IncomingHttpHeaders } from 'node:http';
import type { BlobApi, CallCtx, ChecksumAlgorithm, MetadataApi, Owner } from '@massive/contracts';
import type { EndpointName, EndpointOf, PolicyDecision } from '@massive/s3-protocol';
import type { Logger } from '@massive/observability';
import type { ReadLeaseEvents } from './http/leased-read';
import type { CorsRulesCache } from './http/cors-config';
import type { WebsiteConfigCache } from './website/website-config';
import type { BucketWriteDefaults } from './http/bucket-write-defaults';
import type { BucketAccess } from './access/bucket-access';
import type { LockRequestValues } from './access/policy-context';
import type { KmsKeys } from './sse/kms-keys';
import type { AccessLogs } from './access-log/access-log';
import type { LifecycleRulesCache } from './http/lifecycle-expiration';
import type { IntentPool } from './http/intent-pool';
import type { BucketPolicyCache } from './access/bucket-policy-cache';
import type { HashJob, HashName, Hashing } from './http/hashing/hash-job';
import type { SessionTokens } from './identity/session-tokens';

export interface S3ApiConfig {
  /** The region this service answers for (GetBucketLocation, SigV4 scope). */
  readonly region: string;
  /** Domains served in virtual-hosted style (`bucket.<domain>`). */
  readonly vhostDomains: readonly string[];
  /** Bodies up to this size are stored inline in the version record (no blob round trip). */
  readonly inlineThreshold: number;
  /** Largest single PUT (S3: 5 GiB). */
  readonly maxObjectSize: number;
  /** Smallest part but the last (S3: 5 MiB). */
  readonly minPartSize: number;
  /** Write intents live this long unless renewed; the janitor reclaims them after. */
  readonly intentTtlMs: number;
  /** Allowed clock skew for SigV4 (S3: 15 minutes). */
  readonly maxSkewMs: number;
  /**
   * A GET or copy still streaming a chunked version after this long takes a read lease on it, renewed
   * at this interval, so GC keeps its chunks until it ends. Must be well under the GC grace.
   */
  readonly readLeaseAfterMs: number;
  /** Longest object key in UTF-8 bytes (S3: 1024); longer is KeyTooLongError. */
  readonly maxKeyBytes: number;
  /** User metadata (names after `x-amz-meta-` + values, in bytes) per object (S3: 2 KiB); more is MetadataTooLarge. */
  readonly maxUserMetadataBytes: number;
  /** A body read that gets no byte for this long is cut: 400 RequestTimeout, its write abandoned. */
  readonly bodyIdleTimeoutMs: number;
  /** Request body bytes admitted at once (each body counts `min(length, maxBodyChargeBytes)`); past it 503 SlowDown. */
  readonly maxInflightBodyBytes: number;
  /** The most one body can hold in memory (the blob writer's buffers): what it counts against the in-flight cap. */
  readonly maxBodyChargeBytes: number;
  /** Refuse bodies the signature does not cover (UNSIGNED-PAYLOAD, unsigned streaming) over plain HTTP. */
  readonly requireSignedPayload: boolean;
  /** Accept AWS Signature Version 2 (header and query-string) as well as SigV4 (s3-protocol sigv2/verify-v2.ts). */
  readonly sigV2: boolean;
  /** Threads hashing large request bodies (MD5, SHA-256) off the event loop; 0 hashes on it. */
  readonly hashThreads: number;
  /**
   * SSE-KMS: the key ids of the built-in key service (sse/kms-keys.ts), the first the default key (S3's
   * `aws/s3`). A key taken off the list disables it: its objects cannot be read until it is back.
   */
  readonly kmsKeyIds: readonly string[];
  /** Server access logging: a target's buffered records are written this long after the first of them. */
  readonly accessLogFlushMs: number;
}

export const DEFAULT_S3_CONFIG: S3ApiConfig = {
  region: 'us-east-1',
  vhostDomains: [],
  inlineThreshold: 128 * 1024,
  maxObjectSize: 5 * 1024 ** 3,
  minPartSize: 5 * 1024 ** 2,
  intentTtlMs: 6 * 3600_000,
  maxSkewMs: 15 * 60_000,
  readLeaseAfterMs: 10_000,
  maxKeyBytes: 1024,
  maxUserMetadataBytes: 2048,
  bodyIdleTimeoutMs: 30_000,
  maxInflightBodyBytes: 256 * 1024 ** 2,
  maxBodyChargeBytes: 24 * 1024 ** 2,
  requireSignedPayload: false,
  sigV2: true,
  hashThreads: 1,
  kmsKeyIds: ['default'],
  accessLogFlushMs: 60_000,
};

export interface Credential {
  readonly secretKey: string;
  readonly owner: Owner;
  /** What a (non-root) key may do; absent: the root key, which may do everything. */
  readonly scope?: KeyScope;
}

/** A key's grants as a gateway last read them (identity/key-cache.ts). */
export interface KeyScope {
  readonly accessKeyId: string;
  /** The key's permissions on a bucket (all false without a grant). */
  permissions(bucket: string): KeyPermissions;
  /** Buckets the key holds any permission on (what ListBuckets shows it). */
  buckets(): readonly string[];
  /**
   * The key's grants read again, unless they were read a moment ago (a grant just made through another
   * gateway): undefined when the key is gone.
   */
  refresh(ctx: CallCtx): Promise<KeyScope | undefined>;
}

export interface KeyPermissions {
  readonly read: boolean;
  readonly write: boolean;
  readonly owner: boolean;
}

export interface CredentialStore {
  /** The key's credential from memory: undefined when unknown (or not loaded: see `prepare`). */
  lookup(accessKeyId: string): Credential | undefined;
  /**
   * Loads a key that is not in memory (or is stale) so `lookup` can answer; undefined when it already can
   * (the hot path: no promise, no metadata read).
   */
  prepare?(accessKeyId: string, ctx: CallCtx): Promise<void> | undefined;
  /** Drops what is cached about a key (every key without an argument): admin changes, bucket creation and deletion. */
  invalidate?(accessKeyId?: string): void;
  /** Whether a canonical user id names a key (an ACL grantee). */
  canonicalIdExists?(canonicalId: string, ctx: CallCtx): Promise<boolean>;
}

export interface S3ApiDeps {
  readonly metadata: MetadataApi;
  readonly blob: BlobApi;
  readonly credentials: CredentialStore;
  readonly config: S3ApiConfig;
  readonly logger: Logger;
  /** Counters of long reads' leases (set by createS3Api). */
  readonly readLeaseEvents?: ReadLeaseEvents;
  /** Buckets' CORS rules, cached for a few seconds (set by createS3Api). */
  readonly corsRules?: CorsRulesCache;
  /** Buckets' website configurations for the website endpoint, cached for a few seconds (set by createS3Api). */
  readonly websiteConfigs?: WebsiteConfigCache;
  /** Buckets' lifecycle rules for `x-amz-expiration` (set by createS3Api). */
  readonly lifecycleRules?: LifecycleRulesCache;
  /** Write intents created ahead of need (set by createS3Api); without it each write creates its own. */
  readonly intents?: IntentPool;
  /** Buckets' policies and Block Public Access flags for authorisation (set by createS3Api). */
  readonly bucketPolicies?: BucketPolicyCache;
  /** Where large bodies are hashed (set by createS3Api from `hashThreads`); default: on the event loop. */
  readonly hashing?: Hashing;
  /** Buckets' default encryption, cached for a few seconds (set by createS3Api): what writes naming none get. */
  readonly writeDefaults?: BucketWriteDefaults;
  /** Master keys for server-side encryption (SSE-S3); without them SSE requests answer 501 NotImplemented. */
  readonly sse?: SseKeys;
  /** SSE-KMS's key service (sse/kms-keys.ts); createS3Listeners builds it from `config.kmsKeyIds`. */
  readonly kms?: KmsKeys;
  /** Temporary credentials (STS): issues and opens session tokens; without it, requests with a session token are InvalidToken and the STS API is off. */
  readonly sessions?: SessionTokens;
  /** Server access logging (access-log/access-log.ts); createS3Listeners builds it. */
  readonly accessLogs?: AccessLogs;
}

/** Seals and unseals objects' data keys under the gateway's master keys (sse/master-keys.ts). */
export interface SseKeys {
  /** A fresh random 32-byte data key, sealed for `context` (the object's `bucket/key`). */
  newDataKey(context: string): { readonly dataKey: Buffer; readonly sealed: string };
  /** The data key `sealed` holds; throws if it was sealed for another context or under a key this gateway lacks. */
  unseal(sealed: string, context: string): Buffer;
  /** The same data key sealed under the current master key (`sealed` itself when it already is). */
  reseal(sealed: string, context: string): string;
}

/** A verified request body: payload bytes after aws-chunked decoding and signature checks. */
export interface RequestBody {
  /** Decoded payload length when the client declared it (Content-Length / x-amz-decoded-content-length). */
  readonly length: number | undefined;
  /** Whether the request says how its body is delimited (Content-Length or Transfer-Encoding); without, it has none. */
  readonly framed: boolean;
  /**
   * The payload, consumed once. Iteration throws (at the end at the latest) if the payload hash,
   * a chunk signature or the declared length does not hold.
   */
  stream(job?: HashJob): AsyncIterable<Buffer>;
  /**
   * Digests the body checks itself while streaming ('sha256' for a signed payload). A `job` given to
   * `stream` must compute them: the body feeds it every payload byte and checks its digests at the end,
   * so a caller hashing the body anyway (MD5 for the ETag) pays one pass for both.
   */
  readonly selfHashes: readonly HashName[];
  /**
   * The whole payload of a small body (at most `limit` bytes, else EntityTooLarge), with the same checks
   * as `stream()`. Plain bodies skip the async-iterator chain: one buffer, one hash pass.
   */
  collect(limit: number): Promise<Buffer>;
  /** Trailing headers of aws-chunked bodies (e.g. `x-amz-checksum-crc32`), known once the stream ended. */
  trailers(): Readonly<Record<string, string>>;
  /** The checksum algorithm the client announced in `x-amz-trailer`, if any. */
  readonly trailerChecksum?: ChecksumAlgorithm;
}

export interface S3Request {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly query: URLSearchParams;
  readonly body: RequestBody;
  readonly ctx: CallCtx;
  /** The principal's identity; for an anonymous request ACLs let through, the bucket's owner. */
  readonly owner: Owner;
  /** A non-root key's grants (absent for the root key and anonymous requests). */
  readonly scope?: KeyScope;
  readonly requestId: string;
  /** Set for anonymous requests: the bucket's access settings `authorize` read (see access/authorize.ts). */
  readonly bucketAccess?: BucketAccess;
  /** Set where access depends on the object's own ACL: throws AccessDenied unless it grants enough. */
  readonly checkObjectAcl?: (acl: string | undefined) => void;
  /**
   * The client sent `Expect: 100-continue` and holds its body until the first read of it: a handler
   * that can fail on cheap facts (a missing bucket) checks them first, so the error goes out before
   * any body byte is sent.
   */
  readonly awaitingContinue?: boolean;
  /** DeleteObjects on a bucket with a policy: whether one key (version) is denied (answered AccessDenied). */
  readonly keyDenied?: (key: string, versionId: string | undefined) => boolean;
  /** PostObject on a bucket with a policy: whether it denies this signer writing this key (AccessDenied). */
  readonly postKeyDenied?: (owner: Owner, key: string, signatureVersion?: 'AWS') => boolean;
  /** Unsigned (allowed by ACLs or the bucket policy). */
  readonly anonymous?: boolean;
  /** A bucket with a policy: its decision on s3:BypassGovernanceRetention for `key` (see http/object-lock.ts). */
  readonly bypassPolicy?: (key: string) => PolicyDecision;
  /** A bucket with a policy: its decision on a retention or legal hold body's Object Lock condition keys. */
  readonly lockPolicy?: (values: LockRequestValues) => PolicyDecision | Promise<PolicyDecision>;
  /** The request came over TLS on the gateway's own socket (SSE-C is taken only so). */
  readonly secure?: boolean;
}

export type HeaderValue = string | number | undefined;

export interface S3Response {
  readonly status: number;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
  /** XML text, bytes, or a stream of object bytes (written with backpressure). */
  /** Pieces (XmlPieces: a listing) are written one after another, corked into one write. */
  readonly body?: string | Buffer | readonly string[] | AsyncIterable<Buffer>;
  /** Bytes of object data in `body`, for metrics. */
  readonly objectBytes?: number;
}

export type Handler<N extends EndpointName> = (ep: EndpointOf<N>, req: S3Request, deps: S3ApiDeps) => Promise<S3Response>;
