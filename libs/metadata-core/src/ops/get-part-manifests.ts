import { ServiceError, type BlobManifest, type CallCtx } from '@massive/contracts';
import { idBytes, partKey } from '../keys/keys';
import { codecs } from '../model/records';
import type { OpDeps } from './deps';
import { MAX_PART_NUMBER } from './multipart-common';

/** Part manifests asked for in one call, at most (a reader asks for a few dozen at a time). */
export const MAX_PART_MANIFESTS = 1000;

/**
 * The manifests of a multipart version's parts (its segments), from one snapshot. A missing part means
 * the version's data was collected (a reader without a lease, or a stale version): NoSuchVersion.
 */
export async function getPartManifests(
  deps: OpDeps,
  req: { uploadId: string; partNumbers: readonly number[] },
  ctx: CallCtx,
): Promise<readonly BlobManifest[]> {
  if (req.partNumbers.length > MAX_PART_MANIFESTS) {
    throw new ServiceError('InvalidArgument', `at most ${MAX_PART_MANIFESTS} part manifests per call`);
  }
  for (const n of req.partNumbers) {
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PART_NUMBER) throw new ServiceError('InvalidArgument', `bad part number ${n}`);
  }
  const gone = (): ServiceError => new ServiceError('NoSuchVersion', `the parts of upload ${req.uploadId} are gone`);
  if (!idBytes(req.uploadId)) throw gone();
  return deps.txn.read(
    'GetPartManifests',
    async (s) => {
      const raw = await s.batchGet(req.partNumbers.map((n) => partKey(req.uploadId, n)));
      return raw.map((v) => {
        if (!v) throw gone();
        return codecs.part.decodeValue(v).manifest;
      });
    },
    ctx,
  );
}
