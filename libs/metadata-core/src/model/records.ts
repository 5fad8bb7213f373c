import type {
  BlobManifest,
  BucketVersioning,
  ChecksumAlgorithm,
  ObjectChecksum,
  ObjectHeaders,
  Owner,
  PartInfo,
} from '@massive/contracts';
import { RecordCodec } from '../codec/record-codec';

/** B: a bucket, by name. */
export interface BucketRecord {
  readonly name: string;
  readonly id: string;
  readonly region: string;
  readonly owner: Owner;
  readonly createdAt: number;
  /** Never back to 'Unversioned' once set (S3). Records from before versioning existed say 'Unversioned'. */
  readonly versioning: BucketVersioning;
  /**
   * The bucket's usage is counted in its guard stripes (L records, `UsageRecord`): set on every bucket
   * created since usage existed. Older buckets report no usage (their stripes never saw their objects).
   */
  readonly usageTracked?: true;
  /** S3 Object Lock enabled (for good): versioning stays Enabled; versions' `headers.lock` is enforced. */
  readonly objectLock?: true;
}

/**
 * L: the part of a bucket's usage made by the keys hashing to one guard stripe. Writers of a key lock
 * its stripe anyway (DeleteBucket conflicts with them); a writer that changes the bucket's usage writes
 * the stripe instead, so counting adds no conflict that locking did not already have. The bucket's
 * usage is the sum over its stripes.
 */
export interface UsageRecord {
  /** Object versions stored (delete markers excluded): AWS's NumberOfObjects. */
  readonly objects: number;
  /** Their bytes: AWS's BucketSizeBytes. */
  readonly bytes: number;
}

/** O: the current version of a key, with what a listing needs. */
export interface ObjectRecord {
  readonly versionId: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  /** The version was written while versioning was Enabled; absent: it is the key's null version. */
  readonly versioned?: true;
}

/** V: one version. Inline bytes live in the record's raw section, not in this header. */
export interface VersionRecord {
  readonly versionId: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  readonly headers: ObjectHeaders;
  readonly checksum?: ObjectChecksum;
  readonly parts?: readonly PartInfo[];
  /** The bytes' chunks (single PUT, copy). Absent with `partsOf` too: the bytes are inline (raw section). */
  readonly manifest?: BlobManifest;
  /**
   * Multipart: the upload whose part records (P uploadId partNumber, the `parts` listed here) hold
   * the bytes' manifests. They stay as the version's segments until GC, so the record does not grow
   * with the object (a 10,000-part, 5 TiB object is a list of part sizes, not 655k chunk ids).
   */
  readonly partsOf?: string;
  /** Written while versioning was Enabled; absent: the key's null version (S3 version id `null`). */
  readonly versioned?: true;
  /** A delete marker: no data (size 0, no manifest, no inline bytes). */
  readonly deleteMarker?: true;
}

/** N: the key's null version, while O does not point at it. */
export interface NullVersionRecord {
  readonly versionId: string;
}

/** D: the key's latest version, while that is a delete marker. */
export interface LatestMarkerRecord {
  readonly versionId: string;
  /** The marker was written while versioning was Enabled; absent: it is the key's null version. */
  readonly versioned?: true;
}

/** U: a multipart upload in progress. */
export interface UploadRecord {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: number;
  readonly headers: ObjectHeaders;
  readonly owner: Owner;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  /**
   * The key's latest version id when the upload was created (`''`: it had none); absent on uploads
   * made before it was recorded. A conditional Complete whose condition fails answers 409
   * ConditionalRequestConflict when the key changed since (a write raced the upload), 412 otherwise.
   */
  readonly keyLatestAtCreate?: string;
}

/** P: one uploaded part. */
export interface PartRecord {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  readonly checksum?: ObjectChecksum;
  readonly manifest: BlobManifest;
}

/** I: a write intent. `reclaiming` is set by the janitor before it deletes the intent's data. */
export interface IntentRecord {
  readonly expiresAt: number;
  readonly reclaiming?: boolean;
}

/** G: a chunk waiting for deletion. */
export interface GcRecord {
  readonly enqueuedAt: number;
  readonly size: number;
  /** The version whose unlinking queued the chunk: readers may hold a read lease on it (R family). */
  readonly versionId?: string;
  /**
   * Not one chunk but every part record left under this upload (a multipart version's segments, or an
   * aborted upload's parts): the collector deletes their chunks and the records, a batch at a time.
   * One queue entry per unlinked multipart object, however many parts and chunks it has.
   */
  readonly partsOf?: string;
}

/** R 0x01: a read lease on a version's chunks. */
export interface ReadLeaseRecord {
  readonly expiresAt: number;
}

/** R 0x03: the collector has started deleting a version's chunks; no lease on it can be taken any more. */
export interface GcClaimRecord {
  readonly claimedAt: number;
}

/** S: a singleton lease (e.g. the GC loops): `holder` runs them until `expiresAt` unless it renews. */
export interface LeaseRecord {
  readonly holder: string;
  readonly expiresAt: number;
}

/** C: one bucket configuration; the document (the gateway's format, opaque here) is the raw section. */
export interface BucketConfigRecord {
  readonly kind: string;
  readonly updatedAt: number;
}

/** K 0x01: an access key; the raw section is its secret, sealed by the gateway (opaque here). */
export interface AccessKeyRecordValue {
  readonly accessKeyId: string;
  readonly name: string;
  readonly createdAt: number;
  readonly canonicalId: string;
}

/** K 0x04 (and its 0x05 index): what a key may do on a bucket. */
export interface GrantRecord {
  readonly read: boolean;
  readonly write: boolean;
  readonly owner: boolean;
}

/** One codec instance per record type; instances are immutable, so sharing them is safe. */
export const codecs = {
  bucket: new RecordCodec<BucketRecord>({ tag: 'B', version: 1 }),
  object: new RecordCodec<ObjectRecord>({ tag: 'O', version: 1 }),
  version: new RecordCodec<VersionRecord>({ tag: 'V', version: 1 }),
  nullVersion: new RecordCodec<NullVersionRecord>({ tag: 'N', version: 1 }),
  latestMarker: new RecordCodec<LatestMarkerRecord>({ tag: 'D', version: 1 }),
  upload: new RecordCodec<UploadRecord>({ tag: 'U', version: 1 }),
  part: new RecordCodec<PartRecord>({ tag: 'P', version: 1 }),
  intent: new RecordCodec<IntentRecord>({ tag: 'I', version: 1 }),
  gc: new RecordCodec<GcRecord>({ tag: 'G', version: 1 }),
  lease: new RecordCodec<LeaseRecord>({ tag: 'S', version: 1 }),
  readLease: new RecordCodec<ReadLeaseRecord>({ tag: 'R', version: 1 }),
  gcClaim: new RecordCodec<GcClaimRecord>({ tag: 'C', version: 1 }),
  bucketConfig: new RecordCodec<BucketConfigRecord>({ tag: 'c', version: 1 }),
  usage: new RecordCodec<UsageRecord>({ tag: 'L', version: 1 }),
  accessKey: new RecordCodec<AccessKeyRecordValue>({ tag: 'K', version: 1 }),
  grant: new RecordCodec<GrantRecord>({ tag: 'g', version: 1 }),
} as const;
