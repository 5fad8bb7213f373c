import {
  isServiceError,
  ServiceError,
  type CallCtx,
  type CompleteMultipartReq,
  type ObjectVersion,
  type PartInfo,
} from '@massive/contracts';
import type { KvReader } from '@massive/kv';
import { partKey, uploadKey } from '../keys/keys';
import type { PartRecord } from '../model/records';
import { bareEtag, conditionFailure, enqueueGc, loadBucket, loadVersion, toObjectVersion, type LoadedVersion } from './common';
import { objectWriterName, type OpDeps } from './deps';
import { commitVersion, latestVersionId, loadKeyState, nextVersionId, type KeyState } from './key-versions';
import { multipartChecksum, multipartEtag } from './multipart-checksum';
import { deleteUploadGuards, loadUpload, noSuchUpload, scanParts } from './multipart-common';
import { enqueueParts } from './version-data';
import type { UploadRecord } from '../model/records';

type ListedPart = CompleteMultipartReq['parts'][number];

/**
 * The client's part list with repeats of one number folded into one entry: a client that sent a part
 * twice (a retry while the first upload was still in flight) may list both uploads, as S3 allows; the
 * stored part is the upload of that number that completed last, and it must be one of those listed.
 * A number lower than the one before it is InvalidPartOrder.
 */
export function groupListedParts(parts: readonly ListedPart[]): ListedPart[][] {
  const groups: ListedPart[][] = [];
  for (const p of parts) {
    const last = groups[groups.length - 1];
    if (last && p.partNumber < last[0].partNumber) {
      throw new ServiceError('InvalidPartOrder', 'The list of parts was not in ascending order');
    }
    if (last && p.partNumber === last[0].partNumber) last.push(p);
    else groups.push([p]);
  }
  return groups;
}

/** Checks the client's part list against the stored parts; returns the listed parts in order, once each. */
export function selectParts(
  req: CompleteMultipartReq,
  stored: ReadonlyMap<number, PartRecord>,
  checksumAlgorithm: string | undefined,
): PartRecord[] {
  if (req.parts.length === 0) throw new ServiceError('InvalidArgument', 'You must specify at least one part');
  const chosen = groupListedParts(req.parts).map((group) => {
    const partNumber = group[0].partNumber;
    const p = stored.get(partNumber);
    const want = p && group.find((w) => bareEtag(w.etag) === p.etag);
    if (!p || !want) {
      throw new ServiceError('InvalidPart', `Part ${partNumber} was not found or its ETag does not match`);
    }
    if (want.checksum !== undefined && p.checksum?.value !== want.checksum) {
      throw new ServiceError('InvalidPart', `Part ${partNumber} checksum does not match`);
    }
    if (checksumAlgorithm && p.checksum?.algorithm !== checksumAlgorithm) {
      throw new ServiceError('InvalidPart', `Part ${want.partNumber} has no ${checksumAlgorithm} checksum`);
    }
    return p;
  });
  chosen.forEach((p, i) => {
    if (i < chosen.length - 1 && p.size < req.minPartSize) {
      throw new ServiceError('EntityTooSmall', `Part ${p.partNumber} is smaller than the minimum allowed size`);
    }
  });
  return chosen;
}

/**
 * CompleteMultipartUpload: the listed parts' records become the version's segments where they lie (no
 * data or manifest copied, so the version record holds part sizes, not chunk lists); commits the version
 * as PutObject does (key-versions.ts), and in the same transaction queues unlisted parts and the replaced
 * null version for GC and deletes the upload. A repeated Complete with the same parts answers what the
 * first one made; with other parts (or once the key holds a newer version) it finds no upload:
 * NoSuchUpload.
 */
/**
 * The current version if this very upload made it with exactly the parts asked for now (numbers and
 * ETags): S3 answers such a repeated Complete with 200 and the same result, so an SDK that retries a
 * Complete whose reply was lost does not report a failed upload for an object that exists.
 */
async function completedBy(tx: KvReader, bucketId: string, req: CompleteMultipartReq, versionId: string): Promise<LoadedVersion | undefined> {
  const v = await loadVersion(tx, bucketId, req.key, versionId);
  const parts = v.record.parts;
  if (v.record.partsOf !== req.uploadId || !parts) return undefined;
  const groups = groupListedParts(req.parts);
  if (groups.length !== parts.length) return undefined;
  const same = groups.every((g, i) => g[0].partNumber === parts[i].partNumber && g.some((w) => bareEtag(w.etag) === parts[i].etag));
  return same ? v : undefined;
}

/** The key was written (or deleted) after the upload was created: the upload raced another write. */
const keyChangedSince = (upload: UploadRecord, state: KeyState): boolean =>
  upload.keyLatestAtCreate !== undefined && upload.keyLatestAtCreate !== (latestVersionId(state) ?? '');

/**
 * With conditions: a failed one is 412 PreconditionFailed (NoSuchKey for If-Match without an object) and
 * the upload stays; but when the key changed while the upload ran, S3 answers 409
 * ConditionalRequestConflict and the upload is gone (the client starts over): so here, in one commit.
 */
export async function completeMultipartUpload(deps: OpDeps, req: CompleteMultipartReq, ctx: CallCtx): Promise<ObjectVersion> {
  const out = await completeTxn(deps, req, ctx);
  if (out === 'conflict') {
    throw new ServiceError('ConditionalRequestConflict', `${req.key} was written while upload ${req.uploadId} ran; the upload was aborted`);
  }
  return out;
}

function completeTxn(deps: OpDeps, req: CompleteMultipartReq, ctx: CallCtx): Promise<ObjectVersion | 'conflict'> {
  return deps.txn.run(
    'CompleteMultipartUpload',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      // No bucket guard needed: the upload record exists until this commits, so DeleteBucket fails.
      const state = await loadKeyState(tx, bucket, req.key, { addsVersion: true });
      const upload = await loadUpload(tx, bucket.id, req.key, req.uploadId).catch((e: unknown) => {
        if (isServiceError(e, 'NoSuchUpload')) return undefined;
        throw e;
      });
      if (!upload) {
        // A retried Complete whose first reply was lost: answer what the first one made (writing nothing).
        const done = state.current && (await completedBy(tx, bucket.id, req, state.current.versionId));
        if (done) return toObjectVersion(req.bucket, req.key, done, bucket.versioning);
        throw noSuchUpload(req.uploadId);
      }
      const failed = conditionFailure(state.current, req.conditions, req.key);
      if (failed && keyChangedSince(upload, state)) {
        enqueueParts(tx, deps, req.uploadId, 0);
        tx.delete(uploadKey(bucket.id, req.key, req.uploadId));
        deleteUploadGuards(tx, req.uploadId);
        return 'conflict';
      }
      if (failed) throw failed;

      const stored = new Map((await scanParts(tx, req.uploadId)).map((p) => [p.partNumber, p]));
      const chosen = selectParts(req, stored, upload.checksumAlgorithm);
      const size = chosen.reduce((n, p) => n + p.size, 0);
      const parts: PartInfo[] = chosen.map((p) => ({
        partNumber: p.partNumber,
        size: p.size,
        etag: p.etag,
        ...(p.checksum && { checksum: p.checksum }),
      }));
      const checksum = multipartChecksum(upload, chosen, deps.checksumCombiner);
      const now = deps.clock();
      const record = {
        versionId: nextVersionId(deps, state),
        size,
        etag: multipartEtag(chosen),
        lastModified: now,
        headers: upload.headers,
        ...(checksum && { checksum }),
        parts,
        // The listed part records stay where they are, as this version's segments: nothing is
        // copied, and the record does not grow with the object.
        partsOf: req.uploadId,
      };

      const listed = new Set(chosen.map((p) => p.partNumber));
      for (const p of stored.values()) {
        if (listed.has(p.partNumber)) continue;
        enqueueGc(tx, deps, p.manifest.chunks);
        tx.delete(partKey(req.uploadId, p.partNumber));
      }
      tx.delete(uploadKey(bucket.id, req.key, req.uploadId));
      deleteUploadGuards(tx, req.uploadId);
      const committed = await commitVersion(tx, deps, bucket, req.key, state, record, undefined);
      return toObjectVersion(req.bucket, req.key, { record: committed, inline: Buffer.alloc(0) }, bucket.versioning);
    },
    ctx,
    objectWriterName(req.bucket, req.key),
  );
}
