import { codeOf, ctx, newBucket, putInline, type ContractEnv } from './fixtures';

/** S3 conditional delete (If-Match, x-amz-if-match-last-modified-time, x-amz-if-match-size; DeleteObjects' per-entry fields). */
export function conditionalDeleteContract(env: () => ContractEnv): void {
  describe('conditional delete', () => {
    it('deletes only when every given condition holds on the current object', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const v = await putInline(api, bucket, 'k', 'hello');
      const del = (conditions: object) => api.deleteObject({ bucket, key: 'k', conditions }, ctx);
      expect(await codeOf(del({ ifMatch: '"0123"' }))).toBe('PreconditionFailed');
      expect(await codeOf(del({ ifMatchSize: 6 }))).toBe('PreconditionFailed');
      expect(await codeOf(del({ ifMatchLastModifiedTime: v.lastModified - 2000 }))).toBe('PreconditionFailed');
      expect(await codeOf(del({ ifMatch: `"${v.etag}"`, ifMatchSize: 4 }))).toBe('PreconditionFailed');
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).etag).toBe(v.etag); // nothing was deleted

      // Second precision, as the HTTP date the client read it from.
      const sameSecond = Math.floor(v.lastModified / 1000) * 1000;
      expect(await del({ ifMatch: `"other", "${v.etag}"`, ifMatchSize: 5, ifMatchLastModifiedTime: sameSecond })).toEqual({ existed: true });
      expect(await codeOf(api.getObject({ bucket, key: 'k' }, ctx))).toBe('NoSuchKey');
    });

    it('If-Match on a key without a current object is NoSuchKey; size and time alone hold', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      expect(await codeOf(api.deleteObject({ bucket, key: 'none', conditions: { ifMatch: '*' } }, ctx))).toBe('NoSuchKey');
      expect(await codeOf(api.deleteObject({ bucket, key: 'none', conditions: { ifMatch: '"e"' } }, ctx))).toBe('NoSuchKey');
      expect(await api.deleteObject({ bucket, key: 'none', conditions: { ifMatchSize: 3 } }, ctx)).toEqual({ existed: false });
      await putInline(api, bucket, 'star');
      expect(await api.deleteObject({ bucket, key: 'star', conditions: { ifMatch: '*' } }, ctx)).toEqual({ existed: true });
    });

    it('on a versioned bucket: evaluated on the latest, a delete marker counts as no object', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      const v2 = await putInline(api, bucket, 'k', 'two');
      expect(await codeOf(api.deleteObject({ bucket, key: 'k', conditions: { ifMatch: v1.etag } }, ctx))).toBe('PreconditionFailed');
      const marker = await api.deleteObject({ bucket, key: 'k', conditions: { ifMatch: v2.etag } }, ctx);
      expect(marker).toMatchObject({ existed: true, deleteMarker: true });
      expect(await codeOf(api.deleteObject({ bucket, key: 'k', conditions: { ifMatch: '*' } }, ctx))).toBe('NoSuchKey');
      expect(await codeOf(api.deleteObject({ bucket, key: 'k', conditions: { ifMatch: v2.etag } }, ctx))).toBe('NoSuchKey');
      const versions = await api.listObjectVersions({ bucket, maxKeys: 10 }, ctx);
      expect(versions.versions).toHaveLength(3); // no second marker
    });

    it('DeleteObjects checks each entry on its own: a failed condition is that entry\'s error', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const a = await putInline(api, bucket, 'a', 'aaa');
      await putInline(api, bucket, 'b', 'bbb');
      const res = await api.deleteObjects(
        {
          bucket,
          objects: [
            { key: 'a', conditions: { ifMatch: `"${a.etag}"`, ifMatchSize: 3 } },
            { key: 'b', conditions: { ifMatch: '"nope"' } },
            { key: 'c', conditions: { ifMatch: '*' } },
            { key: 'd', conditions: { ifMatchSize: 1 } },
          ],
        },
        ctx,
      );
      expect(res.results.map((r) => [r.key, r.error?.code])).toEqual([
        ['a', undefined],
        ['b', 'PreconditionFailed'],
        ['c', 'NoSuchKey'],
        ['d', undefined],
      ]);
      expect(await codeOf(api.getObject({ bucket, key: 'a' }, ctx))).toBe('NoSuchKey');
      expect((await api.getObject({ bucket, key: 'b' }, ctx)).size).toBe(3);
    });
  });
}
