import { createHash, randomBytes } from 'node:crypto';
import { InlineHashJob, type HashJob, type HashName } from './hash-job';
import { HashPool } from './hash-pool';

const ALL: HashName[] = ['md5', 'sha1', 'sha256'];

function expected(data: Buffer, names: HashName[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, createHash(n).update(data).digest('hex')]));
}

function hex(d: Partial<Record<HashName, Buffer>>): Record<string, string> {
  return Object.fromEntries(Object.entries(d).map(([n, b]) => [n, (b as Buffer).toString('hex')]));
}

/** Feeds `data` in pieces of random sizes up to `maxPiece`, awaiting backpressure as a body would. */
async function feed(job: HashJob, data: Buffer, maxPiece: number, seed: number): Promise<void> {
  let s = seed;
  for (let at = 0; at < data.length; ) {
    s = (s * 1103515245 + 12345) >>> 0;
    const n = 1 + (s % maxPiece);
    const w = job.update(data.subarray(at, at + n));
    if (w) await w;
    at += n;
  }
}

describe('HashPool', () => {
  let pool: HashPool;
  afterEach(async () => {
    await pool.close();
  });

  it('computes the digests node:crypto computes, whatever the piece sizes, for many jobs at once', async () => {
    pool = new HashPool({ threads: 2, minBytes: 0 });
    const bodies = Array.from({ length: 24 }, (_, i) => randomBytes(1 + ((i * 77_777) % 700_000)));
    const results = await Promise.all(
      bodies.map(async (data, i) => {
        const names = ALL.slice(0, 1 + (i % 3));
        const job = pool.open(names, data.length);
        expect(job).not.toBeInstanceOf(InlineHashJob);
        await feed(job, data, 1 + ((i * 9973) % 200_000), i + 1);
        return { got: hex(await job.digests()), want: expected(data, names) };
      }),
    );
    for (const r of results) expect(r.got).toEqual(r.want);
  });

  it('waits for room when the ring is full and wraps around it, in order (a ring far smaller than the bodies)', async () => {
    pool = new HashPool({ threads: 1, ringBytes: 64 * 1024, minBytes: 0 });
    const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(3 * 1024 * 1024 + i * 4099));
    const results = await Promise.all(
      bodies.map(async (data, i) => {
        const job = pool.open(['md5', 'sha256'], data.length);
        // Pieces larger than the ring are cut to fit it.
        await feed(job, data, 200_000, 7 * i + 3);
        return { got: hex(await job.digests()), want: expected(data, ['md5', 'sha256']) };
      }),
    );
    for (const r of results) expect(r.got).toEqual(r.want);
  });

  it('hashes the empty body, and a body in one piece larger than the ring', async () => {
    pool = new HashPool({ threads: 1, ringBytes: 64 * 1024, minBytes: 0 });
    const empty = pool.open(['md5'], 0);
    expect(hex(await empty.digests())).toEqual(expected(Buffer.alloc(0), ['md5']));
    const big = randomBytes(1024 * 1024 + 5);
    const job = pool.open(ALL, big.length);
    await job.update(big);
    expect(hex(await job.digests())).toEqual(expected(big, ALL));
  });

  it('an aborted job rejects and leaves the others intact', async () => {
    pool = new HashPool({ threads: 1, minBytes: 0 });
    const a = pool.open(['md5'], undefined);
    const b = pool.open(['md5'], undefined);
    const data = randomBytes(300_000);
    await feed(a, data, 50_000, 1);
    await feed(b, data, 70_000, 2);
    a.abort();
    await expect(a.digests()).rejects.toThrow('aborted');
    expect(hex(await b.digests())).toEqual(expected(data, ['md5']));
    expect(() => b.update(data)).toThrow('after it ended');
  });

  it('hashes small bodies on the calling thread', async () => {
    pool = new HashPool({ threads: 1, minBytes: 1000 });
    const job = pool.open(['sha256'], 999);
    expect(job).toBeInstanceOf(InlineHashJob);
    job.update(Buffer.from('abc'));
    expect(hex(await job.digests())).toEqual(expected(Buffer.from('abc'), ['sha256']));
  });

  it('fails the jobs in flight when closed, and hashes inline after', async () => {
    pool = new HashPool({ threads: 1, minBytes: 0 });
    const job = pool.open(['md5'], undefined);
    await feed(job, randomBytes(100_000), 30_000, 5);
    const closing = pool.close();
    await expect(job.digests()).rejects.toThrow('hashing thread');
    await closing;
    // Closed: later jobs hash inline rather than fail.
    const after = pool.open(['md5'], 10_000_000);
    expect(after).toBeInstanceOf(InlineHashJob);
  });

  it('does not keep the process alive: its threads and their ports are unref\'d', async () => {
    const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;
    const before = ports();
    pool = new HashPool({ threads: 2, minBytes: 0 });
    const jobs = [pool.open(['md5'], undefined), pool.open(['sha256'], undefined)];
    for (const j of jobs) j.update(Buffer.alloc(1000));
    await Promise.all(jobs.map((j) => j.digests()));
    expect(ports()).toBe(before);
  });

  it('refuses nonsense options', () => {
    pool = new HashPool({ threads: 1 });
    expect(() => new HashPool({ threads: 0 })).toThrow(RangeError);
    expect(() => new HashPool({ threads: 1, ringBytes: 1000 })).toThrow(RangeError);
  });
});
