import { codeOf, ctx, md5hex, newBucket, putChunks, putInline, type ContractEnv } from './fixtures';

/** A well-formed version id that no version has. */
const UNKNOWN_ID = '0'.repeat(32);

export function versionContract(env: () => ContractEnv): void {
  describe('version ids on an unversioned bucket', () => {
    it('DELETE ?versionId=null deletes the key (its null version)', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putChunks(api, bucket, 'k');
      expect(await api.deleteObject({ bucket, key: 'k', versionId: 'null' }, ctx)).toEqual({ existed: true });
      expect(await codeOf(api.getObject({ bucket, key: 'k' }, ctx))).toBe('NoSuchKey');
    });

    it('DELETE with the current version id deletes it', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const v = await putInline(api, bucket, 'k');
      expect(await api.deleteObject({ bucket, key: 'k', versionId: v.versionId }, ctx)).toEqual({ existed: true });
      expect(await codeOf(api.getObject({ bucket, key: 'k' }, ctx))).toBe('NoSuchKey');
    });

    it('DELETE with a well-formed id of no version deletes nothing', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const v1 = await putInline(api, bucket, 'k', 'one');
      await putInline(api, bucket, 'k', 'two'); // v1 is gone: its id names no version now
      expect(await api.deleteObject({ bucket, key: 'k', versionId: UNKNOWN_ID }, ctx)).toEqual({ existed: false });
      expect(await api.deleteObject({ bucket, key: 'k', versionId: v1.versionId }, ctx)).toEqual({ existed: false });
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).etag).toBe(md5hex('two'));
      expect(await api.deleteObject({ bucket, key: 'absent', versionId: UNKNOWN_ID }, ctx)).toEqual({ existed: false });
    });

    it('DELETE with a malformed id is InvalidArgument and deletes nothing', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putInline(api, bucket, 'k', 'one');
      for (const bad of ['bogus', '', 'NULL', 'A'.repeat(32), '0'.repeat(31)]) {
        expect(await codeOf(api.deleteObject({ bucket, key: 'k', versionId: bad }, ctx))).toBe('InvalidArgument');
      }
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).etag).toBe(md5hex('one'));
    });

    it('DeleteObjects honours each entry\'s version id and echoes it', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const a = await putInline(api, bucket, 'a');
      await putInline(api, bucket, 'b');
      await putInline(api, bucket, 'c');
      await putInline(api, bucket, 'd');
      const res = await api.deleteObjects(
        {
          bucket,
          objects: [
            { key: 'a', versionId: a.versionId },
            { key: 'b', versionId: 'null' },
            { key: 'c', versionId: UNKNOWN_ID },
            { key: 'd', versionId: 'not-an-id' },
          ],
        },
        ctx,
      );
      expect(res.results).toEqual([
        { key: 'a', versionId: a.versionId },
        { key: 'b', versionId: 'null' },
        { key: 'c', versionId: UNKNOWN_ID },
        { key: 'd', versionId: 'not-an-id', error: { code: 'InvalidArgument', message: expect.any(String) } },
      ]);
      const left = (await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects.map((o) => o.key);
      expect(left).toEqual(['c', 'd']);
    });
  });
}
