import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { LocalServer } from './local-server';
import { buildSyncShim, readSyncLog, settle, type SyncCall } from './durability/sync-log';

const MiB = 1024 * 1024;
/** Every flush the server makes is slowed by this much, so a reply sent before its flush shows plainly. */
const SYNC_DELAY_MS = 120;

const isMetadataFlush = (c: SyncCall): boolean => c.path.endsWith(join('metadata', 'data.mdb'));
const isChunkFlush = (c: SyncCall): boolean => c.path.includes(`${join('blobs', 'chunks')}/`) && c.path.endsWith('.tmp');

interface Timed {
  readonly sent: number;
  readonly replied: number;
}

async function timed(op: () => Promise<unknown>): Promise<Timed> {
  const sent = Date.now();
  await op();
  return { sent, replied: Date.now() };
}

/**
 * DESIGN §2 and issue 7, checked at the syscall: with an LD_PRELOAD shim that logs (and slows) every
 * fsync/fdatasync/msync of the server process, a reply must come after the flush that makes its write
 * durable. For a request run alone: at least one flush of the right file started after the request was
 * sent and ended before the reply arrived, and no flush that started after the request was sent was
 * still running when the reply arrived (a reply sent ahead of its flush would leave exactly that).
 */
describe('acknowledged writes are flushed first (sync syscalls observed with an LD_PRELOAD shim)', () => {
  let shim: string;
  let server: LocalServer;
  let log: string;
  let s3: S3Client;

  beforeAll(async () => {
    shim = buildSyncShim();
    log = join(shim, '..', 'sync.log');
    server = new LocalServer({
      MASSIVE_CHUNK_SIZE: String(MiB),
      MASSIVE_GC_INTERVAL_MS: String(3600_000), // no background commits while we watch
      LD_PRELOAD: shim,
      SYNC_SHIM_LOG: log,
      SYNC_SHIM_DELAY_MS: String(SYNC_DELAY_MS),
    });
    await server.start();
    s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
    await settle(log, 300);
  }, 60_000);

  afterAll(async () => {
    await server?.dispose();
    if (shim) rmSync(join(shim, '..'), { recursive: true, force: true });
  });

  /** Runs `op` alone (server idle before and after) and returns the flushes it caused. */
  async function alone<T>(op: () => Promise<T>): Promise<{ t: Timed; calls: SyncCall[]; result: T }> {
    await settle(log, 200);
    const sent = Date.now();
    const result = await op();
    const t = { sent, replied: Date.now() };
    await settle(log, 400);
    return { t, calls: readSyncLog(log).filter((c) => c.start >= t.sent), result };
  }

  function expectFlushedBeforeReply(t: Timed, calls: SyncCall[], kind: (c: SyncCall) => boolean, what: string): void {
    const mine = calls.filter(kind);
    const covering = mine.filter((c) => c.end <= t.replied);
    const late = mine.filter((c) => c.end > t.replied);
    expect({ what, covering: covering.length > 0, late }).toEqual({ what, covering: true, late: [] });
  }

  it('the shim sees the server flush at all (the test can observe what it claims)', async () => {
    const { calls } = await alone(() => s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'probe', Body: 'x' })));
    expect(calls.some(isMetadataFlush)).toBe(true);
    for (const c of calls) expect(c.end - c.start).toBeGreaterThanOrEqual(SYNC_DELAY_MS - 5);
  });

  it('PUT of a small (inline) object: 200 only after the metadata flush', async () => {
    const { t, calls } = await alone(() => s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'small', Body: Buffer.alloc(4096, 1) })));
    expectFlushedBeforeReply(t, calls, isMetadataFlush, 'metadata');
  });

  it('PUT of a chunked object: 200 only after its chunk files and its commit are flushed', async () => {
    const body = Buffer.alloc(3 * MiB + 17, 2);
    const { t, calls } = await alone(() => s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'big', Body: body })));
    expectFlushedBeforeReply(t, calls, isChunkFlush, 'chunk data');
    expect(calls.filter(isChunkFlush)).toHaveLength(4);
    expectFlushedBeforeReply(t, calls, isMetadataFlush, 'metadata');
    // The commit's flush comes after the last chunk's: the version never points at unflushed data.
    const lastChunk = Math.max(...calls.filter(isChunkFlush).map((c) => c.end));
    expect(calls.filter(isMetadataFlush).some((c) => c.start >= lastChunk && c.end <= t.replied)).toBe(true);
  });

  it('DELETE: 204 only after the metadata flush', async () => {
    const { t, calls } = await alone(() => s3.send(new DeleteObjectCommand({ Bucket: 'durable', Key: 'small' })));
    expectFlushedBeforeReply(t, calls, isMetadataFlush, 'metadata');
  });

  it('UploadPart and CompleteMultipartUpload: each acknowledged only after its flushes', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'durable', Key: 'mp' }));
    const part = await alone(() =>
      s3.send(new UploadPartCommand({ Bucket: 'durable', Key: 'mp', UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB, 3) })),
    );
    expectFlushedBeforeReply(part.t, part.calls, isChunkFlush, 'part chunks');
    expectFlushedBeforeReply(part.t, part.calls, isMetadataFlush, 'part record');
    const last = await alone(() => s3.send(new UploadPartCommand({ Bucket: 'durable', Key: 'mp', UploadId, PartNumber: 2, Body: Buffer.alloc(1024, 4) })));
    expectFlushedBeforeReply(last.t, last.calls, isMetadataFlush, 'small part');
    const complete = await alone(() =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'durable',
          Key: 'mp',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.result.ETag }, { PartNumber: 2, ETag: last.result.ETag }] },
        }),
      ),
    );
    expect(complete.result.ETag).toMatch(/-2"$/);
    expectFlushedBeforeReply(complete.t, complete.calls, isMetadataFlush, 'complete');
  });

  it('group commit: 16 concurrent PUTs share their flushes, and each reply still follows one', async () => {
    await settle(log, 200);
    const burstStart = Date.now();
    const times = await Promise.all(
      Array.from({ length: 16 }, (_, i) => timed(() => s3.send(new PutObjectCommand({ Bucket: 'durable', Key: `g${i}`, Body: Buffer.alloc(4096, i) })))),
    );
    await settle(log, 400);
    const flushes = readSyncLog(log).filter((c) => isMetadataFlush(c) && c.start >= burstStart);
    for (const t of times) expect(flushes.some((c) => c.start >= t.sent && c.end <= t.replied)).toBe(true);
    // One flush for the first arrival, one shared by everyone who queued behind it (lmdb batches
    // every transaction queued during a flush into the next write transaction); a third at most if
    // the client's requests straggle. Sixteen would mean no group commit at all.
    expect(flushes.length).toBeLessThanOrEqual(3);
    const latencies = times.map((t) => t.replied - t.sent).sort((a, b) => a - b);
    process.stdout.write(`group commit: ${flushes.length} flushes for 16 PUTs, p50 ${latencies[8]} ms (flush ${SYNC_DELAY_MS} ms)\n`);
  });
});
