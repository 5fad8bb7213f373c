import { ServiceError, type BlobApi, type MetadataApi } from '@massive/contracts';
import { createLogger } from '@massive/observability';
import { DEFAULT_S3_CONFIG, type S3ApiDeps } from '../types';
import { cipherRange, encryptStream } from '../sse/package-format';
import { leasedRead } from './leased-read';

const VERSION = 'a'.repeat(32);
const manifest = { size: 40, chunks: [{ id: 'c0', size: 40 }] };

/** A blob whose read yields a piece every `gapMs`; `aborted` once its reader closed it early. */
function slowBlob(pieces: number, gapMs: number): BlobApi & { aborted: boolean } {
  const blob = {
    aborted: false,
    async *read() {
      let i = 0;
      try {
        for (; i < pieces; i++) {
          await new Promise((r) => setTimeout(r, gapMs));
          yield Buffer.from([i]);
        }
      } finally {
        if (i < pieces) blob.aborted = true;
      }
    },
  };
  return blob as unknown as BlobApi & { aborted: boolean };
}

function deps(blob: BlobApi, leaseVersion: MetadataApi['leaseVersion'], readLeaseAfterMs = 20) {
  const calls = { lease: [] as { leaseId?: string }[], released: [] as string[], leased: 0, lost: 0 };
  const metadata = {
    leaseVersion: (req: { versionId: string; leaseId?: string; ttlMs: number }, ctx: never) => {
      calls.lease.push({ leaseId: req.leaseId });
      return leaseVersion(req, ctx);
    },
    releaseVersionLease: async (req: { leaseId: string }) => void calls.released.push(req.leaseId),
  } as unknown as MetadataApi;
  const d: S3ApiDeps = {
    metadata,
    blob,
    credentials: { lookup: () => undefined },
    config: { ...DEFAULT_S3_CONFIG, readLeaseAfterMs },
    logger: createLogger({ service: 'test', level: 'silent' }),
    readLeaseEvents: { leased: () => void calls.leased++, lost: () => void calls.lost++ },
  };
  return { d, calls };
}

async function* one() {
  yield { manifest };
}

async function drain(it: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const b of it) n += b.length;
  return n;
}

describe('leasedRead', () => {
  it('a short read takes no lease at all', async () => {
    // Far below the lease threshold even on a loaded machine (timers there can run tens of ms late).
    const { d, calls } = deps(slowBlob(2, 1), async () => ({ leaseId: 'l', expiresAt: 0 }), 2_000);
    expect(await drain(leasedRead(VERSION, one(), { requestId: 'r' }, d))).toBe(2);
    expect(calls.lease).toEqual([]);
  });

  it('a long read leases its version, renews the same lease while it streams, and releases it at the end', async () => {
    const { d, calls } = deps(slowBlob(10, 12), async () => ({ leaseId: 'L1', expiresAt: Date.now() + 60 }));
    expect(await drain(leasedRead(VERSION, one(), { requestId: 'r' }, d))).toBe(10);
    expect(calls.lease.length).toBeGreaterThanOrEqual(3);
    expect(calls.lease[0]).toEqual({ leaseId: undefined });
    expect(calls.lease.slice(1).every((c) => c.leaseId === 'L1')).toBe(true);
    expect(calls.leased).toBe(1);
    expect(calls.released).toEqual(['L1']);
  });

  it('stops the read (not corruption) when the version is already being collected', async () => {
    const blob = slowBlob(50, 10);
    const { d, calls } = deps(blob, async () => {
      throw new ServiceError('NoSuchVersion', 'being collected');
    });
    await expect(drain(leasedRead(VERSION, one(), { requestId: 'r' }, d))).rejects.toMatchObject({ code: 'NoSuchVersion' });
    expect(blob.aborted).toBe(true);
    expect(calls.lost).toBe(1);
  });

  it('keeps reading when a lease call fails for another reason, and tries again', async () => {
    let n = 0;
    const { d, calls } = deps(slowBlob(8, 12), async () => {
      if (n++ === 0) throw new ServiceError('Unavailable', 'metadata down');
      return { leaseId: 'L2', expiresAt: Date.now() + 60 };
    });
    expect(await drain(leasedRead(VERSION, one(), { requestId: 'r' }, d))).toBe(8);
    expect(calls.lease.length).toBeGreaterThanOrEqual(2);
    expect(calls.released).toEqual(['L2']);
  });
});

describe('leasedRead of an encrypted segment', () => {
  it('decrypts, and hands each stored piece back to the blob store only once decryption has moved past it', async () => {
    const key = Buffer.alloc(32, 9);
    const plain = Buffer.from(Array.from({ length: 3 * 65536 + 100 }, (_, i) => (i * 7) & 255));
    const sealed: Buffer[] = [];
    for await (const b of encryptStream(
      (async function* () {
        yield plain;
      })(),
      key,
      0,
    ))
      sealed.push(b);
    const stored = Buffer.concat(sealed);
    // Pieces that straddle package boundaries, as socket reads do.
    const pieces: Buffer[] = [stored.subarray(0, 70_000), stored.subarray(70_000, 70_010), stored.subarray(70_010, 150_000), stored.subarray(150_000)];
    const events: string[] = [];
    const blob = {
      async *read() {
        for (const [i, p] of pieces.entries()) {
          events.push(`read ${i}`);
          yield p;
        }
      },
      release(p: Buffer) {
        const i = pieces.indexOf(p);
        events.push(`release ${i}`);
        // Released means reusable: scribbling on it must not change what was or will be decrypted.
        p.fill(0);
      },
    } as unknown as BlobApi;
    const { d } = deps(blob, async () => ({ leaseId: 'l', expiresAt: 0 }) as never, 60_000);
    const m = { size: stored.length, chunks: [{ id: 'c', size: stored.length }] };
    const r = cipherRange(0, plain.length - 1, plain.length);
    async function* segment() {
      yield { manifest: m, range: { start: r.start, end: r.end }, decrypt: { dataKey: key, stream: 0, ...r } };
    }
    const out: Buffer[] = [];
    for await (const b of leasedRead(VERSION, segment(), { requestId: 'r' }, d)) out.push(Buffer.from(b));
    expect(Buffer.concat(out).equals(plain)).toBe(true);
    expect(events).toEqual(['read 0', 'read 1', 'release 0', 'read 2', 'release 1', 'read 3', 'release 2', 'release 3']);
  });
});
