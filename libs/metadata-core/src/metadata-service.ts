import type {
  BlobManifest,
  Bucket,
  CallCtx,
  CompleteMultipartReq,
  DeleteObjectReq,
  DeleteObjectRes,
  DeleteObjectsRes,
  ListObjectsReq,
  ListObjectVersionsReq,
  ListObjectVersionsRes,
  CreateMultipartUploadReq,
  ListObjectsRes,
  ListPartsReq,
  ListPartsRes,
  ListUploadsReq,
  ListUploadsRes,
  MetadataApi,
  MultipartUpload,
  GetObjectReq,
  ObjectIdentifier,
  ObjectVersion,
  PutObjectReq,
  ReadLease,
  StoredPart,
  UploadPartReq,
  WriteIntent,
  BucketConfigKind,
  BucketConfigs,
  UpdateObjectVersionReq,
  CreateBucketReq,
  AccessKeyRecord,
  AccessKeySummary,
  KeyGrant,
  KeyLookup,
  KeyPermission,
  KeyWithGrants,
  SpaceReserve,
} from '@massive/contracts';
import type { KvStore } from '@massive/kv';
import { Registry } from 'prom-client';
import { abortMultipartUpload } from './ops/abort-multipart-upload';
import { createBucket } from './ops/create-bucket';
import { createMultipartUpload } from './ops/create-multipart-upload';
import { deleteBucket } from './ops/delete-bucket';
import { deleteObject } from './ops/delete-object';
import { deleteObjects } from './ops/delete-objects';
import type { ChecksumCombiner, OpDeps } from './ops/deps';
import { getBucket } from './ops/get-bucket';
import { getMultipartUpload } from './ops/get-multipart-upload';
import { getObject } from './ops/get-object';
import { getPartManifests } from './ops/get-part-manifests';
import { listBuckets } from './ops/list-buckets';
import { listMultipartUploads } from './ops/list-multipart-uploads';
import { listObjects } from './ops/list-objects';
import { listObjectVersions } from './ops/list-object-versions';
import { putBucketVersioning } from './ops/put-bucket-versioning';
import { getBucketConfig, putBucketConfig } from './ops/bucket-config';
import { createKey, deleteKey, getKey, listBucketGrants, listKeys, resealKey, updateGrant } from './ops/access-keys';
import { updateObjectVersion } from './ops/update-object-version';
import { listParts } from './ops/list-parts';
import { putObject } from './ops/put-object';
import { leaseVersion, releaseVersionLease } from './ops/read-leases';
import { uploadPart } from './ops/upload-part';
import { abandonWriteIntent, createWriteIntent, createWriteIntents, recordIntentChunks, renewWriteIntent } from './ops/write-intents';
import { completeMultipartUpload } from './ops/complete-multipart-upload';
import { createMetadataMetrics, type MetadataMetrics } from './txn/metrics';
import { DEFAULT_RETRY, TxnRunner, type RetryPolicy } from './txn/run-txn';

export interface MetadataServiceOptions {
  readonly kv: KvStore;
  /** Where metrics are registered (shared with the host's /metrics). Default: a private Registry. */
  readonly registry?: Registry;
  /** ms since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** Conflict retry budget and backoff. */
  readonly retry?: Partial<RetryPolicy>;
  /** Delay between unlinking chunks and the collector deleting them. Default 60 s. */
  readonly gcGraceMs?: number;
  /** Multipart checksums the service cannot compute itself (CRC32C, CRC64NVME, FULL_OBJECT). */
  readonly checksumCombiner?: ChecksumCombiner;
  /**
   * The embedded store's free-space reserve: writes that add data are refused (InsufficientStorage)
   * while it is low. TiKV keeps its own (`reserve-space`).
   */
  readonly spaceReserve?: SpaceReserve;
}

export const DEFAULT_GC_GRACE_MS = 60_000;

/** S3 metadata semantics over any KvStore: every method is one (retried) transaction or one snapshot. */
export class MetadataService implements MetadataApi {
  readonly kv: KvStore;
  readonly metrics: MetadataMetrics;
  private readonly deps: OpDeps;

  constructor(options: MetadataServiceOptions) {
    this.kv = options.kv;
    this.metrics = createMetadataMetrics(options.registry ?? new Registry());
    const clock = options.clock ?? Date.now;
    this.deps = {
      txn: new TxnRunner(options.kv, this.metrics, { ...DEFAULT_RETRY, ...options.retry }, undefined, options.spaceReserve),
      clock,
      gcGraceMs: options.gcGraceMs ?? DEFAULT_GC_GRACE_MS,
      ...(options.checksumCombiner && { checksumCombiner: options.checksumCombiner }),
    };
  }

  createBucket(req: CreateBucketReq, ctx: CallCtx): Promise<Bucket> {
    return createBucket(this.deps, req, ctx);
  }
  getBucket(req: { name: string }, ctx: CallCtx): Promise<Bucket> {
    return getBucket(this.deps, req, ctx);
  }
  deleteBucket(req: { name: string }, ctx: CallCtx): Promise<void> {
    return deleteBucket(this.deps, req, ctx);
  }
  listBuckets(req: { owner?: string }, ctx: CallCtx): Promise<readonly Bucket[]> {
    return listBuckets(this.deps, req, ctx);
  }

  createWriteIntent(req: { ttlMs: number }, ctx: CallCtx): Promise<WriteIntent> {
    return createWriteIntent(this.deps, req, ctx);
  }
  createWriteIntents(req: { ttlMs: number; count: number }, ctx: CallCtx): Promise<readonly WriteIntent[]> {
    return createWriteIntents(this.deps, req, ctx);
  }
  renewWriteIntent(req: { intentId: string; ttlMs: number }, ctx: CallCtx): Promise<WriteIntent> {
    return renewWriteIntent(this.deps, req, ctx);
  }
  abandonWriteIntent(req: { intentId: string }, ctx: CallCtx): Promise<void> {
    return abandonWriteIntent(this.deps, req, ctx);
  }
  recordIntentChunks(req: { intentId: string; chunkIds: readonly string[] }, ctx: CallCtx): Promise<void> {
    return recordIntentChunks(this.deps, req, ctx);
  }

  leaseVersion(req: { versionId: string; leaseId?: string; ttlMs: number }, ctx: CallCtx): Promise<ReadLease> {
    return leaseVersion(this.deps, req, ctx);
  }
  releaseVersionLease(req: { versionId: string; leaseId: string }, ctx: CallCtx): Promise<void> {
    return releaseVersionLease(this.deps, req, ctx);
  }
  getPartManifests(req: { uploadId: string; partNumbers: readonly number[] }, ctx: CallCtx): Promise<readonly BlobManifest[]> {
    return getPartManifests(this.deps, req, ctx);
  }
  putObject(req: PutObjectReq, ctx: CallCtx): Promise<ObjectVersion> {
    return putObject(this.deps, req, ctx);
  }
  getObject(req: GetObjectReq, ctx: CallCtx): Promise<ObjectVersion> {
    return getObject(this.deps, req, ctx);
  }
  deleteObject(req: DeleteObjectReq, ctx: CallCtx): Promise<DeleteObjectRes> {
    return deleteObject(this.deps, req, ctx);
  }
  putBucketVersioning(req: { bucket: string; status: 'Enabled' | 'Suspended' }, ctx: CallCtx): Promise<void> {
    return putBucketVersioning(this.deps, req, ctx);
  }
  putBucketConfig(req: { bucket: string; kind: BucketConfigKind; document?: string }, ctx: CallCtx): Promise<void> {
    return putBucketConfig(this.deps, req, ctx);
  }
  getBucketConfig(req: { bucket: string; kinds: readonly BucketConfigKind[] }, ctx: CallCtx): Promise<BucketConfigs> {
    return getBucketConfig(this.deps, req, ctx);
  }
  updateObjectVersion(req: UpdateObjectVersionReq, ctx: CallCtx): Promise<{ readonly s3VersionId?: string }> {
    return updateObjectVersion(this.deps, req, ctx);
  }
  listObjectVersions(req: ListObjectVersionsReq, ctx: CallCtx): Promise<ListObjectVersionsRes> {
    return listObjectVersions(this.deps, req, ctx);
  }
  deleteObjects(req: { bucket: string; objects: readonly ObjectIdentifier[] }, ctx: CallCtx): Promise<DeleteObjectsRes> {
    return deleteObjects(this.deps, req, ctx);
  }
  listObjects(req: ListObjectsReq, ctx: CallCtx): Promise<ListObjectsRes> {
    return listObjects(this.deps, req, ctx);
  }

  createMultipartUpload(req: CreateMultipartUploadReq, ctx: CallCtx): Promise<MultipartUpload> {
    return createMultipartUpload(this.deps, req, ctx);
  }
  getMultipartUpload(req: { bucket: string; key: string; uploadId: string }, ctx: CallCtx): Promise<MultipartUpload> {
    return getMultipartUpload(this.deps, req, ctx);
  }
  uploadPart(req: UploadPartReq, ctx: CallCtx): Promise<StoredPart> {
    return uploadPart(this.deps, req, ctx);
  }
  completeMultipartUpload(req: CompleteMultipartReq, ctx: CallCtx): Promise<ObjectVersion> {
    return completeMultipartUpload(this.deps, req, ctx);
  }
  abortMultipartUpload(req: { bucket: string; key: string; uploadId: string }, ctx: CallCtx): Promise<void> {
    return abortMultipartUpload(this.deps, req, ctx);
  }
  listParts(req: ListPartsReq, ctx: CallCtx): Promise<ListPartsRes> {
    return listParts(this.deps, req, ctx);
  }
  listMultipartUploads(req: ListUploadsReq, ctx: CallCtx): Promise<ListUploadsRes> {
    return listMultipartUploads(this.deps, req, ctx);
  }

  // ---- access keys and grants ----
  createKey(req: AccessKeyRecord, ctx: CallCtx): Promise<AccessKeySummary> {
    return createKey(this.deps, req, ctx);
  }
  getKey(req: KeyLookup, ctx: CallCtx): Promise<KeyWithGrants> {
    return getKey(this.deps, req, ctx);
  }
  listKeys(_req: Record<string, never>, ctx: CallCtx): Promise<readonly AccessKeySummary[]> {
    return listKeys(this.deps, ctx);
  }
  resealKey(req: { accessKeyId: string; expected: string; sealedSecret: string }, ctx: CallCtx): Promise<{ readonly resealed: boolean }> {
    return resealKey(this.deps, req, ctx);
  }
  deleteKey(req: { accessKeyId: string }, ctx: CallCtx): Promise<{ readonly deleted: boolean }> {
    return deleteKey(this.deps, req, ctx);
  }
  updateGrant(req: { accessKeyId: string; bucket: string; allow: readonly KeyPermission[]; deny: readonly KeyPermission[] }, ctx: CallCtx): Promise<KeyGrant> {
    return updateGrant(this.deps, req, ctx);
  }
  listBucketGrants(req: { bucket: string }, ctx: CallCtx): Promise<readonly KeyGrant[]> {
    return listBucketGrants(this.deps, req, ctx);
  }
}
