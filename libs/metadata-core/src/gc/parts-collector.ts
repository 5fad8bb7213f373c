import type { CallCtx } from '@massive/contracts';
import { prefixEnd } from '@massive/kv';
import { partPrefix } from '../keys/keys';
import { codecs } from '../model/records';
import type { TxnRunner } from '../txn/run-txn';
import type { GcBlobPort } from './collector';

/**
 * Deletes every part record left under `uploadId` (an unlinked multipart version's segments, or an
 * aborted upload's parts) and their chunks, `batch` records at a time: the chunks first (idempotent),
 * then the records, so a crash in between only repeats deletes. Returns how many chunks went.
 */
export async function collectPartRecords(
  txn: TxnRunner,
  blob: GcBlobPort,
  uploadId: string,
  batch: number,
  ctx: CallCtx,
): Promise<number> {
  const prefix = partPrefix(uploadId);
  let chunks = 0;
  for (;;) {
    const page = await txn.read('GcPartsScan', (s) => s.scan(prefix, prefixEnd(prefix), { limit: batch }), ctx);
    if (page.length === 0) return chunks;
    const ids = page.flatMap((p) => codecs.part.decodeValue(p.value).manifest.chunks.map((c) => c.id));
    for (let i = 0; i < ids.length; i += 1000) await blob.deleteChunks(ids.slice(i, i + 1000), ctx);
    await txn.run(
      'GcPartsDrain',
      async (tx) => {
        for (const p of page) tx.delete(p.key);
      },
      ctx,
    );
    chunks += ids.length;
    if (page.length < batch) return chunks;
  }
}
