/**
 * Key schema of the metadata store (one ordered KV keyspace, shared by every backend).
 *
 * | family | key bytes                                              | value (codec/)                          |
 * |--------|--------------------------------------------------------|-----------------------------------------|
 * | `B`    | 'B' esc(bucketName)                                     | BucketRecord (id, region, owner, created)|
 * | `L`    | 'L' bucketId(16) stripe(u16)                            | guard stripes that object and upload writers |
 * |        |                                                        | `lock` and DeleteBucket deletes; a writer that |
 * |        |                                                        | changes the bucket's usage writes its stripe's |
 * |        |                                                        | UsageRecord (objects, bytes) instead    |
 * | `O`    | 'O' bucketId(16) esc(objectKey)                         | ObjectRecord: current version id + listing fields |
 * | `V`    | 'V' bucketId(16) esc(objectKey) ~versionId(16)          | VersionRecord: headers, checksums, parts, manifest or inline bytes, |
 * |        |                                                        | or a delete marker; every version of a key, newest first |
 * | `N`    | 'N' bucketId(16) esc(objectKey)                         | NullVersionRecord: the id of the key's null version, while O does |
 * |        |                                                        | not point at it (see "Versions" below)  |
 * | `D`    | 'D' bucketId(16) esc(objectKey)                         | LatestMarkerRecord: the id of the key's latest |
 * |        |                                                        | version while that is a delete marker (O absent) |
 * | `U`    | 'U' bucketId(16) esc(objectKey) uploadId(16)            | UploadRecord (multipart upload)         |
 * | `P`    | 'P' uploadId(16) partNumber(u32)                        | PartRecord (etag, size, manifest)       |
 * | `Q`    | 'Q' uploadId(16) stripe(u16)                            | never stored: lock stripes UploadPart   |
 * |        |                                                        | takes and Complete/Abort delete         |
 * | `I`    | 'I' 0x01 intentId(16)                                  | IntentRecord (expiresAt, reclaiming)    |
 * | `I`    | 'I' 0x02 expiresAt(u64) intentId(16)                   | empty: the janitor's due-time index     |
 * | `I`    | 'I' 0x03 intentId(16) esc(chunkId)                     | 0x01: a chunk id recorded under the intent |
 * |        |                                                        | before its upload (stores that mint ids remotely, |
 * |        |                                                        | e.g. SeaweedFS fids); consumed at commit, |
 * |        |                                                        | deleted by the janitor with the chunks  |
 * | `G`    | 'G' dueAt(u64) esc(chunkId)                            | GcRecord: a chunk to delete once due    |
 * | `K`    | 'K' 0x01 esc(accessKeyId)                              | AccessKeyRecord (name, created, canonical id); |
 * |        |                                                        | raw section: the secret sealed by the gateway |
 * | `K`    | 'K' 0x02 esc(name)                                     | access key id: the unique-name index    |
 * | `K`    | 'K' 0x03 esc(canonicalId)                              | access key id: canonical user id index (ACL grantees) |
 * | `K`    | 'K' 0x04 esc(accessKeyId) esc(bucketName)              | GrantRecord: read / write / owner of a key on a bucket |
 * | `K`    | 'K' 0x05 esc(bucketName) esc(accessKeyId)              | empty: the same grant indexed by bucket; DeleteBucket |
 * |        |                                                        | and DeleteKey delete both sides          |
 * | `R`    | 'R' 0x01 versionId(16) leaseId(16)                     | ReadLeaseRecord: a long read holds a version's chunks |
 * | `R`    | 'R' 0x02 expiresAt(u64) versionId(16) leaseId(16)      | empty: expiry index, the janitor drops lapsed leases |
 * | `R`    | 'R' 0x03 versionId(16)                                 | GcClaimRecord: the collector took this version's chunks; no new lease |
 * | `R`    | 'R' 0x04 claimedAt(u64) versionId(16)                  | empty: claim index, the janitor forgets old claims |
 * | `S`    | 'S' esc(leaseName)                                     | LeaseRecord: which process runs a singleton loop (GC) until when |
 * | `C`    | 'C' bucketId(16) esc(kind)                             | BucketConfigRecord: one configuration (tagging, cors, lifecycle, |
 * |        |                                                        | policy, acl, ...), its document in the raw section; DeleteBucket |
 * |        |                                                        | deletes them with the bucket             |
 *
 * - esc(s): UTF-8 bytes with 0x00 → 0x00 0xff, then the terminator 0x00 0x01. Order-preserving and
 *   prefix-free: byte order of esc(a) vs esc(b) equals UTF-8 byte order of a vs b, which is S3's listing
 *   order. Never length-prefixed (that would sort by length).
 * - Numbers are fixed-width big-endian. Bucket ids are 16 random bytes, so a deleted and re-created bucket
 *   never sees the old one's keys. Version and upload ids are 6 bytes of ms clock + 10 random bytes:
 *   unguessable and sortable by creation time. `~versionId` is the byte-wise complement (newest first).
 *
 * Versions (S3 versioning):
 * - Every version of a key, delete markers included, is a V record; the first V of a key is its latest.
 *   A new version's id is always greater than the key's latest (clock skew cannot reorder a key).
 * - O exists only while the key's latest version is an object (not a marker), and carries what a
 *   listing needs: ListObjects scans O alone, so it stays O(page) however many versions or markers a
 *   prefix holds, and a GET of the latest is O then V, whatever the number of versions.
 * - A record written while versioning was Enabled has `versioned: true`; every other record (including
 *   all data written before versioning existed) is the key's null version (S3 version id `null`), of
 *   which a key has at most one. It is found without a scan: it is O's version when O's record is not
 *   `versioned`; otherwise N names it. N exists exactly while the key has a null version O does not
 *   point at (a versioned PUT or a marker moved O away from it, or the null version is a marker).
 * - D exists exactly while the key's latest version is a delete marker, and names it. So in a bucket
 *   whose versioning is set, a key has versions iff it has O or D, and its latest version id is read
 *   with point reads alone: a PUT of a new key (no O, no D) or over a marker never scans V to find the
 *   id its new version must exceed, and a GET of a deleted key learns it is a marker from D.
 * - Every transaction that changes a key's versions writes (or deletes) its O key, so concurrent
 *   writers of one key on different metadata processes always conflict and retry (no write skew).
 */

export const FAMILY = {
  bucket: 0x42, // B
  guard: 0x4c, // L
  object: 0x4f, // O
  nullVersion: 0x4e, // N
  latestMarker: 0x44, // D
  version: 0x56, // V
  upload: 0x55, // U
  part: 0x50, // P
  uploadGuard: 0x51, // Q
  intent: 0x49, // I
  gc: 0x47, // G
  accessKey: 0x4b, // K
  lease: 0x53, // S
  readLease: 0x52, // R
  bucketConfig: 0x43, // C
} as const;

export const ID_BYTES = 16;
/**
 * Writers of different keys conflict only when they hash to the same stripe: with N concurrent writers a
 * write retries with probability ≈ N/stripes, so stripes are plentiful (DeleteBucket, which writes them
 * all, is rare).
 */
export const BUCKET_GUARD_STRIPES = 1024;
/**
 * UploadPart locks stripe partNumber % UPLOAD_GUARD_STRIPES, so the parts a client has in flight (a
 * window of consecutive numbers) never conflict with each other, while Complete and Abort, which write
 * every stripe, conflict with any concurrent UploadPart.
 */
export const UPLOAD_GUARD_STRIPES = 64;
const INTENT_RECORD = 0x01;
const INTENT_BY_EXPIRY = 0x02;
const INTENT_CHUNK = 0x03;
const TERMINATOR = Buffer.from([0x00, 0x01]);

// ---------- escaping ----------

/** Order-preserving escape of a user string, without the terminator (a prefix of every longer key). */
export function escapeBody(s: string): Buffer {
  const raw = Buffer.from(s, 'utf8');
  let zeros = 0;
  for (const b of raw) if (b === 0) zeros++;
  if (zeros === 0) return raw;
  const out = Buffer.alloc(raw.length + zeros);
  let j = 0;
  for (const b of raw) {
    out[j++] = b;
    if (b === 0) out[j++] = 0xff;
  }
  return out;
}

/** esc(s): escaped body plus terminator. */
export function escapeKey(s: string): Buffer {
  return Buffer.concat([escapeBody(s), TERMINATOR]);
}

/**
 * `family`, `id`, esc(`key`), then `tail` bytes the caller fills in: one allocation. Buffer.concat of
 * the parts made five or six, and a GET builds two such keys (O, then V). A key holding U+0000 (the
 * only character whose UTF-8 has a 0x00 byte) takes the general escape.
 */
function familyIdKey(family: number, id: Buffer, key: string, tail = 0): Buffer {
  if (key.includes('\u0000')) return Buffer.concat([fam(family), id, escapeKey(key), Buffer.alloc(tail)]);
  const at = 1 + id.length;
  const n = Buffer.byteLength(key, 'utf8');
  const out = Buffer.allocUnsafe(at + n + TERMINATOR.length + tail);
  out[0] = family;
  id.copy(out, 1);
  out.write(key, at, n, 'utf8');
  out[at + n] = TERMINATOR[0];
  out[at + n + 1] = TERMINATOR[1];
  return out;
}

/** Writes the 32-hex-digit id into the last ID_BYTES of `out` (complemented if asked); throws if malformed. */
function writeIdTail(out: Buffer, id: string, what: string, complemented = false): Buffer {
  // Parsed and checked in one pass (what ID_HEX accepts: 32 lowercase hex digits): `write(id, 'hex')`
  // after the regex cost ~1% of a 4 KiB GET's instructions (a GET builds two such keys).
  if (id.length !== 2 * ID_BYTES) throw new Error(`malformed ${what} id: ${id}`);
  const at = out.length - ID_BYTES;
  const flip = complemented ? 0xff : 0;
  for (let i = 0; i < ID_BYTES; i++) {
    const hi = hexDigit(id.charCodeAt(2 * i));
    const lo = hexDigit(id.charCodeAt(2 * i + 1));
    if ((hi | lo) < 0) throw new Error(`malformed ${what} id: ${id}`);
    out[at + i] = ((hi << 4) | lo) ^ flip;
  }
  return out;
}

/** 0-15 for '0'-'9' and 'a'-'f', -1 for anything else (upper case included, as ID_HEX). */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Decodes an escaped string starting at `offset`; returns it and the offset just past its terminator. */
export function unescapeKey(buf: Buffer, offset = 0): { value: string; end: number } {
  // Fast path (almost every key): no 0x00 in the body, so the first 0x00 is the terminator's.
  const zero = buf.indexOf(0, offset);
  if (zero >= 0 && buf[zero + 1] === 0x01) return { value: buf.toString('utf8', offset, zero), end: zero + 2 };
  let runStart = offset;
  const parts: Buffer[] = [];
  for (let i = offset; i < buf.length; i++) {
    if (buf[i] !== 0) continue;
    const next = buf[i + 1];
    if (next === 0x01) {
      parts.push(buf.subarray(runStart, i));
      return { value: Buffer.concat(parts).toString('utf8'), end: i + 2 };
    }
    if (next !== 0xff) throw new Error(`bad key escape at ${i}`);
    parts.push(buf.subarray(runStart, i + 1)); // keep the 0x00, drop the 0xff
    runStart = i + 2;
    i++;
  }
  throw new Error('unterminated escaped key');
}

// ---------- numbers and ids ----------

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(n))));
  return b;
}

export function readU64(buf: Buffer, offset: number): number {
  return Number(buf.readBigUInt64BE(offset));
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

const ID_HEX = /^[0-9a-f]{32}$/;

/** Parses a 32-hex-char id (bucket, version, upload, intent); undefined when malformed. */
export function idBytes(id: string): Buffer | undefined {
  if (!ID_HEX.test(id)) return undefined;
  return Buffer.from(id, 'hex');
}

/**
 * The bytes of an id, for building keys (every caller copies them into a new key with Buffer.concat or
 * complement, so they are shared, never handed out). The last few bucket ids are kept: a request builds
 * two or three keys of one bucket, and a busy gateway serves a handful of buckets.
 */
function mustId(id: string, what: string): Buffer {
  // Version, upload and intent ids are new on every write: only bucket ids repeat.
  const hit = what === 'bucket' ? recentIds.get(id) : undefined;
  if (hit) return hit;
  const b = idBytes(id);
  if (!b) throw new Error(`malformed ${what} id: ${id}`);
  if (what === 'bucket') {
    if (recentIds.size >= RECENT_IDS) recentIds.clear();
    recentIds.set(id, b);
  }
  return b;
}
const RECENT_IDS = 64;
const recentIds = new Map<string, Buffer>();

function complement(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) out[i] = 0xff - b[i];
  return out;
}

/** A family's one-byte prefix, shared (keys copy it with Buffer.concat; prefixes handed out are copies). */
const FAMILY_BYTES = new Map<number, Buffer>();
const fam = (f: number): Buffer => {
  let b = FAMILY_BYTES.get(f);
  if (!b) FAMILY_BYTES.set(f, (b = Buffer.from([f])));
  return b;
};

// ---------- B: buckets by name ----------

export const bucketPrefix = (): Buffer => Buffer.from(fam(FAMILY.bucket));
const NO_ID = Buffer.alloc(0);
export const bucketKey = (name: string): Buffer => familyIdKey(FAMILY.bucket, NO_ID, name);
export function decodeBucketKey(key: Buffer): string {
  return unescapeKey(key, 1).value;
}

// ---------- C: bucket configurations ----------

export const bucketConfigPrefix = (bucketId: string): Buffer => Buffer.concat([fam(FAMILY.bucketConfig), mustId(bucketId, 'bucket')]);
export const bucketConfigKey = (bucketId: string, kind: string): Buffer => Buffer.concat([bucketConfigPrefix(bucketId), escapeKey(kind)]);

// ---------- L: bucket guard stripes ----------

/** The stripe an object key's writers lock: writers of one key always share one stripe. */
export function guardStripe(objectKey: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < objectKey.length; i++) {
    h ^= objectKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKET_GUARD_STRIPES;
}

export const guardKey = (bucketId: string, stripe: number): Buffer =>
  Buffer.concat([fam(FAMILY.guard), mustId(bucketId, 'bucket'), u16(stripe)]);
/** Every stripe of a bucket (their usage records sum to the bucket's usage). */
export const guardPrefix = (bucketId: string): Buffer => Buffer.concat([fam(FAMILY.guard), mustId(bucketId, 'bucket')]);

// ---------- O: current objects ----------

/** Every O key of a bucket whose object key starts with `prefix` starts with these bytes. */
export const objectPrefix = (bucketId: string, prefix = ''): Buffer =>
  Buffer.concat([fam(FAMILY.object), mustId(bucketId, 'bucket'), escapeBody(prefix)]);
export const objectKey = (bucketId: string, key: string): Buffer => familyIdKey(FAMILY.object, mustId(bucketId, 'bucket'), key);
export function decodeObjectKey(key: Buffer): string {
  return unescapeKey(key, 1 + ID_BYTES).value;
}

// ---------- V: versions ----------

export const versionKey = (bucketId: string, key: string, versionId: string): Buffer =>
  writeIdTail(familyIdKey(FAMILY.version, mustId(bucketId, 'bucket'), key, ID_BYTES), versionId, 'version', true);
export function decodeVersionKey(key: Buffer): { key: string; versionId: string } {
  const { value, end } = unescapeKey(key, 1 + ID_BYTES);
  return { key: value, versionId: complement(key.subarray(end, end + ID_BYTES)).toString('hex') };
}

/** Every V key of a bucket whose object key starts with `prefix` (ListObjectVersions). */
export const versionPrefix = (bucketId: string, prefix = ''): Buffer =>
  Buffer.concat([fam(FAMILY.version), mustId(bucketId, 'bucket'), escapeBody(prefix)]);
/** Every version of exactly `key`, newest first. */
export const keyVersionsPrefix = (bucketId: string, key: string): Buffer => familyIdKey(FAMILY.version, mustId(bucketId, 'bucket'), key);

// ---------- N: null version index ----------

export const nullVersionKey = (bucketId: string, key: string): Buffer => familyIdKey(FAMILY.nullVersion, mustId(bucketId, 'bucket'), key);

// ---------- D: latest delete marker ----------

export const latestMarkerKey = (bucketId: string, key: string): Buffer => familyIdKey(FAMILY.latestMarker, mustId(bucketId, 'bucket'), key);

// ---------- U: multipart uploads ----------

export const uploadPrefix = (bucketId: string, prefix = ''): Buffer =>
  Buffer.concat([fam(FAMILY.upload), mustId(bucketId, 'bucket'), escapeBody(prefix)]);
/** All uploads of exactly `key`. */
export const uploadKeyPrefix = (bucketId: string, key: string): Buffer => familyIdKey(FAMILY.upload, mustId(bucketId, 'bucket'), key);
export const uploadKey = (bucketId: string, key: string, uploadId: string): Buffer =>
  writeIdTail(familyIdKey(FAMILY.upload, mustId(bucketId, 'bucket'), key, ID_BYTES), uploadId, 'upload');
export function decodeUploadKey(key: Buffer): { key: string; uploadId: string } {
  const { value, end } = unescapeKey(key, 1 + ID_BYTES);
  return { key: value, uploadId: key.subarray(end, end + ID_BYTES).toString('hex') };
}

// ---------- P: parts ----------

export const partPrefix = (uploadId: string): Buffer =>
  Buffer.concat([fam(FAMILY.part), mustId(uploadId, 'upload')]);
export const partKey = (uploadId: string, partNumber: number): Buffer =>
  Buffer.concat([partPrefix(uploadId), u32(partNumber)]);
export const uploadGuardKey = (uploadId: string, stripe: number): Buffer =>
  Buffer.concat([fam(FAMILY.uploadGuard), mustId(uploadId, 'upload'), u16(stripe)]);
export const uploadGuardStripe = (partNumber: number): number => partNumber % UPLOAD_GUARD_STRIPES;
export function decodePartKey(key: Buffer): number {
  return key.readUInt32BE(1 + ID_BYTES);
}

// ---------- I: write intents ----------

export const intentKey = (intentId: string): Buffer =>
  Buffer.concat([fam(FAMILY.intent), Buffer.from([INTENT_RECORD]), mustId(intentId, 'intent')]);
export const intentExpiryPrefix = (): Buffer => Buffer.from([FAMILY.intent, INTENT_BY_EXPIRY]);
export const intentExpiryKey = (expiresAt: number, intentId: string): Buffer =>
  Buffer.concat([intentExpiryPrefix(), u64(expiresAt), mustId(intentId, 'intent')]);
/** First key of the expiry index whose time is > `t`. */
export const intentExpiryBound = (t: number): Buffer => Buffer.concat([intentExpiryPrefix(), u64(t + 1)]);
export function decodeIntentExpiryKey(key: Buffer): { expiresAt: number; intentId: string } {
  return { expiresAt: readU64(key, 2), intentId: key.subarray(10, 10 + ID_BYTES).toString('hex') };
}

export const intentChunkPrefix = (intentId: string): Buffer =>
  Buffer.concat([fam(FAMILY.intent), Buffer.from([INTENT_CHUNK]), mustId(intentId, 'intent')]);
export const intentChunkKey = (intentId: string, chunkId: string): Buffer =>
  Buffer.concat([intentChunkPrefix(intentId), escapeKey(chunkId)]);
export function decodeIntentChunkKey(key: Buffer): string {
  return unescapeKey(key, 2 + ID_BYTES).value;
}

// ---------- G: GC queue ----------

export const gcPrefix = (): Buffer => Buffer.from(fam(FAMILY.gc));
export const gcKey = (dueAt: number, chunkId: string): Buffer =>
  Buffer.concat([fam(FAMILY.gc), u64(dueAt), escapeKey(chunkId)]);
/** First G key whose due time is > `t`. */
export const gcDueBound = (t: number): Buffer => Buffer.concat([fam(FAMILY.gc), u64(t + 1)]);
export function decodeGcKey(key: Buffer): { dueAt: number; chunkId: string } {
  return { dueAt: readU64(key, 1), chunkId: unescapeKey(key, 9).value };
}

// ---------- K: access keys ----------

const KEY_RECORD = 0x01;
const KEY_BY_NAME = 0x02;
const KEY_BY_CANONICAL_ID = 0x03;
const GRANT_BY_KEY = 0x04;
const GRANT_BY_BUCKET = 0x05;

export const accessKeyPrefix = (): Buffer => Buffer.from([FAMILY.accessKey, KEY_RECORD]);
export const accessKeyKey = (accessKeyId: string): Buffer => Buffer.concat([accessKeyPrefix(), escapeKey(accessKeyId)]);
export const keyNameKey = (name: string): Buffer => Buffer.concat([Buffer.from([FAMILY.accessKey, KEY_BY_NAME]), escapeKey(name)]);
export const keyCanonicalIdKey = (canonicalId: string): Buffer =>
  Buffer.concat([Buffer.from([FAMILY.accessKey, KEY_BY_CANONICAL_ID]), escapeKey(canonicalId)]);
export const keyGrantPrefix = (accessKeyId: string): Buffer => Buffer.concat([Buffer.from([FAMILY.accessKey, GRANT_BY_KEY]), escapeKey(accessKeyId)]);
export const keyGrantKey = (accessKeyId: string, bucket: string): Buffer => Buffer.concat([keyGrantPrefix(accessKeyId), escapeKey(bucket)]);
export function decodeKeyGrantKey(key: Buffer): { accessKeyId: string; bucket: string } {
  const id = unescapeKey(key, 2);
  return { accessKeyId: id.value, bucket: unescapeKey(key, id.end).value };
}
export const bucketGrantPrefix = (bucket: string): Buffer => Buffer.concat([Buffer.from([FAMILY.accessKey, GRANT_BY_BUCKET]), escapeKey(bucket)]);
export const bucketGrantKey = (bucket: string, accessKeyId: string): Buffer => Buffer.concat([bucketGrantPrefix(bucket), escapeKey(accessKeyId)]);
export function decodeBucketGrantKey(key: Buffer): { bucket: string; accessKeyId: string } {
  const b = unescapeKey(key, 2);
  return { bucket: b.value, accessKeyId: unescapeKey(key, b.end).value };
}

// ---------- R: read leases and GC claims ----------

const READ_LEASE = 0x01;
const READ_LEASE_BY_EXPIRY = 0x02;
const GC_CLAIM = 0x03;
const GC_CLAIM_BY_TIME = 0x04;

export const readLeasePrefix = (versionId: string): Buffer =>
  Buffer.concat([Buffer.from([FAMILY.readLease, READ_LEASE]), mustId(versionId, 'version')]);
export const readLeaseKey = (versionId: string, leaseId: string): Buffer =>
  Buffer.concat([readLeasePrefix(versionId), mustId(leaseId, 'lease')]);
export const readLeaseExpiryPrefix = (): Buffer => Buffer.from([FAMILY.readLease, READ_LEASE_BY_EXPIRY]);
export const readLeaseExpiryKey = (expiresAt: number, versionId: string, leaseId: string): Buffer =>
  Buffer.concat([readLeaseExpiryPrefix(), u64(expiresAt), mustId(versionId, 'version'), mustId(leaseId, 'lease')]);
/** First key of the lease expiry index whose time is > `t`. */
export const readLeaseExpiryBound = (t: number): Buffer => Buffer.concat([readLeaseExpiryPrefix(), u64(t + 1)]);
export function decodeReadLeaseExpiryKey(key: Buffer): { expiresAt: number; versionId: string; leaseId: string } {
  return {
    expiresAt: readU64(key, 2),
    versionId: key.subarray(10, 10 + ID_BYTES).toString('hex'),
    leaseId: key.subarray(10 + ID_BYTES, 10 + 2 * ID_BYTES).toString('hex'),
  };
}
export const gcClaimKey = (versionId: string): Buffer =>
  Buffer.concat([Buffer.from([FAMILY.readLease, GC_CLAIM]), mustId(versionId, 'version')]);
export const gcClaimTimePrefix = (): Buffer => Buffer.from([FAMILY.readLease, GC_CLAIM_BY_TIME]);
export const gcClaimTimeKey = (claimedAt: number, versionId: string): Buffer =>
  Buffer.concat([gcClaimTimePrefix(), u64(claimedAt), mustId(versionId, 'version')]);
export const gcClaimTimeBound = (t: number): Buffer => Buffer.concat([gcClaimTimePrefix(), u64(t + 1)]);
export function decodeGcClaimTimeKey(key: Buffer): { claimedAt: number; versionId: string } {
  return { claimedAt: readU64(key, 2), versionId: key.subarray(10, 10 + ID_BYTES).toString('hex') };
}

// ---------- S: singleton leases ----------

export const leaseKey = (name: string): Buffer => Buffer.concat([fam(FAMILY.lease), escapeKey(name)]);

/** The smallest key strictly greater than `key` (to resume a scan just after it). */
export function keySuccessor(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0x00])]);
}
