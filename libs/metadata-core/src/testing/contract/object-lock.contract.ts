import type { MetadataApi, ObjectLock } from '@massive/contracts';
import { alice, bucketName, codeOf, ctx, headers, md5hex, newBucket, type ContractEnv } from './fixtures';

const DAY = 24 * 3600 * 1000;

async function lockedBucket(api: MetadataApi): Promise<string> {
  const name = bucketName('lock');
  const b = await api.createBucket({ name, region: 'us-east-1', owner: alice, objectLock: true }, ctx);
  expect(b).toMatchObject({ versioning: 'Enabled', objectLock: true });
  return name;
}

async function putLocked(api: MetadataApi, bucket: string, key: string, lock?: ObjectLock): Promise<string> {
  const bytes = Buffer.from(`body of ${key}`);
  const v = await api.putObject(
    { bucket, key, data: { kind: 'inline', bytes }, size: bytes.length, etag: md5hex(bytes), headers: { ...headers, ...(lock && { lock }) } },
    ctx,
  );
  return v.versionId;
}

async function lockOf(api: MetadataApi, bucket: string, key: string, versionId: string): Promise<ObjectLock | undefined> {
  return (await api.getObject({ bucket, key, versionId, withoutData: true }, ctx)).headers.lock;
}

export function objectLockContract(env: () => ContractEnv): void {
  describe('object lock', () => {
    it('a bucket created with Object Lock is versioned for good; enabling it later needs versioning Enabled', async () => {
      const { api } = env();
      const bucket = await lockedBucket(api);
      expect(await api.getBucket({ name: bucket }, ctx)).toMatchObject({ versioning: 'Enabled', objectLock: true });
      expect(await codeOf(api.putBucketVersioning({ bucket, status: 'Suspended' }, ctx))).toBe('InvalidBucketState');
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx); // no change: fine
      expect(await codeOf(api.putBucketConfig({ bucket, kind: 'objectLock' }, ctx))).toBe('InvalidArgument');

      const plain = await newBucket(api);
      expect((await api.getBucket({ name: plain }, ctx)).objectLock).toBeUndefined();
      expect(await codeOf(api.putBucketConfig({ bucket: plain, kind: 'objectLock', document: '{"v":1}' }, ctx))).toBe('InvalidBucketState');
      await api.putBucketVersioning({ bucket: plain, status: 'Suspended' }, ctx);
      expect(await codeOf(api.putBucketConfig({ bucket: plain, kind: 'objectLock', document: '{"v":1}' }, ctx))).toBe('InvalidBucketState');
      await api.putBucketVersioning({ bucket: plain, status: 'Enabled' }, ctx);
      await api.putBucketConfig({ bucket: plain, kind: 'objectLock', document: '{"v":1}' }, ctx);
      const configs = await api.getBucketConfig({ bucket: plain, kinds: ['objectLock'] }, ctx);
      expect(configs.bucket.objectLock).toBe(true);
      expect(configs.documents.objectLock).toBe('{"v":1}');
      expect(await codeOf(api.putBucketVersioning({ bucket: plain, status: 'Suspended' }, ctx))).toBe('InvalidBucketState');
    });

    it('a version under retention or legal hold is not deleted by id; a plain DELETE still adds a marker', async () => {
      const { api } = env();
      const bucket = await lockedBucket(api);
      const future = Date.now() + DAY;
      const gov = await putLocked(api, bucket, 'gov', { mode: 'GOVERNANCE', retainUntil: future });
      const comp = await putLocked(api, bucket, 'comp', { mode: 'COMPLIANCE', retainUntil: future });
      const held = await putLocked(api, bucket, 'held', { legalHold: true });
      const expired = await putLocked(api, bucket, 'expired', { mode: 'COMPLIANCE', retainUntil: Date.now() - 1000 });
      expect(await lockOf(api, bucket, 'gov', gov)).toEqual({ mode: 'GOVERNANCE', retainUntil: future });

      for (const [key, id] of [['gov', gov], ['comp', comp], ['held', held]] as const) {
        expect(await codeOf(api.deleteObject({ bucket, key, versionId: id }, ctx))).toBe('ObjectLocked');
        const marker = await api.deleteObject({ bucket, key }, ctx);
        expect(marker.deleteMarker).toBe(true);
        expect(await codeOf(api.getObject({ bucket, key }, ctx))).toBe('NoSuchKey');
        expect((await api.getObject({ bucket, key, versionId: id, withoutData: true }, ctx)).versionId).toBe(id);
      }
      // Bypassing lifts GOVERNANCE only.
      expect(await codeOf(api.deleteObject({ bucket, key: 'comp', versionId: comp, bypassGovernance: true }, ctx))).toBe('ObjectLocked');
      expect(await codeOf(api.deleteObject({ bucket, key: 'held', versionId: held, bypassGovernance: true }, ctx))).toBe('ObjectLocked');
      expect(await api.deleteObject({ bucket, key: 'gov', versionId: gov, bypassGovernance: true }, ctx)).toMatchObject({ existed: true });
      // A retention that has passed protects nothing.
      expect(await api.deleteObject({ bucket, key: 'expired', versionId: expired }, ctx)).toMatchObject({ existed: true });

      const res = await api.deleteObjects(
        { bucket, objects: [{ key: 'comp', versionId: comp }, { key: 'held' }, { key: 'held', versionId: held, bypassGovernance: true }] },
        ctx,
      );
      expect(res.results.map((r) => r.error?.code)).toEqual(['ObjectLocked', undefined, 'ObjectLocked']);
      expect(res.results[0].error?.message).toBe('Access Denied because object protected by object lock.');
    });

    it('retention may be extended, never shortened or weakened, unless GOVERNANCE is bypassed', async () => {
      const { api } = env();
      const bucket = await lockedBucket(api);
      const t = Date.now() + DAY;
      const id = await putLocked(api, bucket, 'k', { mode: 'GOVERNANCE', retainUntil: t });
      const update = (retention: { mode?: 'GOVERNANCE' | 'COMPLIANCE'; retainUntil?: number }, bypassGovernance?: boolean) =>
        api.updateObjectVersion({ bucket, key: 'k', versionId: id, retention, ...(bypassGovernance && { bypassGovernance }) }, ctx);

      expect(await codeOf(update({ mode: 'GOVERNANCE', retainUntil: t - 1000 }))).toBe('ObjectLocked');
      expect(await codeOf(update({}))).toBe('ObjectLocked');
      expect(await codeOf(update({ mode: 'COMPLIANCE', retainUntil: t + DAY }))).toBe('ObjectLocked');
      await update({ mode: 'GOVERNANCE', retainUntil: t + DAY });
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ mode: 'GOVERNANCE', retainUntil: t + DAY });
      await update({ mode: 'GOVERNANCE', retainUntil: t }, true);
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ mode: 'GOVERNANCE', retainUntil: t });
      await update({}, true);
      expect(await lockOf(api, bucket, 'k', id)).toBeUndefined();
      await update({ mode: 'COMPLIANCE', retainUntil: t });
      expect(await codeOf(update({ mode: 'COMPLIANCE', retainUntil: t - 1000 }, true))).toBe('ObjectLocked');
      expect(await codeOf(update({ mode: 'GOVERNANCE', retainUntil: t + DAY }, true))).toBe('ObjectLocked');
      expect(await codeOf(update({}, true))).toBe('ObjectLocked');
      await update({ mode: 'COMPLIANCE', retainUntil: t + 2 * DAY });
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ mode: 'COMPLIANCE', retainUntil: t + 2 * DAY });
      // Tags and ACL changes keep the lock.
      await api.updateObjectVersion({ bucket, key: 'k', versionId: id, tags: [{ key: 'a', value: 'b' }] }, ctx);
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ mode: 'COMPLIANCE', retainUntil: t + 2 * DAY });
    });

    it('a legal hold comes and goes on its own, beside the retention', async () => {
      const { api } = env();
      const bucket = await lockedBucket(api);
      const t = Date.now() - 1000; // a retention already passed
      const id = await putLocked(api, bucket, 'k', { mode: 'GOVERNANCE', retainUntil: t });
      await api.updateObjectVersion({ bucket, key: 'k', versionId: id, legalHold: true }, ctx);
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ mode: 'GOVERNANCE', retainUntil: t, legalHold: true });
      expect(await codeOf(api.deleteObject({ bucket, key: 'k', versionId: id, bypassGovernance: true }, ctx))).toBe('ObjectLocked');
      // The latest version is the one changed when no id is given.
      await api.updateObjectVersion({ bucket, key: 'k', legalHold: false }, ctx);
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ mode: 'GOVERNANCE', retainUntil: t, legalHold: false });
      await api.deleteObject({ bucket, key: 'k', versionId: id }, ctx);
      expect(await codeOf(api.getObject({ bucket, key: 'k', versionId: id }, ctx))).toBe('NoSuchVersion');
    });

    it('a legal hold set OFF stays OFF (S3 answers it), and alone protects nothing', async () => {
      const { api } = env();
      const bucket = await lockedBucket(api);
      const id = await putLocked(api, bucket, 'k', { legalHold: false });
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ legalHold: false });
      await api.updateObjectVersion({ bucket, key: 'k', versionId: id, retention: { mode: 'GOVERNANCE', retainUntil: Date.now() + DAY } }, ctx);
      await api.updateObjectVersion({ bucket, key: 'k', versionId: id, retention: {}, bypassGovernance: true }, ctx);
      expect(await lockOf(api, bucket, 'k', id)).toEqual({ legalHold: false });
      expect(await api.deleteObject({ bucket, key: 'k', versionId: id }, ctx)).toMatchObject({ existed: true });
    });

    it('retention and legal hold need a bucket with Object Lock', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putLocked(api, bucket, 'k');
      expect(await codeOf(api.updateObjectVersion({ bucket, key: 'k', legalHold: true }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.updateObjectVersion({ bucket, key: 'k', retention: { mode: 'GOVERNANCE', retainUntil: Date.now() + DAY } }, ctx))).toBe('InvalidArgument');
    });
  });
}
