import { alice, bob, codeOf, ctx, bucketName, newBucket, putInline, type ContractEnv } from './fixtures';

export function bucketContract(env: () => ContractEnv): void {
  describe('buckets', () => {
    it('creates, gets and lists buckets', async () => {
      const { api } = env();
      const name = bucketName();
      const b = await api.createBucket({ name, region: 'eu-west-1', owner: alice }, ctx);
      expect(b).toMatchObject({ name, region: 'eu-west-1', owner: alice });
      expect(typeof b.id).toBe('string');
      expect(await api.getBucket({ name }, ctx)).toEqual(b);
      const other = await newBucket(api, bob);
      const mine = await api.listBuckets({ owner: alice.id }, ctx);
      expect(mine.map((x) => x.name)).toContain(name);
      expect(mine.map((x) => x.name)).not.toContain(other);
      const all = (await api.listBuckets({}, ctx)).map((x) => x.name);
      expect(all).toEqual(expect.arrayContaining([name, other]));
      expect([...all].sort()).toEqual(all);
    });

    it('rejects an existing name: BucketAlreadyOwnedByYou for the owner, else BucketAlreadyExists', async () => {
      const { api } = env();
      const name = await newBucket(api, alice);
      expect(await codeOf(api.createBucket({ name, region: 'us-east-1', owner: alice }, ctx))).toBe('BucketAlreadyOwnedByYou');
      expect(await codeOf(api.createBucket({ name, region: 'us-east-1', owner: bob }, ctx))).toBe('BucketAlreadyExists');
    });

    it('answers NoSuchBucket for a missing bucket', async () => {
      const { api } = env();
      const name = bucketName('missing');
      expect(await codeOf(api.getBucket({ name }, ctx))).toBe('NoSuchBucket');
      expect(await codeOf(api.deleteBucket({ name }, ctx))).toBe('NoSuchBucket');
      expect(await codeOf(putInline(api, name, 'k'))).toBe('NoSuchBucket');
      expect(await codeOf(api.getObject({ bucket: name, key: 'k' }, ctx))).toBe('NoSuchBucket');
      expect(await codeOf(api.listObjects({ bucket: name, maxKeys: 10 }, ctx))).toBe('NoSuchBucket');
      expect(await codeOf(api.deleteObject({ bucket: name, key: 'k' }, ctx))).toBe('NoSuchBucket');
    });

    it('refuses to delete a bucket holding an object or an upload (BucketNotEmpty)', async () => {
      const { api } = env();
      const name = await newBucket(api);
      await putInline(api, name, 'k');
      expect(await codeOf(api.deleteBucket({ name }, ctx))).toBe('BucketNotEmpty');
      await api.deleteObject({ bucket: name, key: 'k' }, ctx);
      const up = await api.createMultipartUpload({ bucket: name, key: 'm', headers: { userMetadata: {} }, owner: alice }, ctx);
      expect(await codeOf(api.deleteBucket({ name }, ctx))).toBe('BucketNotEmpty');
      await api.abortMultipartUpload({ bucket: name, key: 'm', uploadId: up.uploadId }, ctx);
      await api.deleteBucket({ name }, ctx);
      expect(await codeOf(api.getBucket({ name }, ctx))).toBe('NoSuchBucket');
    });

    it('gives a re-created bucket a new id and none of the old objects', async () => {
      const { api } = env();
      const name = await newBucket(api);
      const first = await api.getBucket({ name }, ctx);
      await api.deleteBucket({ name }, ctx);
      const second = await api.createBucket({ name, region: 'us-east-1', owner: bob }, ctx);
      expect(second.id).not.toBe(first.id);
      expect((await api.listObjects({ bucket: name, maxKeys: 10 }, ctx)).objects).toEqual([]);
    });
  });
}
