import { chunkOwner, isServiceError, type BlobApi, type BlobManifest, type BlobWriteReq, type ByteRange, type CallCtx } from '@massive/contracts';
import { ChannelPool } from '../channel-pool';
import { decodeManifest, encodeManifest, encodeRange, opt } from '../codec';
import type { BlobDefinition } from '../generated/massive/blob/v1/Blob';
import type { WriteRequest } from '../generated/massive/blob/v1/WriteRequest';
import type { GrpcClientOptions } from '../metadata/metadata-client';
import { loadProtos } from '../proto';
import { coalesce, MAX_PIECE_BYTES, withDataCodecs } from './data-codec';
import { BlobDataClient, type DataEndpoint } from './http/data-client';
import { dataHostOf } from './http/data-host';
import type { BlobDataClientMetrics, BlobDataMetrics } from './http/data-metrics';
import { ReplicaRouter, type ReplicaInfo } from './replica-router';
import { splitManifest } from './split-manifest';

/**
 * The largest body piece in one gRPC message, both ways; writes are coalesced to exactly this size
 * (socket reads of 16-64 KiB would otherwise each be a message, and the hop's cost is per message:
 * grpc-js call filters, events, HTTP/2 frames). Not larger: grpc-js streams buffer up to 16 messages
 * on each side of a stream, so this also sets what one slow stream can hold in memory (4 MiB).
 */
export const MAX_DATA_MESSAGE_BYTES = MAX_PIECE_BYTES;
/** How often replicas that announced no data port are asked again (Describe). */
const DATA_PROBE_INTERVAL_MS = 30_000;
/** Deadline of one Describe call while learning which replica a target is. */
const DESCRIBE_TIMEOUT_MS = 2000;

export interface GrpcBlobClientOptions extends Omit<GrpcClientOptions, 'definition'> {
  readonly definition?: BlobDefinition;
  /** Fewest milliseconds between two re-learnings of the replica map. Default 1000. */
  readonly minRefreshMs?: number;
  /**
   * Where bodies travel: `http` (the default) over a replica's HTTP/1.1 data path when its Describe
   * announces one, else over gRPC Write/Read; `grpc` always over gRPC.
   */
  readonly dataPath?: 'http' | 'grpc';
  /** Metrics of the data path (createBlobDataClientMetrics). */
  readonly dataMetrics?: BlobDataMetrics & Partial<Pick<BlobDataClientMetrics, 'watchReceiveBuffers'>>;
  /** Connections per replica on the data path at most. Default 256. */
  readonly maxDataSockets?: number;
  /** How often replicas without a data port are asked again. Default 30 s. */
  readonly dataProbeMs?: number;
}

/**
 * BlobApi over gRPC. Bodies stream both ways in pieces of at most 256 KiB with backpressure: a write
 * reads the source only as fast as the blob service takes it, a read pulls only as fast as the
 * consumer iterates. Stopping a read early, or aborting ctx.signal, cancels the call server-side.
 *
 * Bodies take the blob data path (plain HTTP/1.1, http/data-client.ts) of a replica whose Describe
 * gives a data port, reached at the host of its gRPC target; replicas without one (older servers), or
 * targets naming several addresses, get gRPC Write/Read. The control calls stay on gRPC.
 *
 * Routing (DESIGN.md §5): writes go round-robin to a healthy target; the replica that takes one names
 * its chunks. Chunk ids `@<replica>/...` (local disk in distributed mode) go only to the target that
 * is that replica (ReplicaRouter), so a read spanning several replicas becomes one call per run of
 * chunks; other ids (SeaweedFS fids) go anywhere. `deleteIntent` goes to every target unless all are
 * stateless, since an intent's chunks may sit on any replica.
 */
export class GrpcBlobClient implements BlobApi {
  readonly pool: ChannelPool<BlobDefinition>;
  readonly router: ReplicaRouter;
  private readonly data: BlobDataClient | undefined;
  private readonly dataHosts: readonly (string | undefined)[];
  private lastDataProbe = Date.now();
  private readonly dataProbeMs: number;

  constructor(opts: GrpcBlobClientOptions) {
    this.pool = new ChannelPool(withDataCodecs(opts.definition ?? loadProtos().blob), { ...opts, label: 'blob service' });
    this.dataHosts = opts.targets.map(dataHostOf);
    this.dataProbeMs = opts.dataProbeMs ?? DATA_PROBE_INTERVAL_MS;
    this.data =
      opts.dataPath === 'grpc'
        ? undefined
        : new BlobDataClient({
            label: this.pool.label,
            ...(opts.security && { security: opts.security }),
            ...(opts.dataMetrics && { metrics: opts.dataMetrics }),
            ...(opts.maxDataSockets !== undefined && { maxSockets: opts.maxDataSockets }),
          });
    this.router = new ReplicaRouter({
      size: this.pool.size,
      describe: (i) => this.describe(i),
      isUp: (i) => this.pool.isUp(i),
      label: this.pool.label,
      ...(opts.minRefreshMs !== undefined && { minRefreshMs: opts.minRefreshMs }),
    });
  }

  healthy(timeoutMs?: number): Promise<boolean> {
    return this.pool.healthy('', timeoutMs);
  }

  close(): void {
    this.pool.close();
    this.data?.close();
  }

  /** Who target `i` is (Describe). */
  async describe(i: number): Promise<ReplicaInfo> {
    const res = await this.pool.unary('Describe', {}, { requestId: 'blob-describe', deadline: Date.now() + DESCRIBE_TIMEOUT_MS }, i);
    return { replicaId: res.replicaId, legacyChunks: res.legacyChunks, dataPort: res.dataPort };
  }

  /**
   * Target `i`'s data path, if it has one (learnt from Describe, asked once if never answered yet).
   * Undefined: use gRPC with that target.
   */
  async dataEndpoint(i: number): Promise<DataEndpoint | undefined> {
    const host = this.dataHosts[i];
    if (!this.data || host === undefined) return undefined;
    if (!this.router.info(i)) await this.router.refresh(false);
    const port = this.router.info(i)?.dataPort ?? 0;
    if (port > 0) return { host, port };
    // A replica without a data path may be an older version about to be upgraded (a rolling update):
    // ask again now and then, so bodies move to HTTP once it serves one.
    if (Date.now() - this.lastDataProbe >= this.dataProbeMs) {
      this.lastDataProbe = Date.now();
      void this.router.refresh(true);
    }
    return undefined;
  }

  async write(body: AsyncIterable<Buffer>, req: BlobWriteReq, ctx: CallCtx): Promise<BlobManifest> {
    const target = this.pool.pickTarget();
    const ep = await this.dataEndpoint(target);
    if (ep && this.data) return this.watch(this.data.write(ep, body, req.intentId, ctx), 'data path');
    return decodeManifest(await this.pool.clientStream('Write', writeRequests(body, req.intentId), ctx, target));
  }

  async *read(manifest: BlobManifest, range: ByteRange | undefined, ctx: CallCtx): AsyncIterable<Buffer> {
    for (const seg of splitManifest(manifest, range)) {
      const target = (await this.router.targetFor(seg.owner)) ?? this.pool.pickTarget();
      const ep = await this.dataEndpoint(target);
      if (ep && this.data) {
        yield* this.routed(this.data.read(ep, seg.manifest, seg.range, ctx), 'data path');
        continue;
      }
      const req = { manifest: encodeManifest(seg.manifest), ...opt('range', seg.range && encodeRange(seg.range)) };
      yield* this.routed(this.pool.serverStream('Read', req, ctx, target), seg.owner, (msg) => msg.data);
    }
  }

  /** Pieces `read` yielded from the data path go back to its receive buffers (BlobApi.release). */
  release(piece: Buffer): void {
    this.data?.release(piece);
  }

  async deleteChunks(ids: readonly string[], ctx: CallCtx): Promise<void> {
    const groups = new Map<string | undefined, string[]>();
    for (const id of ids) {
      const owner = chunkOwner(id);
      const g = groups.get(owner);
      if (g) g.push(id);
      else groups.set(owner, [id]);
    }
    await settleAll(
      [...groups].map(async ([owner, group]) => {
        const target = await this.router.targetFor(owner);
        await this.watch(this.pool.unary('DeleteChunks', { ids: group }, ctx, target), owner);
      }),
    );
  }

  async deleteIntent(intentId: string, ctx: CallCtx): Promise<void> {
    const targets = await this.router.intentTargets();
    if (!targets) {
      await this.pool.unary('DeleteIntent', { intentId }, ctx);
      return;
    }
    await settleAll(targets.map((i) => this.watch(this.pool.unary('DeleteIntent', { intentId }, ctx, i), 'every replica')));
  }

  /** A routed call that failed Unavailable makes the router re-learn the map (a replica may have moved). */
  private async watch<T>(p: Promise<T>, owner: string | undefined): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (owner !== undefined && isServiceError(e, 'Unavailable')) this.router.invalidate();
      throw e;
    }
  }

  /** A failed data-path call re-learns the map too: the replica may have restarted on another port. */
  private async *routed<T>(stream: AsyncIterable<T>, owner: string | undefined, unwrap?: (msg: T) => Buffer): AsyncIterable<Buffer> {
    try {
      for await (const msg of stream) yield unwrap ? unwrap(msg) : (msg as unknown as Buffer);
    } catch (e) {
      if (owner !== undefined && isServiceError(e, 'Unavailable')) this.router.invalidate();
      throw e;
    }
  }
}

/** Waits for every call (none is left running), then rejects with the first failure, if any. */
async function settleAll(calls: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The header, then the body joined and cut into pieces of MAX_DATA_MESSAGE_BYTES (the last shorter). */
async function* writeRequests(body: AsyncIterable<Buffer>, intentId: string): AsyncIterable<WriteRequest> {
  yield { header: { intentId } };
  for await (const data of coalesce(body, MAX_DATA_MESSAGE_BYTES)) yield { data };
}

/** `buf` cut into pieces of at most MAX_DATA_MESSAGE_BYTES (views, no copies). */
export function* pieces<T>(buf: Buffer, wrap: (b: Buffer) => T): Iterable<T> {
  for (let at = 0; at < buf.length; at += MAX_DATA_MESSAGE_BYTES) yield wrap(buf.subarray(at, at + MAX_DATA_MESSAGE_BYTES));
}
