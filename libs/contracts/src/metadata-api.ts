import type { BlobManifest } from './blob-api';
import type { CallCtx } from './call-ctx';
import type { AccessKeyApi } from './access-keys';

export interface Owner {
  readonly id: string;
  readonly displayName: string;
}

export interface Bucket {
  readonly name: string;
  /** Internal id: object keys live under it, so a re-created bucket never sees old keys. */
  readonly id: string;
  readonly region: string;
  readonly owner: Owner;
  /** ms since the epoch */
  readonly createdAt: number;
  /** Absent on buckets whose versioning was never set (S3 answers no Status). */
  readonly versioning?: 'Enabled' | 'Suspended';
  /**
   * S3 Object Lock is enabled (for good): versioning stays Enabled, and versions under a retention or a
   * legal hold (`ObjectHeaders.lock`) cannot be deleted. Absent: not enabled.
   */
  readonly objectLock?: true;
}

/** A bucket's versioning state: once Enabled or Suspended, never back to Unversioned. */
export type BucketVersioning = 'Unversioned' | 'Enabled' | 'Suspended';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** base64 of the digest (for COMPOSITE: of the digest of the part digests) */
  readonly value: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Headers stored with an object and returned on GET/HEAD. */
export interface ObjectHeaders {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly contentDisposition?: string;
  readonly contentLanguage?: string;
  readonly cacheControl?: string;
  readonly expires?: string;
  /**
   * `x-amz-website-redirect-location`: a website endpoint answers 301 to it (a key path starting with
   * `/`, or an http(s) URL) instead of the object; the S3 API serves the object and names it.
   */
  readonly websiteRedirectLocation?: string;
  /** `x-amz-meta-*` without the prefix, names lower-cased. */
  readonly userMetadata: Readonly<Record<string, string>>;
  /** The object's tag set (`x-amz-tagging`, PutObjectTagging), in the order given. Absent: no tags. */
  readonly tags?: readonly ObjectTag[];
  /**
   * The object's ACL as the gateway stores it (its own document format; metadata keeps it opaque).
   * Absent: the default (owner FULL_CONTROL).
   */
  readonly acl?: string;
  /** Server-side encryption (SSE-S3): the stored bytes are ciphertext. Absent: stored as sent. */
  readonly sse?: ObjectEncryption;
  /**
   * Object Lock: the version's retention and legal hold. Metadata enforces it (a version under either
   * cannot be deleted), so unlike the other headers it is not opaque. Absent: neither.
   */
  readonly lock?: ObjectLock;
}

export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

/**
 * A version's Object Lock state. A retention protects the version until `retainUntil`: COMPLIANCE from
 * everyone, GOVERNANCE from everyone who does not bypass it (`bypassGovernance`, with the permission).
 * A legal hold protects it until removed, whatever its retention.
 */
export interface ObjectLock {
  /** With `retainUntil`: the retention; both absent: none. */
  readonly mode?: ObjectLockMode;
  /** ms since the epoch. */
  readonly retainUntil?: number;
  /** ON (true) or OFF (false, once set: S3 then answers OFF); absent: never set. Only ON protects. */
  readonly legalHold?: boolean;
}

/** A retention to set on a version (PutObjectRetention); without a mode and date, removes it. */
export interface ObjectRetention {
  readonly mode?: ObjectLockMode;
  readonly retainUntil?: number;
}

/**
 * How an object's (or a multipart upload's) bytes are encrypted at rest. The gateway owns the format;
 * metadata stores it opaque. `key` is the object's data key, sealed under a gateway master key (SSE-S3;
 * SSE-KMS, bound to `kmsKeyId` and `kmsContext`) or, when `customerKeyMd5` is set, under the key its
 * writer supplied (SSE-C), which is never stored.
 */
export interface ObjectEncryption {
  readonly algorithm: 'AES256' | 'aws:kms';
  readonly key: string;
  /** SSE-C: the base64 MD5 of the customer's key (S3 answers it; reads must present the same key). */
  readonly customerKeyMd5?: string;
  /** SSE-KMS (`aws:kms`): the KMS key's ARN; the data key is sealed bound to it and to `kmsContext`. */
  readonly kmsKeyId?: string;
  /** SSE-KMS: the encryption context its writer gave, canonical JSON (keys sorted); absent: none. */
  readonly kmsContext?: string;
  /** SSE-KMS: `x-amz-server-side-encryption-bucket-key-enabled: true` (answered back; no other effect). */
  readonly bucketKeyEnabled?: boolean;
}

export interface ObjectTag {
  readonly key: string;
  readonly value: string;
}

/**
 * A bucket's configurations (S3 sub-resources), each one document the gateway owns the format of
 * (metadata stores it opaque, validated and normalised before it gets here).
 */
export const BUCKET_CONFIG_KINDS = ['tagging', 'cors', 'lifecycle', 'policy', 'acl', 'ownershipControls', 'publicAccessBlock', 'encryption', 'objectLock', 'website', 'logging'] as const;
export type BucketConfigKind = (typeof BUCKET_CONFIG_KINDS)[number];
export function isBucketConfigKind(s: string): s is BucketConfigKind {
  return (BUCKET_CONFIG_KINDS as readonly string[]).includes(s);
}
/** The largest configuration document metadata stores (AWS's largest, a lifecycle of 1,000 rules, fits). */
export const MAX_BUCKET_CONFIG_BYTES = 256 * 1024;

/** One configuration a bucket starts with (CreateBucket writes them in its own transaction). */
export interface BucketConfigEntry {
  readonly kind: BucketConfigKind;
  readonly document: string;
}

export interface CreateBucketReq {
  readonly name: string;
  readonly region: string;
  readonly owner: Owner;
  /** The access key creating the bucket (not the root key): granted read, write and owner with it. */
  readonly ownerKey?: string;
  /** Configurations the bucket is created with (ownership controls, Block Public Access, ACL): all or none. */
  readonly configs?: readonly BucketConfigEntry[];
  /** Object Lock enabled from the start (`x-amz-bucket-object-lock-enabled`): versioning starts Enabled. */
  readonly objectLock?: true;
}

export interface BucketConfigs {
  readonly bucket: Bucket;
  /** The documents of the kinds asked for that the bucket has. */
  readonly documents: Readonly<Partial<Record<BucketConfigKind, string>>>;
}

/** PutObjectTagging / PutObjectAcl: change one stored version in place (no new version, as S3). */
export interface UpdateObjectVersionReq {
  readonly bucket: string;
  readonly key: string;
  /** S3's version id (`null`: the null version); absent: the latest. */
  readonly versionId?: string;
  /** Replaces the tag set (empty: removes every tag). Absent: unchanged. */
  readonly tags?: readonly ObjectTag[];
  /** Replaces the ACL document. Absent: unchanged. */
  readonly acl?: string;
  /**
   * PutObjectRetention: replaces the version's retention (see `ObjectLock`), checked in the transaction
   * against the stored one: an unexpired COMPLIANCE retention may only be extended; an unexpired
   * GOVERNANCE one may only be extended unless `bypassGovernance`. Otherwise ObjectLocked.
   */
  readonly retention?: ObjectRetention;
  /** PutObjectLegalHold: sets (true) or removes (false) the legal hold. Absent: unchanged. */
  readonly legalHold?: boolean;
  /** The caller may and asked to bypass GOVERNANCE retention (`x-amz-bypass-governance-retention`). */
  readonly bypassGovernance?: boolean;
}

export interface PartInfo {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  readonly checksum?: ObjectChecksum;
}

/**
 * Object bytes: small objects live inline in the version record, larger ones in chunks. A multipart
 * object keeps its parts' manifests as they were uploaded (`parts`: the version's `parts` give their
 * order and sizes; `getPartManifests` loads those a read covers), so no record, message or read holds
 * the chunk list of a whole 5 TiB object.
 */
export type ObjectData =
  | { readonly kind: 'inline'; readonly bytes: Buffer }
  | { readonly kind: 'chunks'; readonly manifest: BlobManifest }
  | { readonly kind: 'parts'; readonly uploadId: string }
  /** Inline bytes left out: the version was asked for `withoutData` (see getObject and PutObjectReq). */
  | { readonly kind: 'omitted' };

export interface GetObjectReq {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly withoutData?: boolean;
}

export interface ObjectVersion {
  readonly bucket: string;
  readonly key: string;
  /** Internal id of this version's record (read leases name it); see `s3VersionId` for what S3 shows. */
  readonly versionId: string;
  /**
   * The version id S3 shows (`x-amz-version-id`): `null` for the key's null version, absent when the
   * bucket's versioning was never set (S3 sends no version id then).
   */
  readonly s3VersionId?: string;
  /** The bucket's versioning when it is set (a copy onto itself may reuse data only when not Enabled). */
  readonly bucketVersioning?: 'Enabled' | 'Suspended';
  readonly size: number;
  /** Without quotes. `md5hex` for single PUTs, `md5hex-N` for multipart. */
  readonly etag: string;
  /** ms since the epoch */
  readonly lastModified: number;
  readonly headers: ObjectHeaders;
  readonly checksum?: ObjectChecksum;
  /** Present for objects made by CompleteMultipartUpload, in part order. */
  readonly parts?: readonly PartInfo[];
  readonly data: ObjectData;
}

/** What a listing needs of an object. */
export interface ObjectSummary {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Conditions checked inside the write transaction. */
export interface WriteConditions {
  /** Quoted or bare etag, or '*'. */
  readonly ifMatch?: string;
  /** Only '*' (or an etag) */
  readonly ifNoneMatch?: string;
}

/** The bytes of a new version. */
export type NewObjectData =
  | { readonly kind: 'inline'; readonly bytes: Buffer }
  | { readonly kind: 'chunks'; readonly manifest: BlobManifest; readonly intentId: string }
  /** Keep the bytes of this key's current version (copy onto itself to change metadata). */
  | { readonly kind: 'current'; readonly versionId: string };

export interface PutObjectReq {
  readonly bucket: string;
  readonly key: string;
  readonly data: NewObjectData;
  readonly size: number;
  readonly etag: string;
  readonly headers: ObjectHeaders;
  readonly checksum?: ObjectChecksum;
  readonly conditions?: WriteConditions;
  /**
   * The version written is returned without inline bytes (data kind `omitted`): the caller has them.
   * Without it the reply repeats the bytes, which in distributed mode cross the wire a second time
   * (up to the inline threshold per PUT). Chunked and multipart data are described as always.
   */
  readonly withoutData?: boolean;
}

export interface ListObjectsReq {
  readonly bucket: string;
  readonly prefix?: string;
  readonly delimiter?: string;
  /** List keys strictly after this one (marker / start-after / continuation token). */
  readonly startAfter?: string;
  /** 0..1000 */
  readonly maxKeys: number;
}

export interface ListObjectsRes {
  readonly objects: readonly ObjectSummary[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** When truncated: the last key or common prefix returned; resume with `startAfter`. */
  readonly nextMarker?: string;
}

export interface DeleteObjectReq {
  readonly bucket: string;
  readonly key: string;
  /**
   * Deletes exactly this version: `null` names the key's null version. A well-formed id that names no
   * version deletes nothing (S3 answers 204); a malformed one is InvalidArgument.
   */
  readonly versionId?: string;
  /** Conditional delete, checked in the transaction against the key's current version. */
  readonly conditions?: DeleteConditions;
  /**
   * Object Lock: the caller may and asked to bypass GOVERNANCE retention. A version under an unexpired
   * retention (GOVERNANCE without this) or a legal hold is not deleted: ObjectLocked.
   */
  readonly bypassGovernance?: boolean;
}

/**
 * S3 conditional delete (DeleteObject headers, DeleteObjects `<ETag>`, `<LastModifiedTime>`, `<Size>`).
 * When the key has no current object (none, or its latest version is a delete marker), `ifMatch` fails
 * with NoSuchKey and the other two hold; otherwise each given condition must hold or the delete is
 * PreconditionFailed.
 */
export interface DeleteConditions {
  /** An etag (quoted or bare), a comma-separated list of them, or `*`. */
  readonly ifMatch?: string;
  /** Epoch ms; compared at second precision (HTTP dates carry seconds). */
  readonly ifMatchLastModifiedTime?: number;
  readonly ifMatchSize?: number;
}

export interface DeleteObjectRes {
  /** Whether a version was removed or a marker added (S3 answers 204 either way). */
  readonly existed: boolean;
  /**
   * When the bucket's versioning is set: the S3 version id of the marker a plain DELETE added, or the
   * version id a DELETE named (`x-amz-version-id`).
   */
  readonly versionId?: string;
  /** A marker was added, or the version removed by id was a marker (`x-amz-delete-marker: true`). */
  readonly deleteMarker?: boolean;
}

/** One entry of DeleteObjects: a key, optionally one version of it. */
export interface ObjectIdentifier {
  readonly key: string;
  readonly versionId?: string;
  readonly conditions?: DeleteConditions;
  /** As DeleteObjectReq's (decided per key: a bucket policy may allow it for some keys only). */
  readonly bypassGovernance?: boolean;
}

export interface DeleteObjectsRes {
  /** In request order; `versionId` echoes the request's. */
  readonly results: readonly {
    readonly key: string;
    readonly versionId?: string;
    /** As DeleteObjectRes: a marker was added (then `deleteMarkerVersionId` is its id) or removed. */
    readonly deleteMarker?: boolean;
    readonly deleteMarkerVersionId?: string;
    readonly error?: { code: string; message: string };
  }[];
}

export interface ListObjectVersionsReq {
  readonly bucket: string;
  readonly prefix?: string;
  readonly delimiter?: string;
  /** Resume after this key (all its versions, unless `versionIdMarker` is given too). */
  readonly keyMarker?: string;
  /** With `keyMarker`: resume after this S3 version id of that key (`null` allowed). */
  readonly versionIdMarker?: string;
  /** 0..1000 */
  readonly maxKeys: number;
}

/** One version or delete marker, as ListObjectVersions shows it. */
export interface VersionSummary {
  readonly key: string;
  /** S3 version id: `null` for the key's null version. */
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
  readonly lastModified: number;
  /** Objects only (0 and '' for markers). */
  readonly size: number;
  readonly etag: string;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface ListObjectVersionsRes {
  /** Versions and markers interleaved, by key, newest first within a key. */
  readonly versions: readonly VersionSummary[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextVersionIdMarker?: string;
}

export interface MultipartUpload {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: number;
  readonly headers: ObjectHeaders;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  readonly owner: Owner;
}

export interface CreateMultipartUploadReq {
  readonly bucket: string;
  readonly key: string;
  readonly headers: ObjectHeaders;
  readonly owner: Owner;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface UploadPartReq {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partNumber: number;
  readonly manifest: BlobManifest;
  readonly intentId: string;
  readonly etag: string;
  readonly checksum?: ObjectChecksum;
  /** The part's size as the client sent it, when the stored bytes differ (encrypted). Default: the manifest's. */
  readonly size?: number;
}

export interface StoredPart extends PartInfo {
  readonly lastModified: number;
}

export interface CompleteMultipartReq {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly parts: readonly { readonly partNumber: number; readonly etag: string; readonly checksum?: string }[];
  /** Every part but the last must be at least this big (S3: 5 MiB). */
  readonly minPartSize: number;
  readonly conditions?: WriteConditions;
}

export interface ListPartsReq {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partNumberMarker?: number;
  readonly maxParts: number;
}

export interface ListPartsRes {
  readonly upload: MultipartUpload;
  readonly parts: readonly StoredPart[];
  readonly isTruncated: boolean;
  readonly nextPartNumberMarker?: number;
}

export interface ListUploadsReq {
  readonly bucket: string;
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly keyMarker?: string;
  readonly uploadIdMarker?: string;
  readonly maxUploads: number;
}

export interface ListUploadsRes {
  readonly uploads: readonly MultipartUpload[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextUploadIdMarker?: string;
}

/** The most write intents one createWriteIntents call creates. */
export const MAX_WRITE_INTENTS_PER_CALL = 64;

export interface WriteIntent {
  readonly intentId: string;
  /** ms since the epoch; after it the janitor may reclaim the intent's chunks */
  readonly expiresAt: number;
}

/** A reader's hold on a version's chunks: GC leaves them alone until `expiresAt` (ms since the epoch). */
export interface ReadLease {
  readonly leaseId: string;
  readonly expiresAt: number;
}

/**
 * The metadata service. Every method is one KV transaction (retried on conflict inside the service).
 * Plain data only, so the same interface is served in-process and over gRPC.
 */
export interface MetadataApi extends AccessKeyApi {
  /** `ownerKey`: the access key creating it (not the root key), granted read, write and owner in the same transaction. */
  createBucket(req: CreateBucketReq, ctx: CallCtx): Promise<Bucket>;
  getBucket(req: { name: string }, ctx: CallCtx): Promise<Bucket>;
  /** Deletes the bucket's key grants with it. */
  deleteBucket(req: { name: string }, ctx: CallCtx): Promise<void>;
  listBuckets(req: { owner?: string }, ctx: CallCtx): Promise<readonly Bucket[]>;

  /** Records a write intent before any chunk is written; the chunks are named under its id. */
  createWriteIntent(req: { ttlMs: number }, ctx: CallCtx): Promise<WriteIntent>;
  /**
   * `count` (1..MAX_WRITE_INTENTS_PER_CALL) write intents in one transaction, for a pool of intents
   * created ahead of need: one call and one commit instead of `count`. Each is what createWriteIntent
   * returns, all with the same expiry.
   */
  createWriteIntents(req: { ttlMs: number; count: number }, ctx: CallCtx): Promise<readonly WriteIntent[]>;
  /** Pushes an intent's expiry out while a long write is still running. */
  renewWriteIntent(req: { intentId: string; ttlMs: number }, ctx: CallCtx): Promise<WriteIntent>;
  /** A write failed: let the janitor reclaim its chunks now. */
  abandonWriteIntent(req: { intentId: string }, ctx: CallCtx): Promise<void>;
  /**
   * Records chunk ids under a live intent before their data is written (SeaweedFS fids are known only
   * after assign). The commit consumes them; the janitor deletes them if the intent is abandoned.
   * Fails IntentExpired when the intent is gone, expired or being reclaimed.
   */
  recordIntentChunks(req: { intentId: string; chunkIds: readonly string[] }, ctx: CallCtx): Promise<void>;

  /**
   * Takes (no `leaseId`) or renews a read lease on a version's chunks, for a read that runs longer than
   * the GC grace could cover: while a lease is live, the collector postpones deleting chunks unlinked
   * with that version. NoSuchVersion when the collector already claimed them (or the lease to renew has
   * lapsed and was dropped): the reader must stop, its bytes are going.
   */
  leaseVersion(req: { versionId: string; leaseId?: string; ttlMs: number }, ctx: CallCtx): Promise<ReadLease>;
  /** Drops a read lease (idempotent). */
  releaseVersionLease(req: { versionId: string; leaseId: string }, ctx: CallCtx): Promise<void>;

  putObject(req: PutObjectReq, ctx: CallCtx): Promise<ObjectVersion>;
  /**
   * `withoutData`: for callers that read the version but not its bytes (HeadObject, tagging, ACLs,
   * policy checks): inline bytes are left out (data kind `omitted`) instead of copied out of the record
   * and, in distributed mode, sent over the wire; chunked and multipart data are described as always.
   */
  getObject(req: GetObjectReq, ctx: CallCtx): Promise<ObjectVersion>;
  /**
   * The manifests of parts of a multipart version (data kind `parts`), in the order asked. NoSuchVersion
   * once the version's data is gone (collected after an overwrite or delete).
   */
  getPartManifests(req: { uploadId: string; partNumbers: readonly number[] }, ctx: CallCtx): Promise<readonly BlobManifest[]>;
  deleteObject(req: DeleteObjectReq, ctx: CallCtx): Promise<DeleteObjectRes>;
  /** Sets versioning to Enabled or Suspended (never back to Unversioned); InvalidBucketState for Suspended under Object Lock. */
  putBucketVersioning(req: { bucket: string; status: 'Enabled' | 'Suspended' }, ctx: CallCtx): Promise<void>;
  /**
   * Sets (with `document`) or removes (without) one of a bucket's configurations. NoSuchBucket. Setting
   * `objectLock` enables Object Lock on the bucket for good (InvalidBucketState unless versioning is
   * Enabled); removing it is InvalidArgument.
   */
  putBucketConfig(req: { bucket: string; kind: BucketConfigKind; document?: string }, ctx: CallCtx): Promise<void>;
  /** The bucket and its configurations of these kinds, from one snapshot. NoSuchBucket. */
  getBucketConfig(req: { bucket: string; kinds: readonly BucketConfigKind[] }, ctx: CallCtx): Promise<BucketConfigs>;
  /** Changes a version's tags / ACL in place; answers its S3 version id. NoSuchKey, NoSuchVersion, MethodNotAllowed. */
  updateObjectVersion(req: UpdateObjectVersionReq, ctx: CallCtx): Promise<{ readonly s3VersionId?: string }>;
  /** One page of a bucket's versions and delete markers, from one snapshot. */
  listObjectVersions(req: ListObjectVersionsReq, ctx: CallCtx): Promise<ListObjectVersionsRes>;
  deleteObjects(req: { bucket: string; objects: readonly ObjectIdentifier[] }, ctx: CallCtx): Promise<DeleteObjectsRes>;
  listObjects(req: ListObjectsReq, ctx: CallCtx): Promise<ListObjectsRes>;

  createMultipartUpload(
    req: CreateMultipartUploadReq,
    ctx: CallCtx,
  ): Promise<MultipartUpload>;
  getMultipartUpload(req: { bucket: string; key: string; uploadId: string }, ctx: CallCtx): Promise<MultipartUpload>;
  uploadPart(req: UploadPartReq, ctx: CallCtx): Promise<StoredPart>;
  completeMultipartUpload(req: CompleteMultipartReq, ctx: CallCtx): Promise<ObjectVersion>;
  abortMultipartUpload(req: { bucket: string; key: string; uploadId: string }, ctx: CallCtx): Promise<void>;
  listParts(req: ListPartsReq, ctx: CallCtx): Promise<ListPartsRes>;
  listMultipartUploads(req: ListUploadsReq, ctx: CallCtx): Promise<ListUploadsRes>;
}
