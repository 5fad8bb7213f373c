import { randomBytes } from 'node:crypto';
import type { AccessKeyRecord, MetadataApi } from '@massive/contracts';
import { alice, bucketName, codeOf, ctx, newBucket, type ContractEnv } from './fixtures';

function newKey(tag = 'k'): AccessKeyRecord {
  const id = `MK${randomBytes(9).toString('hex').toUpperCase()}`;
  return { accessKeyId: id, name: `${tag}-${id}`, createdAt: 0, canonicalId: randomBytes(32).toString('hex'), sealedSecret: `sealed:${id}` };
}

async function created(api: MetadataApi, tag?: string): Promise<AccessKeyRecord> {
  const k = newKey(tag);
  await api.createKey(k, ctx);
  return k;
}

/** Access keys (K family) and per-bucket grants. */
export function keyContract(env: () => ContractEnv): void {
  describe('access keys and grants', () => {
    it('creates a key, finds it by id, name and canonical id with its sealed secret, lists it without', async () => {
      const { api } = env();
      const k = newKey('app');
      const summary = await api.createKey(k, ctx);
      expect(summary).toEqual({ accessKeyId: k.accessKeyId, name: k.name, canonicalId: k.canonicalId, createdAt: expect.any(Number) });
      expect(summary.createdAt).toBeGreaterThan(0);
      for (const lookup of [{ accessKeyId: k.accessKeyId }, { name: k.name }, { canonicalId: k.canonicalId }]) {
        const got = await api.getKey(lookup, ctx);
        expect(got.key).toEqual({ ...summary, sealedSecret: k.sealedSecret });
        expect(got.grants).toEqual([]);
      }
      const listed = (await api.listKeys({}, ctx)).find((x) => x.accessKeyId === k.accessKeyId);
      expect(listed).toEqual(summary);
      expect(listed).not.toHaveProperty('sealedSecret');
      expect((await api.getKey({ accessKeyId: 'MKNOSUCHKEY' }, ctx)).key).toBeUndefined();
      expect((await api.getKey({ name: 'no-such-name' }, ctx)).key).toBeUndefined();
    });

    it('re-seals a key\'s secret only while its stored seal is the one expected (rotation: one gateway wins, the rest see it done)', async () => {
      const { api } = env();
      const k = await created(api, 'rot');
      await api.updateGrant({ accessKeyId: k.accessKeyId, bucket: await newBucket(api), allow: ['read'], deny: [] }, ctx);
      const before = await api.getKey({ accessKeyId: k.accessKeyId }, ctx);
      expect(await api.resealKey({ accessKeyId: k.accessKeyId, expected: k.sealedSecret, sealedSecret: 'sealed-again' }, ctx)).toEqual({ resealed: true });
      const after = await api.getKey({ name: k.name }, ctx);
      // Only the seal changed: id, name, canonical id, creation time and grants are as they were.
      expect(after).toEqual({ ...before, key: { ...before.key, sealedSecret: 'sealed-again' } });
      // A second gateway that read the old seal loses the race and leaves the winner's in place.
      expect(await api.resealKey({ accessKeyId: k.accessKeyId, expected: k.sealedSecret, sealedSecret: 'late' }, ctx)).toEqual({ resealed: false });
      expect((await api.getKey({ accessKeyId: k.accessKeyId }, ctx)).key?.sealedSecret).toBe('sealed-again');
      expect(await api.resealKey({ accessKeyId: 'MKNOSUCHKEY', expected: 'x', sealedSecret: 'y' }, ctx)).toEqual({ resealed: false });
      expect(await codeOf(api.resealKey({ accessKeyId: k.accessKeyId, expected: 'sealed-again', sealedSecret: '' }, ctx))).toBe('InvalidArgument');
    });

    it('refuses a taken id or name, and bad fields', async () => {
      const { api } = env();
      const k = await created(api);
      expect(await codeOf(api.createKey({ ...newKey(), accessKeyId: k.accessKeyId }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.createKey({ ...newKey(), name: k.name }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.createKey({ ...newKey(), name: '' }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.createKey({ ...newKey(), name: 'a\nb' }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.createKey({ ...newKey(), sealedSecret: '' }, ctx))).toBe('InvalidArgument');
    });

    it('allow adds and deny removes permissions; a grant left with none disappears', async () => {
      const { api } = env();
      const k = await created(api);
      const bucket = await newBucket(api);
      expect(await api.updateGrant({ accessKeyId: k.accessKeyId, bucket, allow: ['read'], deny: [] }, ctx)).toEqual({
        accessKeyId: k.accessKeyId,
        bucket,
        read: true,
        write: false,
        owner: false,
      });
      await api.updateGrant({ accessKeyId: k.accessKeyId, bucket, allow: ['write'], deny: [] }, ctx);
      expect((await api.getKey({ accessKeyId: k.accessKeyId }, ctx)).grants).toEqual([{ accessKeyId: k.accessKeyId, bucket, read: true, write: true, owner: false }]);
      expect(await api.listBucketGrants({ bucket }, ctx)).toEqual([{ accessKeyId: k.accessKeyId, bucket, read: true, write: true, owner: false }]);
      await api.updateGrant({ accessKeyId: k.accessKeyId, bucket, allow: [], deny: ['read'] }, ctx);
      expect((await api.getKey({ accessKeyId: k.accessKeyId }, ctx)).grants).toEqual([{ accessKeyId: k.accessKeyId, bucket, read: false, write: true, owner: false }]);
      await api.updateGrant({ accessKeyId: k.accessKeyId, bucket, allow: [], deny: ['read', 'write', 'owner'] }, ctx);
      expect((await api.getKey({ accessKeyId: k.accessKeyId }, ctx)).grants).toEqual([]);
      expect(await api.listBucketGrants({ bucket }, ctx)).toEqual([]);
    });

    it('grants name an existing key and bucket', async () => {
      const { api } = env();
      const k = await created(api);
      const bucket = await newBucket(api);
      expect(await codeOf(api.updateGrant({ accessKeyId: 'MKNOSUCHKEY', bucket, allow: ['read'], deny: [] }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.updateGrant({ accessKeyId: k.accessKeyId, bucket: bucketName('none'), allow: ['read'], deny: [] }, ctx))).toBe('NoSuchBucket');
      expect(await codeOf(api.listBucketGrants({ bucket: bucketName('none') }, ctx))).toBe('NoSuchBucket');
      // @ts-expect-error: not a permission
      expect(await codeOf(api.updateGrant({ accessKeyId: k.accessKeyId, bucket, allow: ['admin'], deny: [] }, ctx))).toBe('InvalidArgument');
    });

    it('a bucket created by a key is owned by it (read, write, owner) in the same transaction', async () => {
      const { api } = env();
      const k = await created(api);
      const bucket = bucketName();
      await api.createBucket({ name: bucket, region: 'us-east-1', owner: alice, ownerKey: k.accessKeyId }, ctx);
      expect((await api.getKey({ accessKeyId: k.accessKeyId }, ctx)).grants).toEqual([{ accessKeyId: k.accessKeyId, bucket, read: true, write: true, owner: true }]);
      // A creator key that does not exist creates nothing.
      const other = bucketName();
      expect(await codeOf(api.createBucket({ name: other, region: 'us-east-1', owner: alice, ownerKey: 'MKNOSUCHKEY' }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.getBucket({ name: other }, ctx))).toBe('NoSuchBucket');
    });

    it('grants die with their bucket: a re-created bucket starts with none', async () => {
      const { api } = env();
      const k = await created(api);
      const bucket = await newBucket(api);
      await api.updateGrant({ accessKeyId: k.accessKeyId, bucket, allow: ['read', 'write'], deny: [] }, ctx);
      await api.deleteBucket({ name: bucket }, ctx);
      expect((await api.getKey({ accessKeyId: k.accessKeyId }, ctx)).grants).toEqual([]);
      await api.createBucket({ name: bucket, region: 'us-east-1', owner: alice }, ctx);
      expect(await api.listBucketGrants({ bucket }, ctx)).toEqual([]);
    });

    it('deleting a key deletes its grants and frees its name; deleting again reports nothing deleted', async () => {
      const { api } = env();
      const k = await created(api);
      const other = await created(api);
      const bucket = await newBucket(api);
      await api.updateGrant({ accessKeyId: k.accessKeyId, bucket, allow: ['read'], deny: [] }, ctx);
      await api.updateGrant({ accessKeyId: other.accessKeyId, bucket, allow: ['owner'], deny: [] }, ctx);
      expect(await api.deleteKey({ accessKeyId: k.accessKeyId }, ctx)).toEqual({ deleted: true });
      expect(await api.deleteKey({ accessKeyId: k.accessKeyId }, ctx)).toEqual({ deleted: false });
      expect((await api.getKey({ accessKeyId: k.accessKeyId }, ctx)).key).toBeUndefined();
      expect((await api.getKey({ canonicalId: k.canonicalId }, ctx)).key).toBeUndefined();
      expect(await api.listBucketGrants({ bucket }, ctx)).toEqual([{ accessKeyId: other.accessKeyId, bucket, read: false, write: false, owner: true }]);
      expect((await api.listKeys({}, ctx)).some((x) => x.accessKeyId === k.accessKeyId)).toBe(false);
      await api.createKey({ ...newKey(), name: k.name }, ctx);
    });
  });
}
