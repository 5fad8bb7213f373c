import type { BlobApi, MetadataApi } from '@massive/contracts';
import { S3Error } from '@massive/s3-protocol';
import { ingest } from './ingest';
import { DEFAULT_S3_CONFIG, type RequestBody, type S3ApiDeps, type S3Request } from '../types';
import { fedTo, type HashJob } from './hashing/hash-job';
import { HashPool } from './hashing/hash-pool';
import { createHash, randomBytes } from 'node:crypto';

/** Ports that record what ingest asked of them; the blob write consumes the body as a store would. */
function fakeDeps(config = DEFAULT_S3_CONFIG) {
  const calls: string[] = [];
  const metadata = {
    createWriteIntent: async () => (calls.push('createWriteIntent'), { intentId: 'i1', expiresAt: Date.now() + 1000 }),
    renewWriteIntent: async () => (calls.push('renewWriteIntent'), { intentId: 'i1', expiresAt: Date.now() + 1000 }),
    abandonWriteIntent: async () => void calls.push('abandonWriteIntent'),
  } as unknown as MetadataApi;
  const blob = {
    write: async (body: AsyncIterable<Buffer>) => {
      calls.push('blob.write');
      let size = 0;
      for await (const b of body) size += b.length;
      return { size, chunks: [] };
    },
  } as unknown as BlobApi;
  const deps = { metadata, blob, config, credentials: { lookup: () => undefined }, logger: undefined } as unknown as S3ApiDeps;
  return { deps, calls };
}

function requestWith(body: Partial<RequestBody> & { pieces?: (() => Promise<Buffer>)[] }): S3Request {
  const pieces = body.pieces ?? [];
  const full: RequestBody = {
    length: body.length,
    framed: body.framed ?? true,
    selfHashes: [],
    trailers: () => ({}),
    stream(job?: HashJob) {
      async function* all() {
        for (const p of pieces) yield await p();
      }
      return job ? fedTo(all(), job) : all();
    },
    collect: async () => Buffer.concat(await Promise.all(pieces.map((p) => p()))),
  };
  return { method: 'PUT', headers: {}, query: new URLSearchParams(), body: full, owner: { id: 'o', displayName: 'o' }, requestId: 'r', ctx: { requestId: 'r' } } as unknown as S3Request;
}

describe('ingest', () => {
  it('refuses a body with neither Content-Length nor Transfer-Encoding as 411 MissingContentLength, touching nothing', async () => {
    const { deps, calls } = fakeDeps();
    const err = await ingest(requestWith({ length: 0, framed: false }), deps, { maxSize: 100, allowInline: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect(err).toMatchObject({ code: 'MissingContentLength', status: 411 });
    expect(calls).toEqual([]);
    // A declared empty body is an empty object.
    await expect(ingest(requestWith({ length: 0 }), deps, { maxSize: 100, allowInline: true })).resolves.toMatchObject({ size: 0 });
  });

  it('refuses a plain chunked body (framed, no length) as 501 NotImplemented naming Transfer-Encoding, touching nothing', async () => {
    const { deps, calls } = fakeDeps();
    const err = await ingest(requestWith({ length: undefined, framed: true }), deps, { maxSize: 100, allowInline: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NotImplemented', status: 501, extra: { Header: 'Transfer-Encoding' } });
    expect(calls).toEqual([]);
  });

  it('renews the intent of a streamed body only while its bytes arrive, and abandons it when the body fails', async () => {
    jest.useFakeTimers();
    try {
      const { deps, calls } = fakeDeps({ ...DEFAULT_S3_CONFIG, inlineThreshold: 0, intentTtlMs: 3000 }); // looked at every second
      let stall!: (e: Error) => void;
      const pieces = [
        async () => Buffer.alloc(10),
        () => new Promise<Buffer>((_, reject) => (stall = reject)), // a client that stops sending
      ];
      const done = ingest(requestWith({ length: 100, pieces }), deps, { maxSize: 1000, allowInline: false }).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(1000); // 10 bytes arrived in this period: renewed
      expect(calls.filter((c) => c === 'renewWriteIntent')).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(5000); // nothing since: left to lapse
      expect(calls.filter((c) => c === 'renewWriteIntent')).toHaveLength(1);
      stall(new S3Error('RequestTimeout'));
      expect(await done).toMatchObject({ code: 'RequestTimeout' });
      expect(calls).toEqual(['createWriteIntent', 'blob.write', 'renewWriteIntent', 'abandonWriteIntent']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('hashes a streamed body once on a hashing thread: ETag, SHA-256 checksum and Content-MD5 all from the same job', async () => {
    const pool = new HashPool({ threads: 1, minBytes: 0, ringBytes: 64 * 1024 });
    try {
      const data = randomBytes(700_000);
      const md5 = createHash('md5').update(data).digest();
      const sha = createHash('sha256').update(data).digest('base64');
      const pieces = Array.from({ length: Math.ceil(data.length / 65536) }, (_, i) => async () => data.subarray(i * 65536, (i + 1) * 65536));
      const { deps } = fakeDeps({ ...DEFAULT_S3_CONFIG, inlineThreshold: 0 });
      const withPool = { ...deps, hashing: pool };
      const req = requestWith({ length: data.length, pieces });
      (req as { headers: Record<string, string> }).headers = { 'x-amz-checksum-sha256': sha, 'content-md5': md5.toString('base64') };
      const got = await ingest(req, withPool, { maxSize: 1 << 20, allowInline: false });
      expect(got).toMatchObject({ size: data.length, md5: md5.toString('hex'), checksum: { algorithm: 'SHA256', value: sha } });

      const wrong = requestWith({ length: data.length, pieces });
      (wrong as { headers: Record<string, string> }).headers = { 'content-md5': createHash('md5').update('other').digest('base64') };
      await expect(ingest(wrong, withPool, { maxSize: 1 << 20, allowInline: false })).rejects.toMatchObject({ code: 'BadDigest' });
    } finally {
      await pool.close();
    }
  });
});
