import { createHash, randomBytes } from 'node:crypto';
import type { CallCtx, MetadataApi, ObjectHeaders, Owner } from '@massive/contracts';
import { withSnapshot, type KvPair, type KvStore, type KvTxn } from '@massive/kv';
import { TikvKv, type TikvKvOptions } from '@massive/kv-tikv';
import { FakeCluster } from '@massive/kv-tikv/testing';
import { MetadataService } from '@massive/metadata-core';
import { describeMetadataContract } from '@massive/metadata-core/testing';

// Key families of the metadata keyspace (libs/metadata-core/src/keys/keys.ts).
const B = 0x42; // 'B' bucket name -> record
const O = 0x4f; // 'O' bucketId(16) esc(key) -> current version
const V = 0x56; // 'V' bucketId(16) esc(key) ~versionId -> version
const U = 0x55; // 'U' bucketId(16) esc(key) uploadId -> upload
const P = 0x50; // 'P' uploadId(16) partNumber -> part
const ID = 16;

/**
 * Region boundaries that cut the metadata key families: between families, inside the bucket names
 * (contract buckets are `b-<hex>`), and inside O / V / U by bucket id. Every listing, bucket scan and
 * DeleteBucket's 1024 guard stripes therefore cross regions.
 */
const SPLIT_KEYS: Buffer[] = [
  'B',
  'Bb-8',
  'G',
  'I',
  'K',
  'L',
  'L\x80',
  'O',
  'O\x40',
  'O\x80',
  'O\xc0',
  'P',
  'U',
  'U\x80',
  'V',
  'V\x80',
  'W',
].map((s) => Buffer.from(s, 'latin1'));

/** Small budgets: a wedged fake fails a test in seconds instead of hanging it. */
const BUDGETS: Partial<TikvKvOptions> = { pdBudgetMs: 5000, readBudgetMs: 10_000, commitBudgetMs: 10_000, cleanupBudgetMs: 5000 };

/**
 * Also splits INSIDE each bucket's keys: the first transaction that writes an O / V / U key of a
 * bucket splits that family at `<family><bucketId>` + 'b', 'k' and 's' after it commits, so the
 * contract's listings (keys such as 'a', 'b/c', 'photos/...') walk across region boundaries within
 * one bucket, and the client meets EpochNotMatch on its cached regions while the test runs.
 */
class SplittingKv implements KvStore {
  private readonly seen = new Set<string>();

  constructor(
    private readonly inner: KvStore,
    private readonly cluster: FakeCluster,
  ) {}

  async txn<T>(fn: (tx: KvTxn) => Promise<T>): Promise<T> {
    const fresh: Buffer[] = [];
    const note = (k: Buffer) => {
      if ((k[0] === O || k[0] === V || k[0] === U) && k.length > 1 + ID) {
        const prefix = k.subarray(0, 1 + ID);
        if (!this.seen.has(prefix.toString('hex'))) fresh.push(Buffer.from(prefix));
      }
    };
    const result = await this.inner.txn((tx) =>
      fn({
        get: (k) => tx.get(k),
        batchGet: (ks) => tx.batchGet(ks),
        scan: (s, e, o) => tx.scan(s, e, o),
        put: (k, v) => {
          note(k);
          tx.put(k, v);
        },
        delete: (k) => tx.delete(k),
        lock: (k) => tx.lock(k),
      }),
    );
    for (const prefix of fresh) {
      const id = prefix.toString('hex');
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.cluster.split(...['b', 'k', 's'].map((c) => Buffer.concat([prefix, Buffer.from(c)])));
    }
    return result;
  }

  snapshot(): ReturnType<KvStore['snapshot']> {
    return this.inner.snapshot();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

// The same metadata contract suite that runs on MemoryKv and LmdbKv, on TiKV (over the protocol fake:
// PD + 3 stores on loopback) with the keyspace cut into many regions. A fresh cluster per test.
describeMetadataContract('MetadataService on TikvKv over FakeCluster', async () => {
  const cluster = await FakeCluster.start({ stores: 3, splitKeys: SPLIT_KEYS, recordRequests: false });
  const kv = new TikvKv({ pdEndpoints: cluster.pdEndpoints, ...BUDGETS });
  return {
    api: new MetadataService({ kv: new SplittingKv(kv, cluster) }),
    cleanup: async () => {
      await kv.close();
      await cluster.stop();
    },
  };
});

// ------------------------------------------------------------------------------------------------
// Snapshot isolation is not serializability: the races issue 3 names, on TiKV.
// ------------------------------------------------------------------------------------------------

/**
 * A rendezvous for the first attempt of N transactions: each runs its reads (and buffers its
 * writes), then waits until all N got that far before committing. So every racer decides on a
 * snapshot taken before any of the others committed: the write-skew window is open for certain,
 * not by luck. Once open (or after a safety timeout) it lets everything through: the retries.
 */
class Rendezvous {
  private arrived = 0;
  private release!: () => void;
  private readonly opened = new Promise<void>((r) => (this.release = r));
  timedOut = false;

  constructor(private readonly parties: number) {}

  /** Reads done, writes buffered: wait for the others. */
  async arrive(): Promise<void> {
    this.count();
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.release();
    }, 5000);
    await this.opened;
    clearTimeout(timer);
  }

  /** The transaction failed before committing (e.g. NoSuchUpload): counts, does not wait. */
  leave(): void {
    this.count();
  }

  private count(): void {
    if (++this.arrived >= this.parties) this.release();
  }
}

/** A KvStore whose transactions meet at the current Rendezvous between their reads and their commit. */
class GatedKv implements KvStore {
  gate: Rendezvous | undefined;

  constructor(readonly inner: TikvKv) {}

  txn<T>(fn: (tx: KvTxn) => Promise<T>): Promise<T> {
    const gate = this.gate;
    return this.inner.txn(async (tx) => {
      let result: T;
      try {
        result = await fn(tx);
      } catch (e) {
        gate?.leave();
        throw e;
      }
      await gate?.arrive();
      return result;
    });
  }

  snapshot(): ReturnType<KvStore['snapshot']> {
    return this.inner.snapshot();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const ctx: CallCtx = { requestId: 'tikv-race' };
const owner: Owner = { id: 'alice-id', displayName: 'alice' };
const headers: ObjectHeaders = { contentType: 'text/plain', userMetadata: {} };
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

type Outcome = { ok: true } | { ok: false; code: string };
const codeOf = (e: unknown): string => (e as { code?: string }).code ?? `not a ServiceError: ${String(e)}`;
const settle = (p: Promise<unknown>): Promise<Outcome> => p.then(
  () => ({ ok: true }) as Outcome,
  (e: unknown) => ({ ok: false, code: codeOf(e) }) as Outcome,
);
const wins = (outcomes: readonly Outcome[]): number => outcomes.filter((o) => o.ok).length;
const codes = (outcomes: readonly Outcome[]): string[] => outcomes.flatMap((o) => (o.ok ? [] : [o.code]));

describe('MetadataService on TikvKv over FakeCluster: races that snapshot isolation alone would lose', () => {
  let cluster: FakeCluster;
  const clients: TikvKv[] = [];
  const gated: GatedKv[] = [];
  /** Two metadata replicas (two TikvKv clients) on one cluster, as in distributed mode. */
  let replicas: MetadataService[];
  let bucketSeq = 0;

  beforeAll(async () => {
    cluster = await FakeCluster.start({ stores: 3, splitKeys: SPLIT_KEYS, recordRequests: false });
    for (let i = 0; i < 2; i++) {
      const kv = new TikvKv({ pdEndpoints: cluster.pdEndpoints, ...BUDGETS });
      clients.push(kv);
      gated.push(new GatedKv(kv));
    }
    replicas = gated.map((kv) => new MetadataService({ kv }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.stop();
  });
  afterEach(() => gated.forEach((g) => (g.gate = undefined)));

  /** Runs `ops` concurrently, their first attempts meeting at one rendezvous; asserts they overlapped. */
  async function race(ops: (() => Promise<unknown>)[]): Promise<Outcome[]> {
    const gate = new Rendezvous(ops.length);
    gated.forEach((g) => (g.gate = gate));
    const started = ops.map((op) => settle(op()));
    // Every op captured the gate when it opened its transaction; later transactions run ungated.
    gated.forEach((g) => (g.gate = undefined));
    const outcomes = await Promise.all(started);
    expect(gate.timedOut).toBe(false);
    return outcomes;
  }

  const api = (i: number): MetadataApi => replicas[i % replicas.length];
  const newBucket = async (): Promise<{ name: string; id: string }> => {
    const name = `race-${++bucketSeq}-${randomBytes(4).toString('hex')}`;
    const b = await api(0).createBucket({ name, region: 'us-east-1', owner }, ctx);
    return { name, id: b.id };
  };
  const putInline = (i: number, bucket: string, key: string, body: string, conditions?: { ifMatch?: string; ifNoneMatch?: string }) => {
    const bytes = Buffer.from(body);
    return api(i).putObject(
      { bucket, key, data: { kind: 'inline', bytes }, size: bytes.length, etag: md5(body), headers, ...(conditions && { conditions }) },
      ctx,
    );
  };
  const createUpload = (i: number, bucket: string, key: string) => api(i).createMultipartUpload({ bucket, key, headers, owner }, ctx);
  const uploadPart = async (i: number, bucket: string, key: string, uploadId: string, partNumber: number) => {
    const { intentId } = await api(i).createWriteIntent({ ttlMs: 60_000 }, ctx);
    const manifest = { size: 10, chunks: [{ id: `chunk-${randomBytes(8).toString('hex')}`, size: 10 }] };
    return api(i).uploadPart({ bucket, key, uploadId, partNumber, manifest, intentId, etag: md5(`${uploadId}:${partNumber}:${intentId}`) }, ctx);
  };
  const complete = (i: number, bucket: string, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]) =>
    api(i).completeMultipartUpload({ bucket, key, uploadId, parts, minPartSize: 5 }, ctx);

  /** Raw keys of a family under a 16-byte id (bucket id for O/V/U, upload id for P). */
  async function rawKeys(family: number, id: string): Promise<KvPair[]> {
    const prefix = Buffer.concat([Buffer.from([family]), Buffer.from(id, 'hex')]);
    const end = Buffer.concat([Buffer.from([family]), Buffer.from(id, 'hex'), Buffer.alloc(8, 0xff)]);
    return withSnapshot(clients[0], (s) => s.scan(prefix, end, { limit: 100 }));
  }

  /** Every O/V/U record belongs to a bucket that exists (nothing was written into a deleted bucket). */
  async function expectNoOrphans(): Promise<void> {
    const live = new Set((await api(0).listBuckets({}, ctx)).map((b) => b.id));
    const orphans = await withSnapshot(clients[0], async (s) => {
      const out: string[] = [];
      for (const f of [O, V, U]) {
        for (const p of await s.scan(Buffer.from([f]), Buffer.from([f + 1]), { limit: 100_000 })) {
          const id = p.key.subarray(1, 1 + ID).toString('hex');
          if (!live.has(id)) out.push(`${String.fromCharCode(f)} ${id}`);
        }
      }
      return out;
    });
    expect(orphans).toEqual([]);
  }

  it('DeleteBucket (only if empty) vs PutObject into it: never both; nothing lands in a deleted bucket', async () => {
    const tally = { deleted: 0, put: 0 };
    for (let round = 0; round < 8; round++) {
      const b = await newBucket();
      const [del, put] = await race([() => api(round).deleteBucket({ name: b.name }, ctx), () => putInline(round + 1, b.name, `k${round}`, 'x')]);
      expect(wins([del, put])).toBe(1);
      if (del.ok) {
        tally.deleted++;
        expect(codes([put])).toEqual(['NoSuchBucket']);
        expect(await rawKeys(O, b.id)).toEqual([]);
      } else {
        tally.put++;
        expect(codes([del])).toEqual(['BucketNotEmpty']);
        const listed = await api(0).listObjects({ bucket: b.name, maxKeys: 1000 }, ctx);
        expect(listed.objects.map((o) => o.key)).toEqual([`k${round}`]);
      }
    }
    await expectNoOrphans();
    expect(tally.deleted + tally.put).toBe(8);
  });

  it('DeleteBucket vs several PutObjects and a CreateMultipartUpload on both replicas, ungated', async () => {
    for (let round = 0; round < 6; round++) {
      const b = await newBucket();
      const writers = [0, 1, 2, 3].map((i) => settle(putInline(i, b.name, `key-${i}`, `v${i}`)));
      const upload = settle(createUpload(round, b.name, 'mp'));
      // Stagger the delete a little so it lands anywhere from before the first write to after the last.
      await new Promise((r) => setTimeout(r, round * 3));
      const del = await settle(api(round + 1).deleteBucket({ name: b.name }, ctx));
      const written = await Promise.all([...writers, upload]);
      if (del.ok) {
        expect(wins(written)).toBe(0);
        expect(new Set(codes(written))).toEqual(new Set(['NoSuchBucket']));
      } else {
        expect(del.code).toBe('BucketNotEmpty');
        expect(wins(written)).toBeGreaterThan(0);
        const listed = await api(0).listObjects({ bucket: b.name, maxKeys: 1000 }, ctx);
        expect(listed.objects.length).toBe(wins(written.slice(0, 4)));
      }
    }
    await expectNoOrphans();
  });

  it('two If-None-Match: * PUTs of one key: exactly one wins, the other gets PreconditionFailed', async () => {
    const b = await newBucket();
    for (let round = 0; round < 8; round++) {
      const key = `once-${round}`;
      const outcomes = await race([0, 1].map((i) => () => putInline(i, b.name, key, `writer ${i}`, { ifNoneMatch: '*' })));
      expect(wins(outcomes)).toBe(1);
      expect(codes(outcomes)).toEqual(['PreconditionFailed']);
      const winner = outcomes.findIndex((o) => o.ok);
      const got = await api(1).getObject({ bucket: b.name, key }, ctx);
      expect(got.etag).toBe(md5(`writer ${winner}`));
    }
  });

  it('two If-Match PUTs against the same version: exactly one replaces it', async () => {
    const b = await newBucket();
    const v1 = await putInline(0, b.name, 'cas', 'v1');
    const outcomes = await race([0, 1].map((i) => () => putInline(i, b.name, 'cas', `v2 from ${i}`, { ifMatch: `"${v1.etag}"` })));
    expect(wins(outcomes)).toBe(1);
    expect(codes(outcomes)).toEqual(['PreconditionFailed']);
    const winner = outcomes.findIndex((o) => o.ok);
    expect((await api(0).getObject({ bucket: b.name, key: 'cas' }, ctx)).etag).toBe(md5(`v2 from ${winner}`));
  });

  it('CompleteMultipartUpload vs AbortMultipartUpload of one upload: exactly one wins, the loser gets NoSuchUpload', async () => {
    const b = await newBucket();
    const seen = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const key = `mp-${round}`;
      const up = await createUpload(0, b.name, key);
      const p1 = await uploadPart(0, b.name, key, up.uploadId, 1);
      const p2 = await uploadPart(1, b.name, key, up.uploadId, 2);
      const parts = [p1, p2].map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
      const [done, aborted] = await race([
        () => complete(round, b.name, key, up.uploadId, parts),
        () => api(round + 1).abortMultipartUpload({ bucket: b.name, key, uploadId: up.uploadId }, ctx),
      ]);
      expect(wins([done, aborted])).toBe(1);
      expect(codes([done, aborted])).toEqual(['NoSuchUpload']);
      seen.add(done.ok ? 'complete' : 'abort');
      const object = await settle(api(0).getObject({ bucket: b.name, key }, ctx));
      expect(object).toEqual(done.ok ? { ok: true } : { ok: false, code: 'NoSuchKey' });
      // Either way the upload is gone. Its part records stay as the version's segments (complete) or
      // wait for the collector as one queued entry (abort); no part beyond the two uploaded.
      const partKeys = (await rawKeys(P, up.uploadId)).map((p) => p.key.readUInt32BE(17));
      expect(partKeys).toEqual([1, 2]);
      if (done.ok) {
        const manifests = await api(0).getPartManifests({ uploadId: up.uploadId, partNumbers: [1, 2] }, ctx);
        expect(manifests.map((m) => m.size)).toEqual([10, 10]);
      }
      expect((await api(1).listMultipartUploads({ bucket: b.name, maxUploads: 1000 }, ctx)).uploads).toEqual([]);
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  it('two CompleteMultipartUploads of one upload: one object version, and the loser answers it (as S3 does a retried Complete)', async () => {
    const b = await newBucket();
    const up = await createUpload(0, b.name, 'k');
    const p1 = await uploadPart(1, b.name, 'k', up.uploadId, 1);
    const [first, second] = await Promise.all([0, 1].map((i) => complete(i, b.name, 'k', up.uploadId, [{ partNumber: 1, etag: p1.etag }])));
    expect(second.versionId).toBe(first.versionId);
    const versions = await rawKeys(V, b.id);
    expect(versions).toHaveLength(1);
  });

  it('UploadPart vs CompleteMultipartUpload: a part never lands in an upload that is gone', async () => {
    const b = await newBucket();
    for (let round = 0; round < 6; round++) {
      const key = `late-${round}`;
      const up = await createUpload(0, b.name, key);
      const p1 = await uploadPart(0, b.name, key, up.uploadId, 1);
      // Both intents exist before the race, so UploadPart's first attempt reads everything it needs.
      const { intentId } = await api(1).createWriteIntent({ ttlMs: 60_000 }, ctx);
      const manifest = { size: 10, chunks: [{ id: `chunk-${randomBytes(8).toString('hex')}`, size: 10 }] };
      const [done, late] = await race([
        () => complete(round, b.name, key, up.uploadId, [{ partNumber: 1, etag: p1.etag }]),
        () => api(round + 1).uploadPart({ bucket: b.name, key, uploadId: up.uploadId, partNumber: 2, manifest, intentId, etag: md5(intentId) }, ctx),
      ]);
      expect(done.ok).toBe(true);
      if (!late.ok) expect(late.code).toBe('NoSuchUpload');
      // Only the listed part remains (the version's one segment); a late part 2 never landed, or was
      // queued for GC by the Complete that came after it.
      expect((await rawKeys(P, up.uploadId)).map((p) => p.key.readUInt32BE(17))).toEqual([1]);
      const got = await api(0).getObject({ bucket: b.name, key }, ctx);
      expect(got.parts?.map((p) => p.partNumber)).toEqual([1]);
    }
  });

  it('CreateMultipartUpload vs DeleteBucket: never both', async () => {
    for (let round = 0; round < 6; round++) {
      const b = await newBucket();
      const [del, created] = await race([() => api(round).deleteBucket({ name: b.name }, ctx), () => createUpload(round + 1, b.name, 'mp')]);
      expect(wins([del, created])).toBe(1);
      expect(codes([del, created])).toEqual([del.ok ? 'NoSuchBucket' : 'BucketNotEmpty']);
    }
    await expectNoOrphans();
  });

  it('bucket records: CreateBucket of one name from both replicas creates it once', async () => {
    for (let round = 0; round < 4; round++) {
      const name = `same-${round}-${randomBytes(4).toString('hex')}`;
      const outcomes = await race([0, 1].map((i) => () => api(i).createBucket({ name, region: 'us-east-1', owner }, ctx)));
      expect(wins(outcomes)).toBe(1);
      expect(codes(outcomes)).toHaveLength(1);
      const rows = await withSnapshot(clients[1], (s) => s.scan(Buffer.from([B]), Buffer.from([B + 1]), { limit: 10_000 }));
      expect(rows.filter((r) => r.key.subarray(1).toString('utf8').startsWith(name))).toHaveLength(1);
    }
  });
});
