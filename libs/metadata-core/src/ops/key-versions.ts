import type { KvReader, KvTxn } from '@massive/kv';
import { prefixEnd } from '@massive/kv';
import { keyVersionsPrefix, latestMarkerKey, nullVersionKey, objectKey, versionKey } from '../keys/keys';
import { codecs, type BucketRecord, type LatestMarkerRecord, type ObjectRecord, type UsageRecord, type VersionRecord } from '../model/records';
import { addVersion, applyUsage, decodeUsage, delta, removeVersionUsage, usageKeyOf, type UsageDelta } from './bucket-usage';
import { lockBucketGuard } from './common';
import { timeSortableId, type OpDeps } from './deps';
import { checkRemovable } from './object-lock';
import { enqueueVersionData } from './version-data';
import { NULL_VERSION_ID } from './version-id';

/**
 * The version bookkeeping of one key (see "Versions" in keys.ts): every writer reads it first, in its
 * transaction, and changes O, N and V together so the invariants hold after every commit.
 */
export interface KeyState {
  /** O: the latest version, when it is an object (not a marker). */
  readonly current?: ObjectRecord;
  /** Internal id of the key's null version, if it has one (not read for `addsVersion` while Enabled). */
  readonly nullId?: string;
  /** N holds `nullId` (O does not point at it). */
  readonly nullInN: boolean;
  /** D: the latest version, when it is a delete marker. */
  readonly latestMarker?: LatestMarkerRecord;
  /** The usage counted in the key's guard stripe (buckets that track usage; see bucket-usage.ts). */
  readonly usage?: UsageRecord;
}

/**
 * Reads O (and N and D, unless the bucket was never versioned: such a bucket has neither), point reads
 * only. `addsVersion`: the caller only adds a version (PutObject, CompleteMultipartUpload); while
 * Enabled such a write replaces nothing, so N is not read (one read fewer on the versioned PUT path).
 */
export async function loadKeyState(r: KvReader, bucket: BucketRecord, key: string, opts: { addsVersion?: boolean } = {}): Promise<KeyState> {
  // The key's usage stripe rides in the same batch (one round trip on TiKV, as before).
  const usageKey = usageKeyOf(bucket, key);
  const withUsage = (keys: Buffer[]): Buffer[] => (usageKey ? [...keys, usageKey] : keys);
  const usageOf = (raw: Buffer | undefined): { usage?: UsageRecord } => (usageKey ? { usage: decodeUsage(raw) } : {});
  if (bucket.versioning === 'Unversioned') {
    const [raw, u] = usageKey ? await r.batchGet(withUsage([objectKey(bucket.id, key)])) : [await r.get(objectKey(bucket.id, key))];
    const current = raw && codecs.object.decodeValue(raw);
    return { ...(current && { current, nullId: current.versionId }), nullInN: false, ...usageOf(u) };
  }
  if (opts.addsVersion && bucket.versioning === 'Enabled') {
    const [o, d, u] = await r.batchGet(withUsage([objectKey(bucket.id, key), latestMarkerKey(bucket.id, key)]));
    const current = o && codecs.object.decodeValue(o);
    const latestMarker = d && codecs.latestMarker.decodeValue(d);
    return { ...(current && { current }), nullInN: false, ...(latestMarker && { latestMarker }), ...usageOf(u) };
  }
  const [o, n, d, u] = await r.batchGet(withUsage([objectKey(bucket.id, key), nullVersionKey(bucket.id, key), latestMarkerKey(bucket.id, key)]));
  const current = o && codecs.object.decodeValue(o);
  if (current && !current.versioned) return { current, nullId: current.versionId, nullInN: false, ...usageOf(u) };
  const nullId = n && codecs.nullVersion.decodeValue(n).versionId;
  const latestMarker = d && codecs.latestMarker.decodeValue(d);
  return { ...(current && { current }), ...(nullId && { nullId }), nullInN: nullId !== undefined, ...(latestMarker && { latestMarker }), ...usageOf(u) };
}

/** The key's latest delete marker (D), if its latest version is one: a point read. */
export async function loadLatestMarker(r: KvReader, bucketId: string, key: string): Promise<LatestMarkerRecord | undefined> {
  const raw = await r.get(latestMarkerKey(bucketId, key));
  return raw && codecs.latestMarker.decodeValue(raw);
}

/** The S3 version id of a record: `null` for the null version. */
export const s3VersionIdOf = (v: { versionId: string; versioned?: true }): string => (v.versioned ? v.versionId : NULL_VERSION_ID);

/** The newest `limit` V records of a key (newest first). */
export async function newestVersions(r: KvReader, bucketId: string, key: string, limit: number): Promise<VersionRecord[]> {
  const prefix = keyVersionsPrefix(bucketId, key);
  const pairs = await r.scan(prefix, prefixEnd(prefix), { limit });
  return pairs.map((p) => codecs.version.decodeValue(p.value));
}

/** The id of the key's latest version (object or marker), if any: O's, else D's (no O, no D: no version). */
export const latestVersionId = (state: KeyState): string | undefined => state.current?.versionId ?? state.latestMarker?.versionId;

/**
 * A new version id for `key`, greater than its latest: ids sort by clock, and a clock that went back
 * (or another metadata process's skewed clock) must not make a new version sort below an older one.
 * Needs no read: the latest is in `state` (O or D).
 */
export function nextVersionId(deps: OpDeps, state: KeyState): string {
  const now = deps.clock();
  const id = timeSortableId(now);
  const latest = latestVersionId(state);
  if (latest === undefined || id > latest) return id;
  return timeSortableId(parseInt(latest.slice(0, 12), 16) + 1);
}

/** The O record that points at `v`. */
export function objectRecordOf(v: VersionRecord): ObjectRecord {
  return {
    versionId: v.versionId,
    size: v.size,
    etag: v.etag,
    lastModified: v.lastModified,
    ...(v.checksum && { checksumAlgorithm: v.checksum.algorithm, checksumType: v.checksum.type }),
    ...(v.versioned && { versioned: true as const }),
  };
}

/** Loads a V record with its inline bytes; undefined when the key has no such version. */
export async function findVersion(r: KvReader, bucketId: string, key: string, versionId: string): Promise<{ record: VersionRecord; inline: Buffer } | undefined> {
  const raw = await r.get(versionKey(bucketId, key, versionId));
  if (!raw) return undefined;
  const { value, raw: inline } = codecs.version.decode(raw);
  return { record: value, inline };
}

/**
 * Drops the key's null version (a new null version replaces it): its V, its N, and its data to the GC
 * queue unless `keepData` (a copy onto itself reuses it).
 */
async function dropNullVersion(tx: KvTxn, deps: OpDeps, bucketId: string, key: string, state: KeyState, usage: UsageDelta, keepData = false): Promise<void> {
  if (state.nullId === undefined) return;
  const old = await findVersion(tx, bucketId, key, state.nullId);
  // Unreachable while Object Lock keeps its buckets Enabled (only Unversioned and Suspended replace the
  // null version), and kept so: no path replaces a locked version.
  if (old) checkRemovable(old.record.headers.lock, deps.clock(), false);
  tx.delete(versionKey(bucketId, key, state.nullId));
  if (state.nullInN) tx.delete(nullVersionKey(bucketId, key));
  if (old && !old.record.deleteMarker) removeVersionUsage(usage, old.record.size);
  if (old && !old.record.deleteMarker && !keepData) enqueueVersionData(tx, deps, old.record);
}

/** While Enabled, O moves away from a null version: N must remember it. */
function rememberNull(tx: KvTxn, bucketId: string, key: string, state: KeyState): void {
  if (state.current && !state.current.versioned) {
    tx.put(nullVersionKey(bucketId, key), codecs.nullVersion.encode({ versionId: state.current.versionId }));
  }
}

/**
 * The id of the version a write to `key` replaces: the null version unless the bucket is Enabled (then
 * nothing is replaced: every version stays).
 */
export const replacedVersionId = (bucket: BucketRecord, state: KeyState): string | undefined =>
  bucket.versioning === 'Enabled' ? undefined : state.nullId;

/**
 * Commits a new object version of `key` (PutObject, CopyObject, CompleteMultipartUpload) and makes it
 * the latest: while Enabled a new versioned record; otherwise the new null version, replacing the old
 * one (whose data goes to the GC queue unless `reusesReplacedData`).
 */
export async function commitVersion(
  tx: KvTxn,
  deps: OpDeps,
  bucket: BucketRecord,
  key: string,
  state: KeyState,
  base: Omit<VersionRecord, 'versioned' | 'deleteMarker'>,
  inline: Buffer | undefined,
  reusesReplacedData = false,
): Promise<VersionRecord> {
  let record: VersionRecord;
  const usage = delta();
  if (bucket.versioning === 'Enabled') {
    record = { ...base, versioned: true };
    rememberNull(tx, bucket.id, key, state);
  } else {
    record = base;
    await dropNullVersion(tx, deps, bucket.id, key, state, usage, reusesReplacedData);
  }
  addVersion(usage, record.size);
  applyUsage(tx, bucket, key, state.usage, usage);
  tx.put(versionKey(bucket.id, key, record.versionId), codecs.version.encode(record, inline));
  tx.put(objectKey(bucket.id, key), codecs.object.encode(objectRecordOf(record)));
  if (state.latestMarker) tx.delete(latestMarkerKey(bucket.id, key)); // the latest is no marker any more
  return record;
}

/**
 * A plain DELETE on a bucket whose versioning is set: adds a delete marker as the latest version. While
 * Enabled it is a new versioned record; while Suspended it becomes the null version (replacing it).
 */
export async function addDeleteMarker(tx: KvTxn, deps: OpDeps, bucket: BucketRecord, key: string, state: KeyState): Promise<VersionRecord> {
  lockBucketGuard(tx, bucket, key); // a new V record: DeleteBucket must see it or conflict
  const versionId = nextVersionId(deps, state);
  const base = { versionId, size: 0, etag: '', lastModified: deps.clock(), headers: { userMetadata: {} }, deleteMarker: true as const };
  let marker: VersionRecord;
  if (bucket.versioning === 'Enabled') {
    marker = { ...base, versioned: true };
    rememberNull(tx, bucket.id, key, state);
  } else {
    marker = base;
    const usage = delta();
    await dropNullVersion(tx, deps, bucket.id, key, state, usage);
    await applyUsage(tx, bucket, key, state.usage, usage);
    tx.put(nullVersionKey(bucket.id, key), codecs.nullVersion.encode({ versionId }));
  }
  tx.put(versionKey(bucket.id, key, versionId), codecs.version.encode(marker));
  tx.put(latestMarkerKey(bucket.id, key), codecs.latestMarker.encode(latestMarkerOf(marker)));
  tx.delete(objectKey(bucket.id, key)); // even when absent: every writer of the key writes O (see touchObject)
  return marker;
}

const latestMarkerOf = (v: VersionRecord): LatestMarkerRecord => ({ versionId: v.versionId, ...(v.versioned && { versioned: true as const }) });

/**
 * Rewrites O as it is (or deletes it when absent). Every transaction that changes a key's versions
 * writes O, so two of them on different metadata processes always conflict and one retries: without
 * it, removing an old version while another transaction promotes that same version (both read, neither
 * writes, the other's keys) would leave O pointing at a deleted version. On one process, writers of a
 * key already take turns (TxnRunner `serialize`).
 */
function touchObject(tx: KvTxn, bucketId: string, key: string, state: KeyState): void {
  if (state.current) tx.put(objectKey(bucketId, key), codecs.object.encode(state.current));
  else tx.delete(objectKey(bucketId, key));
}

/**
 * DELETE of one version by internal id: removes it for good (data to the GC queue) and, if it was the
 * latest, promotes the next newest (O points at it, or goes when that is a marker or there is none).
 * Returns the removed record, or undefined when the key has no such version. A version under Object
 * Lock (a legal hold, or a retention in force that `bypassGovernance` does not lift) is not removed:
 * ObjectLocked, before anything is written. Every path that removes a version comes through here.
 */
export async function removeVersion(
  tx: KvTxn,
  deps: OpDeps,
  bucket: BucketRecord,
  key: string,
  state: KeyState,
  versionId: string,
  bypassGovernance = false,
): Promise<VersionRecord | undefined> {
  const target = await findVersion(tx, bucket.id, key, versionId);
  if (!target) return undefined;
  const rec = target.record;
  checkRemovable(rec.headers.lock, deps.clock(), bypassGovernance);
  // Read before writing: a transaction's reads need not see its own writes.
  const [first, second] = await newestVersions(tx, bucket.id, key, 2);
  tx.delete(versionKey(bucket.id, key, versionId));
  if (!rec.deleteMarker) {
    enqueueVersionData(tx, deps, rec);
    const usage = delta();
    removeVersionUsage(usage, rec.size);
    await applyUsage(tx, bucket, key, state.usage, usage);
  }
  const wasNull = versionId === state.nullId;
  if (wasNull && state.nullInN) tx.delete(nullVersionKey(bucket.id, key));

  if (first?.versionId !== versionId) {
    touchObject(tx, bucket.id, key, state); // not the latest: O, N and D stay as they are
    return rec;
  }
  if (!second || second.deleteMarker) {
    tx.delete(objectKey(bucket.id, key));
    if (second) tx.put(latestMarkerKey(bucket.id, key), codecs.latestMarker.encode(latestMarkerOf(second)));
    else if (state.latestMarker) tx.delete(latestMarkerKey(bucket.id, key));
    return rec;
  }
  tx.put(objectKey(bucket.id, key), codecs.object.encode(objectRecordOf(second)));
  if (state.latestMarker) tx.delete(latestMarkerKey(bucket.id, key)); // the removed latest was a marker
  // O now points at the null version: N must not name it any more.
  if (!second.versioned && !wasNull && state.nullInN) tx.delete(nullVersionKey(bucket.id, key));
  return rec;
}
