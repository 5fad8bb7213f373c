import { isBucketConfigKind } from '@massive/contracts';
import type {
  BlobManifest,
  Bucket,
  BucketConfigKind,
  BucketConfigs,
  UpdateObjectVersionReq,
  CreateBucketReq,
  CallCtx,
  CompleteMultipartReq,
  DeleteObjectReq,
  ListObjectVersionsReq,
  ListObjectVersionsRes,
  DeleteObjectRes,
  DeleteObjectsRes,
  ListObjectsReq,
  CreateMultipartUploadReq,
  ListObjectsRes,
  ListPartsReq,
  ListPartsRes,
  ListUploadsReq,
  ListUploadsRes,
  MetadataApi,
  MultipartUpload,
  ObjectIdentifier,
  GetObjectReq,
  ObjectVersion,
  PutObjectReq,
  StoredPart,
  UploadPartReq,
  ReadLease,
  WriteIntent,
  AccessKeyRecord,
  AccessKeySummary,
  KeyGrant,
  KeyLookup,
  KeyPermission,
  KeyWithGrants,
} from '@massive/contracts';
import { ChannelPool, type PoolOptions } from '../channel-pool';
import { decodeManifest, encodeManifest, opt, u32, u64 } from '../codec';
import type { MetadataDefinition } from '../generated/massive/metadata/v1/Metadata';
import { loadProtos } from '../proto';
import { decodeListVersionsRes, encodeListVersionsReq } from './version-records';
import { decodeGrant, decodeKeyRecord, decodeKeySummary, encodeKeyLookup, encodeKeyRecord } from './key-records';
import {
  decodeBucket,
  decodeIntent,
  decodeStoredPart,
  decodeSummary,
  decodeUpload,
  decodeVersion,
  encodeAlgorithm,
  encodeChecksum,
  encodeChecksumType,
  encodeConditions,
  encodeHeaders,
  encodeNewData,
  encodeOwner,
  required,
  encodeDeleteConditions,
  encodeRetention,
} from './records';

export interface GrpcClientOptions extends Omit<PoolOptions, 'label'> {
  /** A definition already loaded (several clients in one process share one load). */
  readonly definition?: MetadataDefinition;
}

/** MetadataApi over gRPC: the remote twin of MetadataService (same results, same ServiceErrors). */
export class GrpcMetadataClient implements MetadataApi {
  readonly pool: ChannelPool<MetadataDefinition>;

  constructor(opts: GrpcClientOptions) {
    // Multiplexed by default: most metadata calls are small, and a unary call's own cost dominates them.
    this.pool = new ChannelPool(opts.definition ?? loadProtos().metadata, { mux: true, ...opts, label: 'metadata service' });
  }

  /** grpc.health.v1: true when a replica answers SERVING. */
  healthy(timeoutMs?: number): Promise<boolean> {
    return this.pool.healthy('', timeoutMs);
  }

  close(): void {
    this.pool.close();
  }

  async createBucket(req: CreateBucketReq, ctx: CallCtx): Promise<Bucket> {
    const msg = {
      name: req.name,
      region: req.region,
      owner: encodeOwner(req.owner),
      ...opt('ownerKey', req.ownerKey),
      configs: (req.configs ?? []).map((c) => ({ kind: c.kind, document: c.document })),
      ...(req.objectLock && { objectLock: true }),
    };
    return decodeBucket(await this.pool.unary('CreateBucket', msg, ctx));
  }

  async getBucket(req: { name: string }, ctx: CallCtx): Promise<Bucket> {
    return decodeBucket(await this.pool.unary('GetBucket', { name: req.name }, ctx));
  }

  async deleteBucket(req: { name: string }, ctx: CallCtx): Promise<void> {
    await this.pool.unary('DeleteBucket', { name: req.name }, ctx);
  }

  async listBuckets(req: { owner?: string }, ctx: CallCtx): Promise<readonly Bucket[]> {
    return (await this.pool.unary('ListBuckets', opt('owner', req.owner), ctx)).buckets.map(decodeBucket);
  }

  async createWriteIntent(req: { ttlMs: number }, ctx: CallCtx): Promise<WriteIntent> {
    return decodeIntent(await this.pool.unary('CreateWriteIntent', { ttlMs: u64(req.ttlMs) }, ctx));
  }

  async createWriteIntents(req: { ttlMs: number; count: number }, ctx: CallCtx): Promise<readonly WriteIntent[]> {
    return (await this.pool.unary('CreateWriteIntents', { ttlMs: u64(req.ttlMs), count: u32(req.count) }, ctx)).intents.map(decodeIntent);
  }

  async renewWriteIntent(req: { intentId: string; ttlMs: number }, ctx: CallCtx): Promise<WriteIntent> {
    return decodeIntent(await this.pool.unary('RenewWriteIntent', { intentId: req.intentId, ttlMs: u64(req.ttlMs) }, ctx));
  }

  async abandonWriteIntent(req: { intentId: string }, ctx: CallCtx): Promise<void> {
    await this.pool.unary('AbandonWriteIntent', { intentId: req.intentId }, ctx);
  }

  async getPartManifests(req: { uploadId: string; partNumbers: readonly number[] }, ctx: CallCtx): Promise<readonly BlobManifest[]> {
    const res = await this.pool.unary('GetPartManifests', { uploadId: req.uploadId, partNumbers: [...req.partNumbers] }, ctx);
    return res.manifests.map(decodeManifest);
  }

  async leaseVersion(req: { versionId: string; leaseId?: string; ttlMs: number }, ctx: CallCtx): Promise<ReadLease> {
    const res = await this.pool.unary('LeaseVersion', { versionId: req.versionId, ...opt('leaseId', req.leaseId), ttlMs: u64(req.ttlMs) }, ctx);
    return { leaseId: res.leaseId, expiresAt: Number(res.expiresAt) };
  }

  async releaseVersionLease(req: { versionId: string; leaseId: string }, ctx: CallCtx): Promise<void> {
    await this.pool.unary('ReleaseVersionLease', { versionId: req.versionId, leaseId: req.leaseId }, ctx);
  }

  async recordIntentChunks(req: { intentId: string; chunkIds: readonly string[] }, ctx: CallCtx): Promise<void> {
    await this.pool.unary('RecordIntentChunks', { intentId: req.intentId, chunkIds: [...req.chunkIds] }, ctx);
  }

  async putObject(req: PutObjectReq, ctx: CallCtx): Promise<ObjectVersion> {
    const msg = {
      bucket: req.bucket,
      key: req.key,
      data: encodeNewData(req.data),
      size: u64(req.size),
      etag: req.etag,
      headers: encodeHeaders(req.headers),
      ...opt('checksum', encodeChecksum(req.checksum)),
      ...opt('conditions', encodeConditions(req.conditions)),
      ...(req.withoutData && { withoutData: true }),
    };
    return decodeVersion(await this.pool.unary('PutObject', msg, ctx));
  }

  async getObject(req: GetObjectReq, ctx: CallCtx): Promise<ObjectVersion> {
    const msg = { bucket: req.bucket, key: req.key, ...opt('versionId', req.versionId), ...(req.withoutData && { withoutData: true }) };
    return decodeVersion(await this.pool.unary('GetObject', msg, ctx));
  }

  async deleteObject(req: DeleteObjectReq, ctx: CallCtx): Promise<DeleteObjectRes> {
    const msg = {
      bucket: req.bucket,
      key: req.key,
      ...opt('versionId', req.versionId),
      ...encodeDeleteConditions(req.conditions),
      ...(req.bypassGovernance && { bypassGovernance: true }),
    };
    const res = await this.pool.unary('DeleteObject', msg, ctx);
    return { existed: res.existed, ...opt('versionId', res.versionId), ...(res.deleteMarker && { deleteMarker: true }) };
  }

  async putBucketVersioning(req: { bucket: string; status: 'Enabled' | 'Suspended' }, ctx: CallCtx): Promise<void> {
    await this.pool.unary('PutBucketVersioning', { bucket: req.bucket, status: req.status }, ctx);
  }

  async putBucketConfig(req: { bucket: string; kind: BucketConfigKind; document?: string }, ctx: CallCtx): Promise<void> {
    await this.pool.unary('PutBucketConfig', { bucket: req.bucket, kind: req.kind, ...opt('document', req.document) }, ctx);
  }

  async getBucketConfig(req: { bucket: string; kinds: readonly BucketConfigKind[] }, ctx: CallCtx): Promise<BucketConfigs> {
    const res = await this.pool.unary('GetBucketConfig', { bucket: req.bucket, kinds: [...req.kinds] }, ctx);
    const documents: Partial<Record<BucketConfigKind, string>> = {};
    for (const d of res.documents) if (isBucketConfigKind(d.kind)) documents[d.kind] = d.document;
    return { bucket: decodeBucket(required(res.bucket, 'bucket')), documents };
  }

  async updateObjectVersion(req: UpdateObjectVersionReq, ctx: CallCtx): Promise<{ readonly s3VersionId?: string }> {
    const res = await this.pool.unary(
      'UpdateObjectVersion',
      {
        bucket: req.bucket,
        key: req.key,
        ...opt('versionId', req.versionId),
        hasTags: req.tags !== undefined,
        tags: (req.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
        ...opt('acl', req.acl),
        ...opt('retention', req.retention && encodeRetention(req.retention)),
        ...opt('legalHold', req.legalHold),
        ...(req.bypassGovernance && { bypassGovernance: true }),
      },
      ctx,
    );
    return opt('s3VersionId', res.s3VersionId);
  }

  async listObjectVersions(req: ListObjectVersionsReq, ctx: CallCtx): Promise<ListObjectVersionsRes> {
    return decodeListVersionsRes(await this.pool.unary('ListObjectVersions', encodeListVersionsReq(req), ctx));
  }

  async deleteObjects(req: { bucket: string; objects: readonly ObjectIdentifier[] }, ctx: CallCtx): Promise<DeleteObjectsRes> {
    const objects = req.objects.map((o) => ({
      key: o.key,
      ...opt('versionId', o.versionId),
      ...encodeDeleteConditions(o.conditions),
      ...(o.bypassGovernance && { bypassGovernance: true }),
    }));
    const res = await this.pool.unary('DeleteObjects', { bucket: req.bucket, objects }, ctx);
    return {
      results: res.results.map((r) => ({
        key: r.key,
        ...opt('versionId', r.versionId),
        ...(r.deleteMarker && { deleteMarker: true }),
        ...opt('deleteMarkerVersionId', r.deleteMarkerVersionId),
        ...opt('error', r.error && { code: r.error.code, message: r.error.message }),
      })),
    };
  }

  async listObjects(req: ListObjectsReq, ctx: CallCtx): Promise<ListObjectsRes> {
    const msg = {
      bucket: req.bucket,
      ...opt('prefix', req.prefix),
      ...opt('delimiter', req.delimiter),
      ...opt('startAfter', req.startAfter),
      maxKeys: req.maxKeys,
    };
    const res = await this.pool.unary('ListObjects', msg, ctx);
    return {
      objects: res.objects.map(decodeSummary),
      commonPrefixes: res.commonPrefixes,
      isTruncated: res.isTruncated,
      ...opt('nextMarker', res.nextMarker),
    };
  }

  async createMultipartUpload(
    req: CreateMultipartUploadReq,
    ctx: CallCtx,
  ): Promise<MultipartUpload> {
    const msg = {
      bucket: req.bucket,
      key: req.key,
      headers: encodeHeaders(req.headers),
      owner: encodeOwner(req.owner),
      checksumAlgorithm: encodeAlgorithm(req.checksumAlgorithm),
      checksumType: encodeChecksumType(req.checksumType),
    };
    return decodeUpload(await this.pool.unary('CreateMultipartUpload', msg, ctx));
  }

  async getMultipartUpload(req: { bucket: string; key: string; uploadId: string }, ctx: CallCtx): Promise<MultipartUpload> {
    return decodeUpload(await this.pool.unary('GetMultipartUpload', { bucket: req.bucket, key: req.key, uploadId: req.uploadId }, ctx));
  }

  async uploadPart(req: UploadPartReq, ctx: CallCtx): Promise<StoredPart> {
    const msg = {
      bucket: req.bucket,
      key: req.key,
      uploadId: req.uploadId,
      partNumber: req.partNumber,
      manifest: encodeManifest(req.manifest),
      intentId: req.intentId,
      etag: req.etag,
      ...opt('checksum', encodeChecksum(req.checksum)),
      ...(req.size !== undefined && { size: u64(req.size) }),
    };
    return decodeStoredPart(await this.pool.unary('UploadPart', msg, ctx));
  }

  async completeMultipartUpload(req: CompleteMultipartReq, ctx: CallCtx): Promise<ObjectVersion> {
    const msg = {
      bucket: req.bucket,
      key: req.key,
      uploadId: req.uploadId,
      parts: req.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, ...opt('checksum', p.checksum) })),
      minPartSize: u64(req.minPartSize),
      ...opt('conditions', encodeConditions(req.conditions)),
    };
    return decodeVersion(await this.pool.unary('CompleteMultipartUpload', msg, ctx));
  }

  async abortMultipartUpload(req: { bucket: string; key: string; uploadId: string }, ctx: CallCtx): Promise<void> {
    await this.pool.unary('AbortMultipartUpload', { bucket: req.bucket, key: req.key, uploadId: req.uploadId }, ctx);
  }

  async listParts(req: ListPartsReq, ctx: CallCtx): Promise<ListPartsRes> {
    const msg = { bucket: req.bucket, key: req.key, uploadId: req.uploadId, ...opt('partNumberMarker', req.partNumberMarker), maxParts: req.maxParts };
    const res = await this.pool.unary('ListParts', msg, ctx);
    return {
      upload: decodeUpload(res.upload),
      parts: res.parts.map(decodeStoredPart),
      isTruncated: res.isTruncated,
      ...opt('nextPartNumberMarker', res.nextPartNumberMarker),
    };
  }

  async listMultipartUploads(req: ListUploadsReq, ctx: CallCtx): Promise<ListUploadsRes> {
    const msg = {
      bucket: req.bucket,
      ...opt('prefix', req.prefix),
      ...opt('delimiter', req.delimiter),
      ...opt('keyMarker', req.keyMarker),
      ...opt('uploadIdMarker', req.uploadIdMarker),
      maxUploads: req.maxUploads,
    };
    const res = await this.pool.unary('ListMultipartUploads', msg, ctx);
    return {
      uploads: res.uploads.map(decodeUpload),
      commonPrefixes: res.commonPrefixes,
      isTruncated: res.isTruncated,
      ...opt('nextKeyMarker', res.nextKeyMarker),
      ...opt('nextUploadIdMarker', res.nextUploadIdMarker),
    };
  }

  // ---- access keys and grants ----
  async createKey(req: AccessKeyRecord, ctx: CallCtx): Promise<AccessKeySummary> {
    return decodeKeySummary(await this.pool.unary('KeyCreate', encodeKeyRecord(req), ctx));
  }

  async getKey(req: KeyLookup, ctx: CallCtx): Promise<KeyWithGrants> {
    const res = await this.pool.unary('KeyGet', encodeKeyLookup(req), ctx);
    return { ...(res.key && { key: decodeKeyRecord(res.key) }), grants: res.grants.map(decodeGrant) };
  }

  async listKeys(_req: Record<string, never>, ctx: CallCtx): Promise<readonly AccessKeySummary[]> {
    return (await this.pool.unary('KeyList', {}, ctx)).keys.map(decodeKeySummary);
  }

  async resealKey(req: { accessKeyId: string; expected: string; sealedSecret: string }, ctx: CallCtx): Promise<{ readonly resealed: boolean }> {
    return { resealed: (await this.pool.unary('KeyReseal', { accessKeyId: req.accessKeyId, expected: req.expected, sealedSecret: req.sealedSecret }, ctx)).resealed };
  }

  async deleteKey(req: { accessKeyId: string }, ctx: CallCtx): Promise<{ readonly deleted: boolean }> {
    return { deleted: (await this.pool.unary('KeyDelete', { accessKeyId: req.accessKeyId }, ctx)).deleted };
  }

  async updateGrant(req: { accessKeyId: string; bucket: string; allow: readonly KeyPermission[]; deny: readonly KeyPermission[] }, ctx: CallCtx): Promise<KeyGrant> {
    return decodeGrant(await this.pool.unary('GrantUpdate', { accessKeyId: req.accessKeyId, bucket: req.bucket, allow: [...req.allow], deny: [...req.deny] }, ctx));
  }

  async listBucketGrants(req: { bucket: string }, ctx: CallCtx): Promise<readonly KeyGrant[]> {
    return (await this.pool.unary('GrantList', { bucket: req.bucket }, ctx)).grants.map(decodeGrant);
  }
}
