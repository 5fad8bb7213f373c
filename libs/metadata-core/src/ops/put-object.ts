import { ServiceError, type CallCtx, type ObjectVersion, type PutObjectReq } from '@massive/contracts';
import { versionKey } from '../keys/keys';
import type { VersionRecord } from '../model/records';
import {
  checkConditions,
  consumeIntent,
  loadBucket,
  loadObject,
  loadVersion,
  lockBucketGuard,
  toObjectVersion,
  writeCurrent,
} from './common';
import { objectWriterName, timeSortableId, type OpDeps } from './deps';
import { enqueueVersionData } from './version-data';

/**
 * PutObject (and CopyObject's commit): one transaction that checks the bucket and the conditions,
 * consumes the write intent, writes V + O and queues the replaced version's chunks for GC.
 * Writers of one key take turns (TxnRunner's per-key queue), so on one metadata process they never
 * conflict: each one reads what the previous one committed and replaces it; the later commit wins.
 */
export function putObject(deps: OpDeps, req: PutObjectReq, ctx: CallCtx): Promise<ObjectVersion> {
  return deps.txn.run(
    'PutObject',
    async (tx) => {
      const bucket = await loadBucket(tx, req.bucket);
      lockBucketGuard(tx, bucket, req.key);
      const current = await loadObject(tx, bucket.id, req.key);
      checkConditions(current, req.conditions, req.key);
      const old = current && (await loadVersion(tx, bucket.id, req.key, current.versionId));

      const now = deps.clock();
      const base = {
        versionId: timeSortableId(now),
        size: req.size,
        etag: req.etag,
        lastModified: now,
        headers: req.headers,
        ...(req.checksum && { checksum: req.checksum }),
      };
      let record: VersionRecord;
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
        case 'current':
          if (!old || old.record.versionId !== req.data.versionId) {
            throw new ServiceError('PreconditionFailed', `${req.key} is no longer version ${req.data.versionId}`);
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

      if (current && old) {
        tx.delete(versionKey(bucket.id, req.key, current.versionId));
        if (!reusesOldData) enqueueVersionData(tx, deps, old.record);
      }
      writeCurrent(tx, bucket.id, req.key, record, inline);
      return toObjectVersion(req.bucket, req.key, { record, inline: inline ?? Buffer.alloc(0) });
    },
    ctx,
    objectWriterName(req.bucket, req.key),
  );
}
