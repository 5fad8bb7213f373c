import { alice, bucketName, codeOf, ctx, headers, md5hex, newBucket, putInline, type ContractEnv } from './fixtures';

/** Bucket configurations (C records) and in-place version updates (tags, ACL). */
export function configContract(env: () => ContractEnv): void {
  describe('bucket configurations', () => {
    it('put, get, replace and remove one kind; other kinds are independent', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      expect((await api.getBucketConfig({ bucket, kinds: ['cors', 'tagging'] }, ctx)).documents).toEqual({});
      await api.putBucketConfig({ bucket, kind: 'cors', document: '{"rules":[1]}' }, ctx);
      await api.putBucketConfig({ bucket, kind: 'tagging', document: 'ünïcode ✓' }, ctx);
      const got = await api.getBucketConfig({ bucket, kinds: ['cors', 'tagging', 'policy'] }, ctx);
      expect(got.documents).toEqual({ cors: '{"rules":[1]}', tagging: 'ünïcode ✓' });
      expect(got.bucket).toMatchObject({ name: bucket, owner: alice });
      await api.putBucketConfig({ bucket, kind: 'cors', document: '{"rules":[2]}' }, ctx);
      await api.putBucketConfig({ bucket, kind: 'tagging' }, ctx);
      expect((await api.getBucketConfig({ bucket, kinds: ['cors', 'tagging'] }, ctx)).documents).toEqual({ cors: '{"rules":[2]}' });
      // Removing what is not there is not an error (S3's Delete* answer 204 either way).
      await api.putBucketConfig({ bucket, kind: 'lifecycle' }, ctx);
    });

    it('keeps every kind the gateway stores, the newest (website, logging) included', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketConfig({ bucket, kind: 'website', document: '{"v":1}' }, ctx);
      await api.putBucketConfig({ bucket, kind: 'logging', document: '{"v":1,"b":"logs","p":"a/"}' }, ctx);
      expect((await api.getBucketConfig({ bucket, kinds: ['website', 'logging'] }, ctx)).documents).toEqual({ website: '{"v":1}', logging: '{"v":1,"b":"logs","p":"a/"}' });
      await api.putBucketConfig({ bucket, kind: 'logging' }, ctx);
      expect((await api.getBucketConfig({ bucket, kinds: ['logging'] }, ctx)).documents).toEqual({});
    });

    it('NoSuchBucket, unknown kinds and oversized documents are refused', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      expect(await codeOf(api.putBucketConfig({ bucket: 'no-such-bucket-c', kind: 'cors', document: 'x' }, ctx))).toBe('NoSuchBucket');
      expect(await codeOf(api.getBucketConfig({ bucket: 'no-such-bucket-c', kinds: ['cors'] }, ctx))).toBe('NoSuchBucket');
      // @ts-expect-error: not a kind
      expect(await codeOf(api.putBucketConfig({ bucket, kind: 'replication', document: 'x' }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.putBucketConfig({ bucket, kind: 'policy', document: 'x'.repeat(256 * 1024 + 1) }, ctx))).toBe('InvalidArgument');
    });

    it('CreateBucket writes the configurations it is given with the bucket, or nothing at all', async () => {
      const { api } = env();
      const bucket = bucketName('cfg');
      const configs = [
        { kind: 'ownershipControls' as const, document: '{"v":1,"o":"ObjectWriter"}' },
        { kind: 'acl' as const, document: '{"v":1,"g":[]}' },
      ];
      await api.createBucket({ name: bucket, region: 'us-east-1', owner: alice, configs }, ctx);
      expect((await api.getBucketConfig({ bucket, kinds: ['ownershipControls', 'acl', 'cors'] }, ctx)).documents).toEqual({
        ownershipControls: '{"v":1,"o":"ObjectWriter"}',
        acl: '{"v":1,"g":[]}',
      });
      const refused = bucketName('cfg');
      // @ts-expect-error: not a kind
      expect(await codeOf(api.createBucket({ name: refused, region: 'us-east-1', owner: alice, configs: [{ kind: 'replication', document: 'x' }] }, ctx))).toBe('InvalidArgument');
      expect(await codeOf(api.getBucket({ name: refused }, ctx))).toBe('NoSuchBucket');
    });

    it('a configuration dies with its bucket: a re-created bucket starts with none', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketConfig({ bucket, kind: 'cors', document: 'old' }, ctx);
      await api.deleteBucket({ name: bucket }, ctx);
      await api.createBucket({ name: bucket, region: 'us-east-1', owner: alice }, ctx);
      expect((await api.getBucketConfig({ bucket, kinds: ['cors'] }, ctx)).documents).toEqual({});
    });
  });

  describe('updateObjectVersion (tags, ACL in place)', () => {
    const tags = [
      { key: 'b', value: '2' },
      { key: 'a', value: '' },
    ];

    it('tags and ACL ride with PutObject and are replaced in place, keeping data and version', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const bytes = Buffer.from('tagged');
      const v = await api.putObject(
        { bucket, key: 'k', data: { kind: 'inline', bytes }, size: bytes.length, etag: md5hex(bytes), headers: { ...headers, tags, acl: 'private' } },
        ctx,
      );
      const got = await api.getObject({ bucket, key: 'k' }, ctx);
      expect(got.headers).toEqual({ ...headers, tags, acl: 'private' });
      expect(await api.updateObjectVersion({ bucket, key: 'k', tags: [{ key: 'x', value: 'y' }] }, ctx)).toEqual({});
      const after = await api.getObject({ bucket, key: 'k' }, ctx);
      expect(after.headers).toEqual({ ...headers, tags: [{ key: 'x', value: 'y' }], acl: 'private' });
      expect(after.versionId).toBe(v.versionId);
      expect(after.etag).toBe(v.etag);
      expect(after.data).toEqual({ kind: 'inline', bytes });
      await api.updateObjectVersion({ bucket, key: 'k', acl: 'public-read' }, ctx);
      await api.updateObjectVersion({ bucket, key: 'k', tags: [] }, ctx);
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).headers).toEqual({ ...headers, acl: 'public-read' });
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects.map((o) => o.key)).toEqual(['k']);
    });

    it('on a versioned bucket: by version id (and null), never a new version; markers and missing keys fail as GET does', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putInline(api, bucket, 'k', 'zero');
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      expect(await api.updateObjectVersion({ bucket, key: 'k', versionId: 'null', tags }, ctx)).toEqual({ s3VersionId: 'null' });
      expect(await api.updateObjectVersion({ bucket, key: 'k', tags: [{ key: 'latest', value: '1' }] }, ctx)).toEqual({ s3VersionId: v1.versionId });
      expect((await api.getObject({ bucket, key: 'k', versionId: 'null' }, ctx)).headers.tags).toEqual(tags);
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).headers.tags).toEqual([{ key: 'latest', value: '1' }]);
      const all = await api.listObjectVersions({ bucket, maxKeys: 100 }, ctx);
      expect(all.versions.length).toBe(2);

      const marker = await api.deleteObject({ bucket, key: 'k' }, ctx);
      expect(await codeOf(api.updateObjectVersion({ bucket, key: 'k', tags }, ctx))).toBe('NoSuchKey');
      expect(await codeOf(api.updateObjectVersion({ bucket, key: 'k', versionId: marker.versionId, tags }, ctx))).toBe('MethodNotAllowed');
      expect(await codeOf(api.updateObjectVersion({ bucket, key: 'k', versionId: '0123456789abcdef0123456789abcdef', tags }, ctx))).toBe('NoSuchVersion');
      expect(await codeOf(api.updateObjectVersion({ bucket, key: 'nope', tags }, ctx))).toBe('NoSuchKey');
      expect(await codeOf(api.updateObjectVersion({ bucket: 'no-such-bucket-u', key: 'k', tags }, ctx))).toBe('NoSuchBucket');
    });
  });
}
