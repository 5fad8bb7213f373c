import { createHash } from 'node:crypto';
import { encodeLifecycleConfiguration, type CallCtx, type LifecycleRule, type MetadataApi, type ObjectHeaders } from '@massive/contracts';
import type { KvStore } from '@massive/kv';
import { Registry } from 'prom-client';
import { LifecycleWorker, type LifecycleWorkerOptions } from '../lifecycle/lifecycle-worker';

/** What a lifecycle scenario runs against: the API clients use, over the store the worker walks. */
export interface LifecycleSubject {
  readonly api: MetadataApi;
  readonly kv: KvStore;
  cleanup(): Promise<void>;
}

const ctx: CallCtx = { requestId: 'lifecycle-spec' };
const owner = { id: 'owner-id', displayName: 'owner' };
const DAY = 86_400_000;
/** 2026-01-15 10:30 UTC: S3's documented example (Days 3 → 2026-01-19 00:00 UTC). */
const T0 = Date.UTC(2026, 0, 15, 10, 30);

/**
 * The lifecycle worker under an injected clock (days pass in microseconds), written once and run on
 * every store: objects past their Expiration go (or get a delete marker), noncurrent versions go with
 * NewerNoncurrentVersions kept, expired delete markers are removed, stale uploads are aborted, and
 * disabled rules and non-matching filters keep everything. `factory` builds the API with `clock`.
 */
export function describeLifecycleScenarios(name: string, factory: (clock: () => number) => Promise<LifecycleSubject>): void {
  describe(`lifecycle worker: ${name}`, () => {
    const clock = { now: T0 };
    let s: LifecycleSubject;
    let seq = 0;
    beforeEach(async () => {
      clock.now = T0;
      s = await factory(() => clock.now);
    });
    afterEach(() => s.cleanup());

    const worker = (o: Partial<LifecycleWorkerOptions> = {}): LifecycleWorker =>
      new LifecycleWorker({ kv: s.kv, clock: () => clock.now, registry: new Registry(), gcGraceMs: 1000, ...o });
    const bucket = async (versioning?: 'Enabled' | 'Suspended'): Promise<string> => {
      const b = `lc-${process.pid}-${seq++}-${Math.random().toString(36).slice(2, 8)}`;
      await s.api.createBucket({ name: b, region: 'us-east-1', owner }, ctx);
      if (versioning) await s.api.putBucketVersioning({ bucket: b, status: versioning }, ctx);
      return b;
    };
    const rules = (b: string, r: LifecycleRule[]): Promise<void> =>
      s.api.putBucketConfig({ bucket: b, kind: 'lifecycle', document: encodeLifecycleConfiguration({ rules: r }) }, ctx);
    const put = (b: string, key: string, size = 10, tags?: { key: string; value: string }[]) => {
      const bytes = Buffer.alloc(size, 'x');
      const headers: ObjectHeaders = { userMetadata: {}, ...(tags && { tags }) };
      const etag = createHash('md5').update(bytes).digest('hex');
      return s.api.putObject({ bucket: b, key, data: { kind: 'inline', bytes }, size, etag, headers }, ctx);
    };
    const keys = async (b: string): Promise<string[]> => (await s.api.listObjects({ bucket: b, maxKeys: 1000 }, ctx)).objects.map((o) => o.key);
    const versions = async (b: string) =>
      (await s.api.listObjectVersions({ bucket: b, maxKeys: 1000 }, ctx)).versions.map((v) => ({ key: v.key, id: v.versionId, marker: v.deleteMarker, latest: v.isLatest }));

    it('expires current objects at the midnight after creation + Days; other prefixes and disabled rules keep theirs', async () => {
      const b = await bucket();
      await rules(b, [
        { id: 'logs', status: 'Enabled', filter: { kind: 'prefix', prefix: 'logs/' }, expiration: { days: 3 } },
        { id: 'off', status: 'Disabled', filter: { kind: 'prefix', prefix: 'keep/' }, expiration: { days: 1 } },
      ]);
      await put(b, 'logs/a');
      await put(b, 'logs/b');
      await put(b, 'keep/c');
      const w = worker();
      clock.now = Date.UTC(2026, 0, 18, 23, 59, 59);
      expect((await w.runCycle(ctx)).expired).toBe(0);
      expect(await keys(b)).toEqual(['keep/c', 'logs/a', 'logs/b']);
      clock.now = Date.UTC(2026, 0, 19);
      expect((await w.runCycle(ctx)).expired).toBe(2);
      expect(await keys(b)).toEqual(['keep/c']);
      await expect(s.api.getObject({ bucket: b, key: 'logs/a' }, ctx)).rejects.toMatchObject({ code: 'NoSuchKey' });
      expect(await w.metrics.objectsExpired.get()).toMatchObject({ values: [{ value: 2 }] });
      clock.now += 100 * DAY;
      expect((await w.runCycle(ctx)).expired).toBe(0); // nothing twice, disabled stays disabled
      expect(await keys(b)).toEqual(['keep/c']);
    });

    it('Expiration Date applies from that midnight to every matching object, whatever its age', async () => {
      const b = await bucket();
      await rules(b, [{ id: 'd', status: 'Enabled', filter: { kind: 'all' }, expiration: { date: Date.UTC(2026, 0, 20) } }]);
      await put(b, 'x');
      clock.now = Date.UTC(2026, 0, 19, 23);
      const w = worker();
      await w.runCycle(ctx);
      expect(await keys(b)).toEqual(['x']);
      clock.now = Date.UTC(2026, 0, 20);
      await put(b, 'y'); // brand new, still past the date
      await w.runCycle(ctx);
      expect(await keys(b)).toEqual([]);
    });

    it('on a versioned bucket, Expiration adds a delete marker and keeps the data as a noncurrent version', async () => {
      const b = await bucket('Enabled');
      await rules(b, [{ id: 'e', status: 'Enabled', filter: { kind: 'all' }, expiration: { days: 1 } }]);
      const v = await put(b, 'k');
      clock.now = T0 + 2 * DAY;
      const w = worker();
      expect((await w.runCycle(ctx)).expired).toBe(1);
      const vs = await versions(b);
      expect(vs).toHaveLength(2);
      expect(vs[0]).toMatchObject({ key: 'k', marker: true, latest: true });
      expect(vs[1]).toMatchObject({ key: 'k', id: v.s3VersionId, marker: false, latest: false });
      clock.now += 10 * DAY;
      expect((await w.runCycle(ctx)).expired).toBe(0); // a marker is not expired again
      expect(await versions(b)).toHaveLength(2);
    });

    it('NoncurrentVersionExpiration counts from the successor\'s creation and keeps NewerNoncurrentVersions', async () => {
      const b = await bucket('Enabled');
      await rules(b, [
        { id: 'nc', status: 'Enabled', filter: { kind: 'prefix', prefix: 'k' }, noncurrentVersionExpiration: { noncurrentDays: 2, newerNoncurrentVersions: 1 } },
      ]);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push((await put(b, 'k')).s3VersionId as string);
        clock.now += DAY; // v0 noncurrent since T0+1d, v1 since +2d, v2 since +3d; v3 current
      }
      await put(b, 'other'); // not under the prefix: untouched
      await put(b, 'other');
      clock.now = Date.UTC(2026, 0, 20); // v0: since 01-16 10:30 → due 01-19; v1: due 01-20; v2: due 01-21
      const w = worker();
      // v2 is the newest noncurrent (kept by NewerNoncurrentVersions 1); v1 and v0 are due.
      expect((await w.runCycle(ctx)).noncurrentExpired).toBe(2);
      expect((await versions(b)).filter((v) => v.key === 'k').map((v) => v.id)).toEqual([ids[3], ids[2]]);
      clock.now += 30 * DAY;
      expect((await w.runCycle(ctx)).noncurrentExpired).toBe(0); // v2 stays: one newer noncurrent is kept
      expect((await versions(b)).filter((v) => v.key === 'other')).toHaveLength(2);
    });

    it('removes a delete marker once it is the only version left (ExpiredObjectDeleteMarker)', async () => {
      const b = await bucket('Enabled');
      await rules(b, [
        { id: 'nc', status: 'Enabled', filter: { kind: 'all' }, noncurrentVersionExpiration: { noncurrentDays: 1 } },
        { id: 'm', status: 'Enabled', filter: { kind: 'all' }, expiration: { expiredObjectDeleteMarker: true } },
      ]);
      await put(b, 'gone');
      await s.api.deleteObject({ bucket: b, key: 'gone' }, ctx); // marker over one noncurrent version
      await put(b, 'live');
      await s.api.deleteObject({ bucket: b, key: 'alone' }, ctx); // a marker with nothing under it
      const w = worker();
      const first = await w.runCycle(ctx);
      expect(first).toMatchObject({ markersRemoved: 1, noncurrentExpired: 0 }); // 'alone' at once
      clock.now += 3 * DAY;
      const second = await w.runCycle(ctx);
      expect(second.noncurrentExpired).toBe(1);
      await w.runCycle(ctx); // the marker of 'gone' is alone now
      expect(await versions(b)).toEqual([expect.objectContaining({ key: 'live', marker: false, latest: true })]);
      expect(await w.metrics.markersRemoved.get()).toMatchObject({ values: [{ value: 2 }] });
    });

    it('Tag and object size filters select by the version\'s tags and size', async () => {
      const b = await bucket();
      await rules(b, [
        { id: 't', status: 'Enabled', filter: { kind: 'and', prefix: 'tmp/', tags: [{ key: 'class', value: 'scratch' }] }, expiration: { days: 1 } },
        { id: 's', status: 'Enabled', filter: { kind: 'and', prefix: 'big/', tags: [], sizeGreaterThan: 100, sizeLessThan: 1000 }, expiration: { days: 1 } },
      ]);
      await put(b, 'tmp/scratch', 10, [{ key: 'class', value: 'scratch' }, { key: 'x', value: 'y' }]);
      await put(b, 'tmp/kept', 10, [{ key: 'class', value: 'gold' }]);
      await put(b, 'tmp/untagged');
      await put(b, 'big/large', 200);
      await put(b, 'big/small', 100);
      await put(b, 'big/huge', 1000);
      clock.now = T0 + 5 * DAY;
      expect((await worker().runCycle(ctx)).expired).toBe(2);
      expect(await keys(b)).toEqual(['big/huge', 'big/small', 'tmp/kept', 'tmp/untagged']);
    });

    it('aborts incomplete multipart uploads DaysAfterInitiation after they started, under the rule\'s prefix only', async () => {
      const b = await bucket();
      await rules(b, [{ id: 'mpu', status: 'Enabled', filter: { kind: 'prefix', prefix: 'up/' }, abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } }]);
      const stale = await s.api.createMultipartUpload({ bucket: b, key: 'up/x', headers: { userMetadata: {} }, owner }, ctx);
      await s.api.createMultipartUpload({ bucket: b, key: 'elsewhere/y', headers: { userMetadata: {} }, owner }, ctx);
      const uploads = async () => (await s.api.listMultipartUploads({ bucket: b, maxUploads: 100 }, ctx)).uploads.map((u) => u.key);
      clock.now = Date.UTC(2026, 0, 17, 23, 59);
      const w = worker(); // one worker: a second one would wait for the first one's lease to lapse
      expect((await w.runCycle(ctx)).uploadsAborted).toBe(0);
      clock.now = Date.UTC(2026, 0, 18);
      const fresh = await s.api.createMultipartUpload({ bucket: b, key: 'up/z', headers: { userMetadata: {} }, owner }, ctx);
      expect((await w.runCycle(ctx)).uploadsAborted).toBe(1);
      expect(await uploads()).toEqual(['elsewhere/y', 'up/z']);
      await expect(s.api.getMultipartUpload({ bucket: b, key: 'up/x', uploadId: stale.uploadId }, ctx)).rejects.toMatchObject({ code: 'NoSuchUpload' });
      expect(fresh.uploadId).toBeDefined();
    });

    it('does bounded work per pass and resumes where it stopped; one leader at a time', async () => {
      const b1 = await bucket();
      const b2 = await bucket();
      await bucket(); // no configuration: skipped
      for (const b of [b1, b2]) {
        await rules(b, [{ id: 'all', status: 'Enabled', filter: { kind: 'all' }, expiration: { days: 1 } }]);
        for (let i = 0; i < 12; i++) await put(b, `k${String(i).padStart(2, '0')}`);
      }
      clock.now = T0 + 2 * DAY;
      const w = worker({ batchSize: 4, maxRecordsPerPass: 7, holderId: 'one' });
      const other = worker({ holderId: 'two' });
      const first = await w.runOnce(ctx);
      expect(first).toMatchObject({ cycleComplete: false });
      expect(first.scanned).toBeLessThanOrEqual(7);
      expect(await other.runOnce(ctx)).toMatchObject({ scanned: 0, expired: 0 }); // 'one' holds the lease
      let passes = 1;
      let expired = first.expired;
      for (;;) {
        const r = await w.runOnce(ctx);
        passes++;
        expired += r.expired;
        expect(r.scanned).toBeLessThanOrEqual(7);
        if (r.cycleComplete) break;
        expect(passes).toBeLessThan(50);
      }
      expect(expired).toBe(24);
      expect(passes).toBeGreaterThan(3);
      expect(await keys(b1)).toEqual([]);
      expect(await keys(b2)).toEqual([]);
      await w.stop();
      expect(await other.runOnce(ctx)).toMatchObject({ cycleComplete: true }); // released: 'two' takes over
    });

    it('walks only the key ranges the rules can select', async () => {
      const b = await bucket();
      await rules(b, [
        { id: 'logs', status: 'Enabled', filter: { kind: 'prefix', prefix: 'logs/' }, expiration: { days: 1 } },
        { id: 'inner', status: 'Enabled', filter: { kind: 'prefix', prefix: 'logs/x' }, expiration: { days: 9 } },
        { id: 'tmp', status: 'Enabled', filter: { kind: 'and', prefix: 'tmp/', tags: [{ key: 'a', value: 'b' }] }, expiration: { days: 1 } },
      ]);
      for (let i = 0; i < 30; i++) await put(b, `data/${i}`);
      await put(b, 'logs/1');
      await put(b, 'logs/x2');
      await put(b, 'tmp/t', 10, [{ key: 'a', value: 'b' }]);
      await put(b, 'zzz');
      clock.now = T0 + 3 * DAY;
      const r = await worker().runCycle(ctx);
      expect(r.expired).toBe(3);
      expect(r.scanned).toBeLessThan(10); // 3 versions, the bucket, a read per empty range: not the 32 others
      expect((await keys(b)).length).toBe(31);
    });

    it('a deleted configuration or bucket stops enforcement', async () => {
      const b = await bucket();
      await rules(b, [{ id: 'all', status: 'Enabled', filter: { kind: 'all' }, expiration: { days: 1 } }]);
      await put(b, 'k');
      await s.api.putBucketConfig({ bucket: b, kind: 'lifecycle' }, ctx);
      clock.now = T0 + 5 * DAY;
      await worker().runCycle(ctx);
      expect(await keys(b)).toEqual(['k']);
    });
  });
}
