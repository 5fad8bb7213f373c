import {
  ServiceError,
  type BucketVersioning,
  type ChunkRef,
  type ObjectVersion,
  type WriteConditions,
} from '@massive/contracts';
import { prefixEnd, type KvReader, type KvTxn } from '@massive/kv';
import {
  bucketKey,
  gcKey,
  guardKey,
  guardStripe,
  decodeIntentChunkKey,
  idBytes,
  intentChunkPrefix,
  intentExpiryKey,
  intentKey,
  objectKey,
  versionKey,
} from '../keys/keys';
import { codecs, type BucketRecord, type ObjectRecord, type VersionRecord } from '../model/records';
import type { OpDeps } from './deps';

export async function loadBucket(r: KvReader, name: string): Promise<BucketRecord> {
  const raw = await r.get(bucketKey(name));
  if (!raw) throw new ServiceError('NoSuchBucket', `The specified bucket does not exist: ${name}`);
  return decodeBucket(name, raw);
}

/**
 * Every request reads its bucket's record (from its own snapshot, always) and nearly every one finds
 * the bytes the previous request found: those decode to the record decoded then, frozen, so the JSON
 * parse is skipped. The record is compared by its bytes, so a changed bucket is never answered from
 * here, whichever process changed it. Exported for its spec.
 */
export function decodeBucket(name: string, raw: Buffer): BucketRecord {
  const hit = decodedBuckets.get(name);
  if (hit !== undefined && hit.raw.equals(raw)) return hit.value;
  const value = deepFreeze(codecs.bucket.decodeValue(raw));
  if (decodedBuckets.size >= DECODED_BUCKETS) decodedBuckets.clear();
  decodedBuckets.set(name, { raw, value });
  return value;
}
/** A busy metadata service serves a handful of buckets; many more only cost a parse each. */
const DECODED_BUCKETS = 256;
const decodedBuckets = new Map<string, { readonly raw: Buffer; readonly value: BucketRecord }>();

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v as object);
  return Object.freeze(o);
}

/**
 * Makes a write of `key` conflict with a concurrent DeleteBucket (which deletes every stripe) without
 * making writers of different keys conflict with each other (they mostly take different stripes).
 */
export function lockBucketGuard(tx: KvTxn, bucket: BucketRecord, key: string): void {
  tx.lock(guardKey(bucket.id, guardStripe(key)));
}

export async function loadObject(r: KvReader, bucketId: string, key: string): Promise<ObjectRecord | undefined> {
  const raw = await r.get(objectKey(bucketId, key));
  return raw && codecs.object.decodeValue(raw);
}

export interface LoadedVersion {
  readonly record: VersionRecord;
  readonly inline: Buffer;
}

export async function loadVersion(r: KvReader, bucketId: string, key: string, versionId: string): Promise<LoadedVersion> {
  const raw = await r.get(versionKey(bucketId, key, versionId));
  if (!raw) throw new ServiceError('Internal', `object ${key} points at a missing version ${versionId}`);
  const { value, raw: inline } = codecs.version.decode(raw);
  return { record: value, inline };
}

/** A version's record alone, its inline bytes neither copied nor returned (getObject `withoutData`). */
export async function loadVersionRecord(r: KvReader, bucketId: string, key: string, versionId: string): Promise<VersionRecord> {
  const raw = await r.get(versionKey(bucketId, key, versionId));
  if (!raw) throw new ServiceError('Internal', `object ${key} points at a missing version ${versionId}`);
  return codecs.version.decodeValue(raw);
}

/** `v.inline` undefined: the version was read without its bytes, and inline data is `omitted`. */
export function toObjectVersion(
  bucket: string,
  key: string,
  v: { readonly record: VersionRecord; readonly inline: Buffer | undefined },
  versioning: BucketVersioning = 'Unversioned',
): ObjectVersion {
  const r = v.record;
  return {
    bucket,
    key,
    versionId: r.versionId,
    ...(versioning !== 'Unversioned' && { s3VersionId: r.versioned ? r.versionId : 'null', bucketVersioning: versioning }),
    size: r.size,
    etag: r.etag,
    lastModified: r.lastModified,
    headers: r.headers,
    ...(r.checksum && { checksum: r.checksum }),
    ...(r.parts && { parts: r.parts }),
    data: r.manifest
      ? { kind: 'chunks', manifest: r.manifest }
      : r.partsOf
        ? { kind: 'parts', uploadId: r.partsOf }
        : v.inline === undefined
          ? { kind: 'omitted' }
          : { kind: 'inline', bytes: v.inline },
  };
}

/**
 * Puts chunks on the GC queue (same transaction as the unlink: nothing leaks, nothing dangles).
 * `versionId` names the object version being unlinked, whose readers may hold read leases; chunks of
 * parts and intents (never read by a GET) have none.
 */
export function enqueueGc(tx: KvTxn, deps: OpDeps, chunks: readonly ChunkRef[], versionId?: string): void {
  const now = deps.clock();
  const due = now + deps.gcGraceMs;
  const value = (size: number): Buffer => codecs.gc.encode(versionId ? { enqueuedAt: now, size, versionId } : { enqueuedAt: now, size });
  for (const c of chunks) tx.put(gcKey(due, c.id), value(c.size));
}

/**
 * The error for an intent that is gone, expired or being reclaimed. Made only when thrown: an Error
 * captures a stack trace, and building it up front on every commit was 3% of the metadata service's
 * CPU during 1 MiB PUTs.
 */
export function intentExpired(intentId: string): ServiceError {
  return new ServiceError('IntentExpired', `write intent ${intentId} expired or was reclaimed`);
}

/**
 * Consumes a write intent at commit: it must exist, be unexpired and not being reclaimed. Deleting the
 * record (a write) makes this commit conflict with a janitor that marks it concurrently. `committed` is
 * the chunks the commit references (every other chunk recorded under the intent is garbage).
 */
export async function consumeIntent(
  tx: KvTxn,
  deps: OpDeps,
  intentId: string,
  committed: readonly ChunkRef[],
): Promise<void> {
  if (!idBytes(intentId)) throw intentExpired(intentId);
  const raw = await tx.get(intentKey(intentId));
  if (!raw) throw intentExpired(intentId);
  const rec = codecs.intent.decodeValue(raw);
  if (rec.reclaiming || rec.expiresAt <= deps.clock()) throw intentExpired(intentId);
  tx.delete(intentKey(intentId));
  tx.delete(intentExpiryKey(rec.expiresAt, intentId));
  await forgetIntentChunks(tx, deps, intentId, committed);
}

/**
 * Drops the chunk ids recorded under an intent (`recordIntentChunks`). A recorded chunk the commit does
 * not reference (a fid the store gave up on and re-assigned, whose best-effort delete may have failed)
 * goes to the GC queue instead of leaking.
 */
async function forgetIntentChunks(tx: KvTxn, deps: OpDeps, intentId: string, committed: readonly ChunkRef[]): Promise<void> {
  const prefix = intentChunkPrefix(intentId);
  const recorded = await tx.scan(prefix, prefixEnd(prefix));
  if (recorded.length === 0) return;
  const kept = new Set(committed.map((c) => c.id));
  const stray: ChunkRef[] = [];
  for (const { key } of recorded) {
    tx.delete(key);
    const id = decodeIntentChunkKey(key);
    if (!kept.has(id)) stray.push({ id, size: 0 });
  }
  enqueueGc(tx, deps, stray);
}

/** Strips quotes (and a weak prefix) from an etag as sent in headers or CompleteMultipartUpload. */
export function bareEtag(etag: string): string {
  let e = etag.trim();
  if (e.startsWith('W/')) e = e.slice(2);
  if (e.length >= 2 && e.startsWith('"') && e.endsWith('"')) e = e.slice(1, -1);
  return e;
}

/** An If-Match style value (`*`, or a comma-separated list of quoted or bare etags) against an etag. */
export function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((h) => {
    const t = h.trim();
    return t === '*' || bareEtag(t) === etag;
  });
}

/** S3 write preconditions, evaluated inside the transaction against the current object. */
export function checkConditions(current: ObjectRecord | undefined, c: WriteConditions | undefined, key: string): void {
  const failure = conditionFailure(current, c, key);
  if (failure) throw failure;
}

/** The error a failed write precondition answers (NoSuchKey for If-Match without an object), if one fails. */
export function conditionFailure(current: ObjectRecord | undefined, c: WriteConditions | undefined, key: string): ServiceError | undefined {
  if (!c) return undefined;
  if (c.ifMatch !== undefined) {
    if (!current) return new ServiceError('NoSuchKey', `The specified key does not exist: ${key}`);
    if (!etagMatches(c.ifMatch, current.etag)) return new ServiceError('PreconditionFailed', 'If-Match failed');
  }
  if (c.ifNoneMatch !== undefined && current && etagMatches(c.ifNoneMatch, current.etag)) {
    return new ServiceError('PreconditionFailed', 'If-None-Match failed');
  }
  return undefined;
}
