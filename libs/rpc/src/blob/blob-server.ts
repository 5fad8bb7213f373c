import { ServiceError, type BlobApi, type CallCtx } from '@massive/contracts';
import type { AsyncService } from '../bind-service';
import { decodeManifest, decodeRange, encodeManifest } from '../codec';
import type { BlobHandlers } from '../generated/massive/blob/v1/Blob';
import type { ReadResponse } from '../generated/massive/blob/v1/ReadResponse';
import type { WriteRequest__Output } from '../generated/massive/blob/v1/WriteRequest';
import { pieces } from './blob-client';

/** Who a blob server is (answered by Describe); see ReplicaInfo. */
export interface BlobReplicaIdentity {
  /** The replica owning this server's disk; '' (the default) for a stateless store such as SeaweedFS. */
  readonly replicaId: string;
  readonly legacyChunks: boolean;
  /** The port of this server's HTTP blob data path (BlobDataServer); 0 or absent: none. */
  readonly dataPort?: number;
}

const STATELESS: BlobReplicaIdentity = { replicaId: '', legacyChunks: false };

/** The Blob gRPC service over any BlobApi (BlobService in apps/blob). */
export function blobServiceImpl(api: BlobApi, identity: BlobReplicaIdentity = STATELESS): AsyncService<BlobHandlers> {
  return {
    Describe: async () => ({ replicaId: identity.replicaId, legacyChunks: identity.legacyChunks, dataPort: identity.dataPort ?? 0 }),
    Write: async (reqs, ctx) => {
      const it = reqs[Symbol.asyncIterator]();
      const first = await it.next();
      if (first.done || first.value.message !== 'header' || !first.value.header) {
        throw new ServiceError('InvalidArgument', 'a blob write starts with its header message');
      }
      return encodeManifest(await api.write(body(it), { intentId: first.value.header.intentId }, ctx));
    },
    Read: (r, ctx) => readPieces(api, r.manifest, r.range ?? undefined, ctx),
    DeleteChunks: async (r, ctx) => {
      await api.deleteChunks(r.ids, ctx);
      return {};
    },
    DeleteIntent: async (r, ctx) => {
      await api.deleteIntent(r.intentId, ctx);
      return {};
    },
  };
}

async function* body(it: AsyncIterator<WriteRequest__Output>): AsyncIterable<Buffer> {
  try {
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      if (next.value.message !== 'data' || !next.value.data) throw new ServiceError('InvalidArgument', 'a blob write has one header message, then data');
      yield next.value.data;
    }
  } finally {
    await it.return?.();
  }
}

async function* readPieces(
  api: BlobApi,
  manifest: Parameters<typeof decodeManifest>[0],
  range: Parameters<typeof decodeRange>[0] | undefined,
  ctx: CallCtx,
): AsyncIterable<ReadResponse> {
  for await (const buf of api.read(decodeManifest(manifest), range && decodeRange(range), ctx)) yield* pieces(buf, (data) => ({ data }));
}
