import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { LocalServer, METRICS_AUTH, waitFor } from './local-server';

const MiB = 1024 * 1024;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function metric(endpoint: string, name: string): Promise<number> {
  const text = await (await fetch(`${endpoint}/-/metrics`, { headers: METRICS_AUTH })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/**
 * Issue 7, "a reader never loses its chunks to GC": a GET that streams for far longer than the GC grace
 * over an object that is overwritten meanwhile still receives every byte of the version it started on,
 * while the collector runs every 100 ms; the old chunks go once it ends. Before read leases, this read
 * died mid-stream (a false "chunk corrupted") one grace after the overwrite.
 */
describe('GC never collects chunks under a running reader', () => {
  const server = new LocalServer({
    MASSIVE_CHUNK_SIZE: String(MiB),
    MASSIVE_GC_GRACE_MS: '1000',
    MASSIVE_GC_INTERVAL_MS: '100',
    MASSIVE_READ_LEASE_AFTER_MS: '250',
  });

  beforeAll(async () => {
    await server.start();
    await server.client().send(new CreateBucketCommand({ Bucket: 'readers' }));
  });
  afterAll(() => server.dispose());

  it('a slow GET outlives an overwrite, several GC passes and the grace, byte for byte', async () => {
    const s3 = server.client();
    const original = randomBytes(24 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: 'readers', Key: 'big', Body: original }));
    const get = await s3.send(new GetObjectCommand({ Bucket: 'readers', Key: 'big' }));
    const body = get.Body as Readable;
    const received: Buffer[] = [];
    let got = 0;
    let overwritten = false;
    const started = Date.now();
    for await (const piece of body) {
      received.push(piece as Buffer);
      got += (piece as Buffer).length;
      if (!overwritten && got >= 2 * MiB) {
        overwritten = true;
        await s3.send(new PutObjectCommand({ Bucket: 'readers', Key: 'big', Body: randomBytes(3 * MiB) }));
      }
      await sleep(((piece as Buffer).length / (3 * MiB)) * 1000); // read at ~3 MiB/s: ~8 s in all
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThan(4000); // the read really outlived grace + interval several times over
    expect(got).toBe(original.length);
    expect(md5(Buffer.concat(received))).toBe(md5(original));
    expect(await metric(server.endpoint, 's3_read_leases_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(server.endpoint, 'blob_chunk_corruptions_total')).toBe(0);
    // Released at the end: the old version's 24 chunks are collected, the new object's 3 remain.
    await waitFor(() => server.chunkFiles().length === 3, 15_000, 'the overwritten version to be collected');
  }, 60_000);
});
