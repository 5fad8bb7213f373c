import { ServiceError, type CallCtx, type ObjectVersion, type PutObjectReq } from '@massive/contracts';
import type { VersionRecord } from '../model/records';
import { checkConditions, consumeIntent, loadBucket, lockBucketGuard, toObjectVersion } from './common';
import { objectWriterName, type OpDeps } from './deps';
import { commitVersion, findVersion, loadKeyState, nextVersionId, replacedVersionId } from './key-versions';

/**
 * PutObject (and CopyObject's commit): one transaction that checks the bucket and the conditions,
 * consumes the write intent and commits the new version (key-versions.ts): while versioning is Enabled
 * every version stays; otherwise it replaces the key's null version, whose chunks go to the GC queue.
 * Writers of one key take turns (TxnRunner's per-key queue), so on one metadata process they never
 * conflict: each one reads what the previous one committed; the later commit wins.
 */
export function putObject(deps: OpDeps, req: PutObjectReq, ctx: CallCtx): Promise<ObjectVersion> {
  return deps.txn.run(
    'PutObject',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      lockBucketGuard(tx, bucket, req.key);
      const state = await loadKeyState(tx, bucket, req.key, { addsVersion: true });
      checkConditions(state.current, req.conditions, req.key);

      const now = deps.clock();
      const base = {
        versionId: nextVersionId(deps, state),
        size: req.size,
        etag: req.etag,
        lastModified: now,
        headers: req.headers,
        ...(req.checksum && { checksum: req.checksum }),
      };
      let record: Omit<VersionRecord, 'versioned' | 'deleteMarker'>;
      let inline: Buffer | undefined;
      let reusesOldData = false;
      switch (req.data.kind) {
        case 'inline':
          record = base;
          inline = req.data.bytes;
          break;
        case 'chunks':
          await consumeIntent(tx, deps, req.data.intentId, req.data.manifest.chunks);
          record = { ...base, manifest: req.data.manifest };
          break;
        case 'current': {
          // Two live versions never share data: reuse it only when this write replaces that version.
          const replaced = replacedVersionId(bucket, state);
          const old = replaced === req.data.versionId ? await findVersion(tx, bucket.id, req.key, replaced) : undefined;
          if (!old || old.record.deleteMarker) {
            throw new ServiceError('PreconditionFailed', `${req.key} version ${req.data.versionId} is not the version this write replaces`);
          }
          reusesOldData = true;
          record = {
            ...base,
            size: old.record.size,
            ...(old.record.manifest && { manifest: old.record.manifest }),
            ...(old.record.partsOf && { partsOf: old.record.partsOf, ...(old.record.parts && { parts: old.record.parts }) }),
          };
          inline = old.inline;
          break;
        }
      }
      const committed = await commitVersion(tx, deps, bucket, req.key, state, record, inline, reusesOldData);
      return toObjectVersion(req.bucket, req.key, { record: committed, inline: req.withoutData ? undefined : (inline ?? Buffer.alloc(0)) }, bucket.versioning);
    },
    ctx,
    objectWriterName(req.bucket, req.key),
  );
}
