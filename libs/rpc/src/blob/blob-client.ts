import type { BlobApi, BlobManifest, BlobWriteReq, ByteRange, CallCtx } from '@massive/contracts';
import { ChannelPool } from '../channel-pool';
import { decodeManifest, encodeManifest, encodeRange, opt } from '../codec';
import type { BlobDefinition } from '../generated/massive/blob/v1/Blob';
import type { WriteRequest } from '../generated/massive/blob/v1/WriteRequest';
import type { GrpcClientOptions } from '../metadata/metadata-client';
import { loadProtos } from '../proto';

/** The largest body piece in one gRPC message, both ways. */
export const MAX_DATA_MESSAGE_BYTES = 256 * 1024;

export interface GrpcBlobClientOptions extends Omit<GrpcClientOptions, 'definition'> {
  readonly definition?: BlobDefinition;
}

/**
 * BlobApi over gRPC. Bodies stream both ways in pieces of at most 256 KiB with backpressure: a write
 * reads the source only as fast as the blob service takes it, a read pulls only as fast as the
 * consumer iterates. Stopping a read early, or aborting ctx.signal, cancels the call server-side.
 */
export class GrpcBlobClient implements BlobApi {
  readonly pool: ChannelPool<BlobDefinition>;

  constructor(opts: GrpcBlobClientOptions) {
    this.pool = new ChannelPool(opts.definition ?? loadProtos().blob, { ...opts, label: 'blob service' });
  }

  healthy(timeoutMs?: number): Promise<boolean> {
    return this.pool.healthy('', timeoutMs);
  }

  close(): void {
    this.pool.close();
  }

  async write(body: AsyncIterable<Buffer>, req: BlobWriteReq, ctx: CallCtx): Promise<BlobManifest> {
    return decodeManifest(await this.pool.clientStream('Write', writeRequests(body, req.intentId), ctx));
  }

  async *read(manifest: BlobManifest, range: ByteRange | undefined, ctx: CallCtx): AsyncIterable<Buffer> {
    const req = { manifest: encodeManifest(manifest), ...opt('range', range && encodeRange(range)) };
    for await (const msg of this.pool.serverStream('Read', req, ctx)) yield msg.data;
  }

  async deleteChunks(ids: readonly string[], ctx: CallCtx): Promise<void> {
    await this.pool.unary('DeleteChunks', { ids: [...ids] }, ctx);
  }

  async deleteIntent(intentId: string, ctx: CallCtx): Promise<void> {
    await this.pool.unary('DeleteIntent', { intentId }, ctx);
  }
}

/** The header, then the body cut into pieces of at most MAX_DATA_MESSAGE_BYTES (views, no copies). */
async function* writeRequests(body: AsyncIterable<Buffer>, intentId: string): AsyncIterable<WriteRequest> {
  yield { header: { intentId } };
  for await (const buf of body) yield* pieces(buf, (data) => ({ data }));
}

export function* pieces<T>(buf: Buffer, wrap: (b: Buffer) => T): Iterable<T> {
  for (let at = 0; at < buf.length; at += MAX_DATA_MESSAGE_BYTES) yield wrap(buf.subarray(at, at + MAX_DATA_MESSAGE_BYTES));
}
