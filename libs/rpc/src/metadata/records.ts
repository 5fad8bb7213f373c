import {
  CHECKSUM_ALGORITHMS,
  ServiceError,
  type Bucket,
  type ChecksumAlgorithm,
  type DeleteConditions,
  type MultipartUpload,
  type NewObjectData,
  type ObjectChecksum,
  type ObjectHeaders,
  type ObjectRetention,
  type ObjectSummary,
  type ObjectData,
  type ObjectVersion,
  type Owner,
  type PartInfo,
  type StoredPart,
  type WriteConditions,
  type WriteIntent,
} from '@massive/contracts';
import { decodeManifest, encodeManifest, num, opt, u64 } from '../codec';
import type { Bucket as PBucket, Bucket__Output as PBucketOut } from '../generated/massive/metadata/v1/Bucket';
import type { ChecksumAlgorithm__Output as PAlgorithm } from '../generated/massive/metadata/v1/ChecksumAlgorithm';
import type { ChecksumType__Output as PType } from '../generated/massive/metadata/v1/ChecksumType';
import type { MultipartUpload as PUpload, MultipartUpload__Output as PUploadOut } from '../generated/massive/metadata/v1/MultipartUpload';
import type { NewObjectData as PNewData, NewObjectData__Output as PNewDataOut } from '../generated/massive/metadata/v1/NewObjectData';
import type { ObjectChecksum as PChecksum, ObjectChecksum__Output as PChecksumOut } from '../generated/massive/metadata/v1/ObjectChecksum';
import type { ObjectHeaders as PHeaders, ObjectHeaders__Output as PHeadersOut } from '../generated/massive/metadata/v1/ObjectHeaders';
import type { ObjectSummary as PSummary, ObjectSummary__Output as PSummaryOut } from '../generated/massive/metadata/v1/ObjectSummary';
import type { ObjectVersion as PVersion, ObjectVersion__Output as PVersionOut } from '../generated/massive/metadata/v1/ObjectVersion';
import type { Owner as POwner, Owner__Output as POwnerOut } from '../generated/massive/metadata/v1/Owner';
import type { PartInfo as PPart, PartInfo__Output as PPartOut } from '../generated/massive/metadata/v1/PartInfo';
import type { StoredPart as PStoredPart, StoredPart__Output as PStoredPartOut } from '../generated/massive/metadata/v1/StoredPart';
import type { WriteConditions as PConditions, WriteConditions__Output as PConditionsOut } from '../generated/massive/metadata/v1/WriteConditions';
import type { WriteIntent as PIntent, WriteIntent__Output as PIntentOut } from '../generated/massive/metadata/v1/WriteIntent';

/** MetadataApi records ↔ their messages. Encoders take the port's DTOs, decoders the loader's output. */

export function required<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new ServiceError('Internal', `malformed message: ${what} missing`);
  return v;
}

export function encodeOwner(o: Owner): POwner {
  return { id: o.id, displayName: o.displayName };
}
export function decodeOwner(o: POwnerOut | null): Owner {
  const v = required(o, 'owner');
  return { id: v.id, displayName: v.displayName };
}

export function encodeBucket(b: Bucket): PBucket {
  return {
    name: b.name,
    id: b.id,
    region: b.region,
    owner: encodeOwner(b.owner),
    createdAt: u64(b.createdAt),
    ...opt('versioning', b.versioning),
    ...(b.objectLock && { objectLock: true }),
  };
}
export function decodeBucket(b: PBucketOut): Bucket {
  return {
    name: b.name,
    id: b.id,
    region: b.region,
    owner: decodeOwner(b.owner),
    createdAt: num(b.createdAt),
    ...opt('versioning', decodeVersioning(b.versioning)),
    ...(b.objectLock && { objectLock: true }),
  };
}

/** "Enabled" | "Suspended" on the wire; anything else is a malformed message. */
export function decodeVersioning(v: string | null | undefined): 'Enabled' | 'Suspended' | undefined {
  if (v === null || v === undefined) return undefined;
  if (v !== 'Enabled' && v !== 'Suspended') throw new ServiceError('Internal', `malformed message: versioning ${v}`);
  return v;
}

export function encodeAlgorithm(a: ChecksumAlgorithm | undefined): PAlgorithm {
  return a ?? 'CHECKSUM_ALGORITHM_UNSPECIFIED';
}
export function decodeAlgorithm(a: PAlgorithm): ChecksumAlgorithm | undefined {
  if (a === 'CHECKSUM_ALGORITHM_UNSPECIFIED') return undefined;
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(a)) throw new ServiceError('Internal', `unknown checksum algorithm ${a}`);
  return a;
}
export function encodeChecksumType(t: 'FULL_OBJECT' | 'COMPOSITE' | undefined): PType {
  return t ?? 'CHECKSUM_TYPE_UNSPECIFIED';
}
export function decodeChecksumType(t: PType): 'FULL_OBJECT' | 'COMPOSITE' | undefined {
  return t === 'CHECKSUM_TYPE_UNSPECIFIED' ? undefined : t;
}

export function encodeChecksum(c: ObjectChecksum | undefined): PChecksum | undefined {
  return c && { algorithm: c.algorithm, value: c.value, type: c.type };
}
export function decodeChecksum(c: PChecksumOut | null | undefined): ObjectChecksum | undefined {
  if (!c) return undefined;
  const algorithm = required(decodeAlgorithm(c.algorithm), 'checksum algorithm');
  return { algorithm, value: c.value, type: required(decodeChecksumType(c.type), 'checksum type') };
}

const HEADER_FIELDS = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires', 'websiteRedirectLocation'] as const;

export function encodeHeaders(h: ObjectHeaders): PHeaders {
  const out: PHeaders = { userMetadata: { ...h.userMetadata } };
  for (const f of HEADER_FIELDS) if (h[f] !== undefined) out[f] = h[f];
  if (h.tags) out.tags = h.tags.map((t) => ({ key: t.key, value: t.value }));
  if (h.acl !== undefined) out.acl = h.acl;
  if (h.sse) {
    const e = h.sse;
    out.sse = { algorithm: e.algorithm, key: e.key, ...opt('customerKeyMd5', e.customerKeyMd5), ...opt('kmsKeyId', e.kmsKeyId), ...opt('kmsContext', e.kmsContext), ...opt('bucketKeyEnabled', e.bucketKeyEnabled) };
  }
  if (h.lock) out.lock = { ...encodeRetention(h.lock), ...opt('legalHold', h.lock.legalHold) };
  return out;
}
export function decodeHeaders(h: PHeadersOut | null): ObjectHeaders {
  const v = required(h, 'headers');
  const out: { -readonly [K in keyof ObjectHeaders]: ObjectHeaders[K] } = { userMetadata: { ...v.userMetadata } };
  for (const f of HEADER_FIELDS) if (v[f] !== undefined && v[f] !== null) out[f] = v[f];
  if (v.tags.length > 0) out.tags = v.tags.map((t) => ({ key: t.key, value: t.value }));
  if (v.acl !== undefined && v.acl !== null) out.acl = v.acl;
  if (v.sse) {
    const e = v.sse;
    if (e.algorithm !== 'AES256' && e.algorithm !== 'aws:kms') throw new ServiceError('Internal', `unknown object encryption ${e.algorithm}`);
    out.sse = {
      algorithm: e.algorithm,
      key: e.key,
      ...(e.customerKeyMd5 != null && { customerKeyMd5: e.customerKeyMd5 }),
      ...(e.kmsKeyId != null && { kmsKeyId: e.kmsKeyId }),
      ...(e.kmsContext != null && { kmsContext: e.kmsContext }),
      ...(e.bucketKeyEnabled != null && { bucketKeyEnabled: e.bucketKeyEnabled }),
    };
  }
  if (v.lock) {
    const lock = { ...decodeRetention(v.lock), ...opt('legalHold', v.lock.legalHold) };
    if (lock.mode !== undefined || lock.legalHold !== undefined) out.lock = lock;
  }
  return out;
}

/** An Object Lock retention on the wire (mode and date both, or neither); anything else is malformed. */
export function decodeRetention(r: { mode?: string | null; retainUntil?: number | string | null }): ObjectRetention {
  const mode = r.mode ?? undefined;
  const retainUntil = r.retainUntil === undefined || r.retainUntil === null ? undefined : num(r.retainUntil);
  if (mode === undefined && retainUntil === undefined) return {};
  if ((mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') || retainUntil === undefined) {
    throw new ServiceError('Internal', `malformed message: retention ${String(mode)} ${String(retainUntil)}`);
  }
  return { mode, retainUntil };
}

export function encodeRetention(r: ObjectRetention): { mode?: string; retainUntil?: string | number } {
  return { ...opt('mode', r.mode), ...opt('retainUntil', r.retainUntil === undefined ? undefined : u64(r.retainUntil)) };
}

export function encodePart(p: PartInfo): PPart {
  return { partNumber: p.partNumber, size: u64(p.size), etag: p.etag, ...opt('checksum', encodeChecksum(p.checksum)) };
}
export function decodePart(p: PPartOut): PartInfo {
  return { partNumber: p.partNumber, size: num(p.size), etag: p.etag, ...opt('checksum', decodeChecksum(p.checksum)) };
}

export function encodeStoredPart(p: StoredPart): PStoredPart {
  return { ...encodePart(p), lastModified: u64(p.lastModified) };
}
export function decodeStoredPart(p: PStoredPartOut): StoredPart {
  return { ...decodePart(p), lastModified: num(p.lastModified) };
}

export function encodeVersion(v: ObjectVersion): PVersion {
  return {
    bucket: v.bucket,
    key: v.key,
    versionId: v.versionId,
    size: u64(v.size),
    etag: v.etag,
    lastModified: u64(v.lastModified),
    headers: encodeHeaders(v.headers),
    ...opt('checksum', encodeChecksum(v.checksum)),
    hasParts: v.parts !== undefined,
    parts: (v.parts ?? []).map(encodePart),
    data: encodeData(v.data),
    ...opt('s3VersionId', v.s3VersionId),
    ...opt('bucketVersioning', v.bucketVersioning),
  };
}
export function decodeVersion(v: PVersionOut): ObjectVersion {
  const data = required(v.data, 'data');
  return {
    bucket: v.bucket,
    key: v.key,
    versionId: v.versionId,
    size: num(v.size),
    etag: v.etag,
    lastModified: num(v.lastModified),
    headers: decodeHeaders(v.headers),
    ...opt('checksum', decodeChecksum(v.checksum)),
    ...opt('parts', v.hasParts ? v.parts.map(decodePart) : undefined),
    data: decodeData(data),
    ...opt('s3VersionId', v.s3VersionId),
    ...opt('bucketVersioning', decodeVersioning(v.bucketVersioning)),
  };
}

function encodeData(d: ObjectData): { inline: Buffer } | { chunks: ReturnType<typeof encodeManifest> } | { partsOf: string } | { omitted: true } {
  switch (d.kind) {
    case 'inline':
      return { inline: d.bytes };
    case 'chunks':
      return { chunks: encodeManifest(d.manifest) };
    case 'parts':
      return { partsOf: d.uploadId };
    case 'omitted':
      return { omitted: true };
  }
}

function decodeData(data: NonNullable<PVersionOut['data']>): ObjectData {
  switch (data.kind) {
    case 'chunks':
      return { kind: 'chunks', manifest: decodeManifest(data.chunks) };
    case 'partsOf':
      return { kind: 'parts', uploadId: data.partsOf ?? '' };
    case 'omitted':
      return { kind: 'omitted' };
    default:
      return { kind: 'inline', bytes: data.inline ?? Buffer.alloc(0) };
  }
}

export function encodeSummary(s: ObjectSummary): PSummary {
  return {
    key: s.key,
    size: u64(s.size),
    etag: s.etag,
    lastModified: u64(s.lastModified),
    checksumAlgorithm: encodeAlgorithm(s.checksumAlgorithm),
    checksumType: encodeChecksumType(s.checksumType),
  };
}
export function decodeSummary(s: PSummaryOut): ObjectSummary {
  return {
    key: s.key,
    size: num(s.size),
    etag: s.etag,
    lastModified: num(s.lastModified),
    ...opt('checksumAlgorithm', decodeAlgorithm(s.checksumAlgorithm)),
    ...opt('checksumType', decodeChecksumType(s.checksumType)),
  };
}

export function encodeUpload(u: MultipartUpload): PUpload {
  return {
    bucket: u.bucket,
    key: u.key,
    uploadId: u.uploadId,
    initiated: u64(u.initiated),
    headers: encodeHeaders(u.headers),
    checksumAlgorithm: encodeAlgorithm(u.checksumAlgorithm),
    checksumType: encodeChecksumType(u.checksumType),
    owner: encodeOwner(u.owner),
  };
}
export function decodeUpload(u: PUploadOut | null): MultipartUpload {
  const v = required(u, 'upload');
  return {
    bucket: v.bucket,
    key: v.key,
    uploadId: v.uploadId,
    initiated: num(v.initiated),
    headers: decodeHeaders(v.headers),
    ...opt('checksumAlgorithm', decodeAlgorithm(v.checksumAlgorithm)),
    ...opt('checksumType', decodeChecksumType(v.checksumType)),
    owner: decodeOwner(v.owner),
  };
}

export function encodeIntent(i: WriteIntent): PIntent {
  return { intentId: i.intentId, expiresAt: u64(i.expiresAt) };
}
export function decodeIntent(i: PIntentOut): WriteIntent {
  return { intentId: i.intentId, expiresAt: num(i.expiresAt) };
}

export function encodeConditions(c: WriteConditions | undefined): PConditions | undefined {
  return c && { ...opt('ifMatch', c.ifMatch), ...opt('ifNoneMatch', c.ifNoneMatch) };
}
export function decodeConditions(c: PConditionsOut | null | undefined): WriteConditions | undefined {
  return c ? { ...opt('ifMatch', c.ifMatch), ...opt('ifNoneMatch', c.ifNoneMatch) } : undefined;
}

/** DeleteConditions as the optional fields of DeleteObjectRequest and its ObjectIdentifier. */
export interface PDeleteConditions {
  ifMatch?: string;
  ifMatchLastModifiedTime?: number | string;
  ifMatchSize?: number | string;
}
export function encodeDeleteConditions(c: DeleteConditions | undefined): PDeleteConditions {
  if (!c) return {};
  return {
    ...opt('ifMatch', c.ifMatch),
    ...opt('ifMatchLastModifiedTime', c.ifMatchLastModifiedTime === undefined ? undefined : u64(c.ifMatchLastModifiedTime)),
    ...opt('ifMatchSize', c.ifMatchSize === undefined ? undefined : u64(c.ifMatchSize)),
  };
}
export function decodeDeleteConditions(m: { ifMatch?: string; ifMatchLastModifiedTime?: number | string; ifMatchSize?: number | string }): DeleteConditions | undefined {
  const c: DeleteConditions = {
    ...opt('ifMatch', m.ifMatch),
    ...opt('ifMatchLastModifiedTime', m.ifMatchLastModifiedTime === undefined ? undefined : num(m.ifMatchLastModifiedTime)),
    ...opt('ifMatchSize', m.ifMatchSize === undefined ? undefined : num(m.ifMatchSize)),
  };
  return Object.keys(c).length > 0 ? c : undefined;
}

export function encodeNewData(d: NewObjectData): PNewData {
  switch (d.kind) {
    case 'inline':
      return { inline: d.bytes };
    case 'chunks':
      return { chunks: { manifest: encodeManifest(d.manifest), intentId: d.intentId } };
    case 'current':
      return { current: { versionId: d.versionId } };
  }
}
export function decodeNewData(d: PNewDataOut | null): NewObjectData {
  const v = required(d, 'data');
  switch (v.kind) {
    case 'inline':
      return { kind: 'inline', bytes: v.inline ?? Buffer.alloc(0) };
    case 'chunks': {
      const c = required(v.chunks, 'chunks');
      return { kind: 'chunks', manifest: decodeManifest(c.manifest), intentId: c.intentId };
    }
    case 'current':
      return { kind: 'current', versionId: required(v.current, 'current').versionId };
    default:
      throw new ServiceError('InvalidArgument', 'object data missing');
  }
}
