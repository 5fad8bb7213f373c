import { isBucketConfigKind, ServiceError, type BucketConfigKind, type MetadataApi } from '@massive/contracts';
import type { AsyncService } from '../bind-service';
import { decodeManifest, encodeManifest, num, opt } from '../codec';
import type { MetadataHandlers } from '../generated/massive/metadata/v1/Metadata';
import { decodeListVersionsReq, encodeListVersionsRes } from './version-records';
import { decodeKeyLookup, decodeKeyRecord, decodePermissions, encodeGrant, encodeKeyRecord, encodeKeySummary } from './key-records';
import {
  decodeAlgorithm,
  decodeChecksum,
  decodeChecksumType,
  decodeConditions,
  decodeHeaders,
  decodeNewData,
  decodeOwner,
  encodeBucket,
  encodeIntent,
  encodeStoredPart,
  encodeSummary,
  encodeUpload,
  encodeVersion,
  decodeDeleteConditions,
  decodeRetention,
} from './records';

function configKind(kind: string): BucketConfigKind {
  if (!isBucketConfigKind(kind)) throw new ServiceError('InvalidArgument', `Unknown bucket configuration: ${kind}`);
  return kind;
}

/** The Metadata gRPC service over any MetadataApi (MetadataService in apps/metadata): decode, call, encode. */
export function metadataServiceImpl(api: MetadataApi): AsyncService<MetadataHandlers> {
  return {
    CreateBucket: async (r, ctx) =>
      encodeBucket(
        await api.createBucket(
          {
            name: r.name,
            region: r.region,
            owner: decodeOwner(r.owner),
            ...opt('ownerKey', r.ownerKey),
            ...(r.configs.length > 0 && { configs: r.configs.map((c) => ({ kind: configKind(c.kind), document: c.document })) }),
            ...(r.objectLock && { objectLock: true }),
          },
          ctx,
        ),
      ),
    GetBucket: async (r, ctx) => encodeBucket(await api.getBucket({ name: r.name }, ctx)),
    DeleteBucket: async (r, ctx) => {
      await api.deleteBucket({ name: r.name }, ctx);
      return {};
    },
    ListBuckets: async (r, ctx) => ({ buckets: (await api.listBuckets(opt('owner', r.owner), ctx)).map(encodeBucket) }),
    CreateWriteIntent: async (r, ctx) => encodeIntent(await api.createWriteIntent({ ttlMs: num(r.ttlMs) }, ctx)),
    CreateWriteIntents: async (r, ctx) => ({ intents: (await api.createWriteIntents({ ttlMs: num(r.ttlMs), count: r.count }, ctx)).map(encodeIntent) }),
    RenewWriteIntent: async (r, ctx) => encodeIntent(await api.renewWriteIntent({ intentId: r.intentId, ttlMs: num(r.ttlMs) }, ctx)),
    GetPartManifests: async (r, ctx) => ({
      manifests: (await api.getPartManifests({ uploadId: r.uploadId, partNumbers: r.partNumbers }, ctx)).map(encodeManifest),
    }),
    LeaseVersion: async (r, ctx) => {
      const lease = await api.leaseVersion({ versionId: r.versionId, ...(r.leaseId !== undefined && r.leaseId !== null && { leaseId: r.leaseId }), ttlMs: num(r.ttlMs) }, ctx);
      return { leaseId: lease.leaseId, expiresAt: String(lease.expiresAt) };
    },
    ReleaseVersionLease: async (r, ctx) => {
      await api.releaseVersionLease({ versionId: r.versionId, leaseId: r.leaseId }, ctx);
      return {};
    },
    AbandonWriteIntent: async (r, ctx) => {
      await api.abandonWriteIntent({ intentId: r.intentId }, ctx);
      return {};
    },
    RecordIntentChunks: async (r, ctx) => {
      await api.recordIntentChunks({ intentId: r.intentId, chunkIds: r.chunkIds }, ctx);
      return {};
    },
    PutObject: async (r, ctx) =>
      encodeVersion(
        await api.putObject(
          {
            bucket: r.bucket,
            key: r.key,
            data: decodeNewData(r.data),
            size: num(r.size),
            etag: r.etag,
            headers: decodeHeaders(r.headers),
            ...opt('checksum', decodeChecksum(r.checksum)),
            ...opt('conditions', decodeConditions(r.conditions)),
            ...(r.withoutData && { withoutData: true }),
          },
          ctx,
        ),
      ),
    GetObject: async (r, ctx) =>
      encodeVersion(await api.getObject({ bucket: r.bucket, key: r.key, ...opt('versionId', r.versionId), ...(r.withoutData && { withoutData: true }) }, ctx)),
    DeleteObject: async (r, ctx) => {
      const res = await api.deleteObject(
        {
          bucket: r.bucket,
          key: r.key,
          ...opt('versionId', r.versionId),
          ...opt('conditions', decodeDeleteConditions(r)),
          ...(r.bypassGovernance && { bypassGovernance: true }),
        },
        ctx,
      );
      return { existed: res.existed, ...opt('versionId', res.versionId), deleteMarker: res.deleteMarker === true };
    },
    PutBucketVersioning: async (r, ctx) => {
      if (r.status !== 'Enabled' && r.status !== 'Suspended') throw new ServiceError('InvalidArgument', `Invalid versioning status: ${r.status}`);
      await api.putBucketVersioning({ bucket: r.bucket, status: r.status }, ctx);
      return {};
    },
    PutBucketConfig: async (r, ctx) => {
      await api.putBucketConfig({ bucket: r.bucket, kind: configKind(r.kind), ...opt('document', r.document) }, ctx);
      return {};
    },
    GetBucketConfig: async (r, ctx) => {
      const res = await api.getBucketConfig({ bucket: r.bucket, kinds: r.kinds.map(configKind) }, ctx);
      const documents = Object.entries(res.documents).map(([kind, document]) => ({ kind, document }));
      return { bucket: encodeBucket(res.bucket), documents };
    },
    UpdateObjectVersion: async (r, ctx) => {
      const res = await api.updateObjectVersion(
        {
          bucket: r.bucket,
          key: r.key,
          ...opt('versionId', r.versionId),
          ...(r.hasTags && { tags: r.tags.map((t) => ({ key: t.key, value: t.value })) }),
          ...opt('acl', r.acl),
          ...opt('retention', r.retention ? decodeRetention(r.retention) : undefined),
          ...opt('legalHold', r.legalHold ?? undefined),
          ...(r.bypassGovernance && { bypassGovernance: true }),
        },
        ctx,
      );
      return opt('s3VersionId', res.s3VersionId);
    },
    ListObjectVersions: async (r, ctx) => encodeListVersionsRes(await api.listObjectVersions(decodeListVersionsReq(r), ctx)),
    DeleteObjects: async (r, ctx) => {
      const objects = [...r.keys.map((key) => ({ key })), ...r.objects.map((o) => ({
          key: o.key,
          ...opt('versionId', o.versionId),
          ...opt('conditions', decodeDeleteConditions(o)),
          ...(o.bypassGovernance && { bypassGovernance: true }),
        })),
      ];
      const res = await api.deleteObjects({ bucket: r.bucket, objects }, ctx);
      return {
        results: res.results.map((x) => ({
          key: x.key,
          ...opt('versionId', x.versionId),
          deleteMarker: x.deleteMarker === true,
          ...opt('deleteMarkerVersionId', x.deleteMarkerVersionId),
          ...opt('error', x.error && { code: x.error.code, message: x.error.message }),
        })),
      };
    },
    ListObjects: async (r, ctx) => {
      const res = await api.listObjects(
        { bucket: r.bucket, ...opt('prefix', r.prefix), ...opt('delimiter', r.delimiter), ...opt('startAfter', r.startAfter), maxKeys: r.maxKeys },
        ctx,
      );
      return { objects: res.objects.map(encodeSummary), commonPrefixes: [...res.commonPrefixes], isTruncated: res.isTruncated, ...opt('nextMarker', res.nextMarker) };
    },
    CreateMultipartUpload: async (r, ctx) =>
      encodeUpload(
        await api.createMultipartUpload(
          {
            bucket: r.bucket,
            key: r.key,
            headers: decodeHeaders(r.headers),
            owner: decodeOwner(r.owner),
            ...opt('checksumAlgorithm', decodeAlgorithm(r.checksumAlgorithm)),
            ...opt('checksumType', decodeChecksumType(r.checksumType)),
          },
          ctx,
        ),
      ),
    GetMultipartUpload: async (r, ctx) => encodeUpload(await api.getMultipartUpload({ bucket: r.bucket, key: r.key, uploadId: r.uploadId }, ctx)),
    UploadPart: async (r, ctx) =>
      encodeStoredPart(
        await api.uploadPart(
          {
            bucket: r.bucket,
            key: r.key,
            uploadId: r.uploadId,
            partNumber: r.partNumber,
            manifest: decodeManifest(r.manifest),
            intentId: r.intentId,
            etag: r.etag,
            ...opt('checksum', decodeChecksum(r.checksum)),
            ...(r.size !== undefined && r.size !== null && { size: num(r.size) }),
          },
          ctx,
        ),
      ),
    CompleteMultipartUpload: async (r, ctx) =>
      encodeVersion(
        await api.completeMultipartUpload(
          {
            bucket: r.bucket,
            key: r.key,
            uploadId: r.uploadId,
            parts: r.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, ...opt('checksum', p.checksum) })),
            minPartSize: num(r.minPartSize),
            ...opt('conditions', decodeConditions(r.conditions)),
          },
          ctx,
        ),
      ),
    AbortMultipartUpload: async (r, ctx) => {
      await api.abortMultipartUpload({ bucket: r.bucket, key: r.key, uploadId: r.uploadId }, ctx);
      return {};
    },
    ListParts: async (r, ctx) => {
      const res = await api.listParts(
        { bucket: r.bucket, key: r.key, uploadId: r.uploadId, ...opt('partNumberMarker', r.partNumberMarker), maxParts: r.maxParts },
        ctx,
      );
      return {
        upload: encodeUpload(res.upload),
        parts: res.parts.map(encodeStoredPart),
        isTruncated: res.isTruncated,
        ...opt('nextPartNumberMarker', res.nextPartNumberMarker),
      };
    },
    ListMultipartUploads: async (r, ctx) => {
      const res = await api.listMultipartUploads(
        {
          bucket: r.bucket,
          ...opt('prefix', r.prefix),
          ...opt('delimiter', r.delimiter),
          ...opt('keyMarker', r.keyMarker),
          ...opt('uploadIdMarker', r.uploadIdMarker),
          maxUploads: r.maxUploads,
        },
        ctx,
      );
      return {
        uploads: res.uploads.map(encodeUpload),
        commonPrefixes: [...res.commonPrefixes],
        isTruncated: res.isTruncated,
        ...opt('nextKeyMarker', res.nextKeyMarker),
        ...opt('nextUploadIdMarker', res.nextUploadIdMarker),
      };
    },
    // ---- access keys and grants ----
    KeyCreate: async (r, ctx) => encodeKeySummary(await api.createKey(decodeKeyRecord(r), ctx)),
    KeyGet: async (r, ctx) => {
      const res = await api.getKey(decodeKeyLookup(r), ctx);
      return { ...(res.key && { key: encodeKeyRecord(res.key) }), grants: res.grants.map(encodeGrant) };
    },
    KeyList: async (_r, ctx) => ({ keys: (await api.listKeys({}, ctx)).map(encodeKeySummary) }),
    KeyReseal: async (r, ctx) => api.resealKey({ accessKeyId: r.accessKeyId, expected: r.expected, sealedSecret: r.sealedSecret }, ctx),
    KeyDelete: async (r, ctx) => api.deleteKey({ accessKeyId: r.accessKeyId }, ctx),
    GrantUpdate: async (r, ctx) =>
      encodeGrant(await api.updateGrant({ accessKeyId: r.accessKeyId, bucket: r.bucket, allow: decodePermissions(r.allow), deny: decodePermissions(r.deny) }, ctx)),
    GrantList: async (r, ctx) => ({ grants: (await api.listBucketGrants({ bucket: r.bucket }, ctx)).map(encodeGrant) }),
  };
}
