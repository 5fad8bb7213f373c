import { alice, codeOf, ctx, headers, manifest, md5hex, newBucket, putChunks, putInline, type ContractEnv } from './fixtures';
import { allVersions, brief, errorOf, text } from './versioning-helpers';

export function versioningContract(env: () => ContractEnv): void {
  describe('versioning', () => {
    it('a bucket starts with no versioning state; Enabled and Suspended stick', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      expect((await api.getBucket({ name: bucket }, ctx)).versioning).toBeUndefined();
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      expect((await api.getBucket({ name: bucket }, ctx)).versioning).toBe('Enabled');
      await api.putBucketVersioning({ bucket, status: 'Suspended' }, ctx);
      expect((await api.getBucket({ name: bucket }, ctx)).versioning).toBe('Suspended');
      expect(await codeOf(api.putBucketVersioning({ bucket: 'no-such-bucket-v', status: 'Enabled' }, ctx))).toBe('NoSuchBucket');
    });

    it('enabling keeps existing objects as null versions; every versioned PUT stays', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const v0 = await putInline(api, bucket, 'k', 'zero');
      expect(v0.s3VersionId).toBeUndefined();
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      const v2 = await putInline(api, bucket, 'k', 'two');
      expect(v1.s3VersionId).toBe(v1.versionId);
      expect(v2.s3VersionId).toBe(v2.versionId);
      expect(v2.bucketVersioning).toBe('Enabled');
      expect(await text(api, bucket, 'k')).toBe('two');
      expect(await text(api, bucket, 'k', v1.versionId)).toBe('one');
      expect(await text(api, bucket, 'k', 'null')).toBe('zero');
      expect((await api.getObject({ bucket, key: 'k', versionId: 'null' }, ctx)).s3VersionId).toBe('null');
      expect(brief(await allVersions(api, bucket))).toEqual([`k@${v2.versionId} latest`, `k@${v1.versionId}`, 'k@null']);
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects.map((o) => o.etag)).toEqual([md5hex('two')]);
    });

    it('deleting the latest version promotes the previous one; deleting an older one changes nothing else', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      const v2 = await putInline(api, bucket, 'k', 'two');
      const v3 = await putInline(api, bucket, 'k', 'three');
      expect(await api.deleteObject({ bucket, key: 'k', versionId: v3.versionId }, ctx)).toEqual({ existed: true, versionId: v3.versionId });
      expect(await text(api, bucket, 'k')).toBe('two');
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects.map((o) => o.etag)).toEqual([md5hex('two')]);
      expect(await codeOf(api.getObject({ bucket, key: 'k', versionId: v3.versionId }, ctx))).toBe('NoSuchVersion');
      await api.deleteObject({ bucket, key: 'k', versionId: v1.versionId }, ctx);
      expect(await text(api, bucket, 'k')).toBe('two');
      expect(brief(await allVersions(api, bucket))).toEqual([`k@${v2.versionId} latest`]);
      await api.deleteObject({ bucket, key: 'k', versionId: v2.versionId }, ctx);
      expect(await codeOf(api.getObject({ bucket, key: 'k' }, ctx))).toBe('NoSuchKey');
      expect(await allVersions(api, bucket)).toEqual([]);
      // A well-formed id of no version (and `null` when there is no null version) deletes nothing.
      expect(await api.deleteObject({ bucket, key: 'k', versionId: v2.versionId }, ctx)).toEqual({ existed: false, versionId: v2.versionId });
      expect(await api.deleteObject({ bucket, key: 'k', versionId: 'null' }, ctx)).toEqual({ existed: false, versionId: 'null' });
    });

    it('a plain DELETE adds a marker: the key is gone for GET and listings, its versions stay', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putChunks(api, bucket, 'k');
      const del = await api.deleteObject({ bucket, key: 'k' }, ctx);
      expect(del).toEqual({ existed: true, versionId: expect.stringMatching(/^[0-9a-f]{32}$/), deleteMarker: true });
      const marker = del.versionId ?? '';
      const miss = await errorOf(api.getObject({ bucket, key: 'k' }, ctx));
      expect(miss.code).toBe('NoSuchKey');
      expect(miss.detail).toMatchObject({ deleteMarker: 'true', versionId: marker });
      const byId = await errorOf(api.getObject({ bucket, key: 'k', versionId: marker }, ctx));
      expect(byId.code).toBe('MethodNotAllowed');
      expect(byId.detail).toMatchObject({ deleteMarker: 'true', versionId: marker });
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects).toEqual([]);
      expect((await api.getObject({ bucket, key: 'k', versionId: v1.versionId }, ctx)).etag).toBe(v1.etag);
      const listed = await allVersions(api, bucket);
      expect(brief(listed)).toEqual([`k@${marker} latest marker`, `k@${v1.versionId}`]);
      expect(listed[0]).toMatchObject({ size: 0, etag: '', deleteMarker: true });
      // Removing the marker by id brings the object back.
      expect(await api.deleteObject({ bucket, key: 'k', versionId: marker }, ctx)).toEqual({ existed: true, versionId: marker, deleteMarker: true });
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).etag).toBe(v1.etag);
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects.map((o) => o.key)).toEqual(['k']);
    });

    it('markers on markers: each DELETE adds one; the object returns only when all newer markers go', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      await putInline(api, bucket, 'k', 'one');
      const m1 = (await api.deleteObject({ bucket, key: 'k' }, ctx)).versionId ?? '';
      const m2 = (await api.deleteObject({ bucket, key: 'k' }, ctx)).versionId ?? '';
      expect(m2 > m1).toBe(true);
      expect((await allVersions(api, bucket)).map((v) => v.deleteMarker)).toEqual([true, true, false]);
      await api.deleteObject({ bucket, key: 'k', versionId: m2 }, ctx);
      expect((await errorOf(api.getObject({ bucket, key: 'k' }, ctx))).detail).toMatchObject({ deleteMarker: 'true', versionId: m1 });
      await api.deleteObject({ bucket, key: 'k', versionId: m1 }, ctx);
      expect(await text(api, bucket, 'k')).toBe('one');
      // A marker on a key that never existed is still a marker.
      const ghost = await api.deleteObject({ bucket, key: 'ghost' }, ctx);
      expect(ghost.deleteMarker).toBe(true);
      expect(brief(await allVersions(api, bucket, 1000, { prefix: 'ghost' }))).toEqual([`ghost@${ghost.versionId} latest marker`]);
    });

    it('suspended: writes replace the null version in place; versioned ones stay', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      await api.putBucketVersioning({ bucket, status: 'Suspended' }, ctx);
      const n1 = await putInline(api, bucket, 'k', 'null-1');
      expect(n1.s3VersionId).toBe('null');
      expect(n1.bucketVersioning).toBe('Suspended');
      await putInline(api, bucket, 'k', 'null-2');
      expect(brief(await allVersions(api, bucket))).toEqual(['k@null latest', `k@${v1.versionId}`]);
      expect(await text(api, bucket, 'k', 'null')).toBe('null-2');
      // A plain DELETE while suspended: the marker becomes the null version, replacing it.
      const del = await api.deleteObject({ bucket, key: 'k' }, ctx);
      expect(del).toEqual({ existed: true, versionId: 'null', deleteMarker: true });
      expect(brief(await allVersions(api, bucket))).toEqual(['k@null latest marker', `k@${v1.versionId}`]);
      expect((await errorOf(api.getObject({ bucket, key: 'k', versionId: 'null' }, ctx))).code).toBe('MethodNotAllowed');
      // Deleting the null marker promotes v1.
      await api.deleteObject({ bucket, key: 'k', versionId: 'null' }, ctx);
      expect(await text(api, bucket, 'k')).toBe('one');
      expect(brief(await allVersions(api, bucket))).toEqual([`k@${v1.versionId} latest`]);
    });

    it('overwriting the null version after enable, suspend and enable again', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putInline(api, bucket, 'k', 'a'); // null, written before versioning
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const b = await putInline(api, bucket, 'k', 'b');
      await api.putBucketVersioning({ bucket, status: 'Suspended' }, ctx);
      await putInline(api, bucket, 'k', 'c'); // replaces null 'a', now the latest
      expect(brief(await allVersions(api, bucket))).toEqual(['k@null latest', `k@${b.versionId}`]);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const d = await putInline(api, bucket, 'k', 'd');
      expect(brief(await allVersions(api, bucket))).toEqual([`k@${d.versionId} latest`, 'k@null', `k@${b.versionId}`]);
      expect(await text(api, bucket, 'k', 'null')).toBe('c');
      expect(await api.deleteObject({ bucket, key: 'k', versionId: 'null' }, ctx)).toEqual({ existed: true, versionId: 'null' });
      expect(brief(await allVersions(api, bucket))).toEqual([`k@${d.versionId} latest`, `k@${b.versionId}`]);
      expect(await codeOf(api.getObject({ bucket, key: 'k', versionId: 'null' }, ctx))).toBe('NoSuchVersion');
      await api.deleteObject({ bucket, key: 'k', versionId: d.versionId }, ctx);
      expect(await text(api, bucket, 'k')).toBe('b');
    });

    it('deleting the latest null version promotes a versioned one, and back', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      await api.putBucketVersioning({ bucket, status: 'Suspended' }, ctx);
      await putInline(api, bucket, 'k', 'null');
      await api.deleteObject({ bucket, key: 'k', versionId: 'null' }, ctx);
      expect(await text(api, bucket, 'k')).toBe('one');
      const n = await putInline(api, bucket, 'k', 'null again');
      expect(n.s3VersionId).toBe('null');
      expect(await text(api, bucket, 'k')).toBe('null again');
      await api.deleteObject({ bucket, key: 'k', versionId: v1.versionId }, ctx);
      expect(brief(await allVersions(api, bucket))).toEqual(['k@null latest']);
    });

    it('concurrent PUTs to one key all get distinct versions, all listed newest first', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const puts = await Promise.all(Array.from({ length: 24 }, (_, i) => putInline(api, bucket, 'hot', `body ${i}`)));
      const ids = puts.map((p) => p.versionId);
      expect(new Set(ids).size).toBe(24);
      const listed = await allVersions(api, bucket);
      expect(listed.map((v) => v.versionId)).toEqual([...ids].sort().reverse());
      expect(listed.filter((v) => v.isLatest)).toHaveLength(1);
      expect((await api.getObject({ bucket, key: 'hot' }, ctx)).versionId).toBe(listed[0].versionId);
    });

    it('DeleteBucket refuses while any version or marker is left', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v = await putInline(api, bucket, 'k');
      const marker = (await api.deleteObject({ bucket, key: 'k' }, ctx)).versionId ?? '';
      expect((await api.listObjects({ bucket, maxKeys: 10 }, ctx)).objects).toEqual([]);
      expect(await codeOf(api.deleteBucket({ name: bucket }, ctx))).toBe('BucketNotEmpty');
      await api.deleteObject({ bucket, key: 'k', versionId: v.versionId }, ctx);
      expect(await codeOf(api.deleteBucket({ name: bucket }, ctx))).toBe('BucketNotEmpty'); // the marker
      await api.deleteObject({ bucket, key: 'k', versionId: marker }, ctx);
      await api.deleteBucket({ name: bucket }, ctx);
    });

    it('DeleteObjects on a versioned bucket reports markers and versions', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const a = await putInline(api, bucket, 'a');
      await putInline(api, bucket, 'b');
      const res = await api.deleteObjects({ bucket, objects: [{ key: 'a', versionId: a.versionId }, { key: 'b' }] }, ctx);
      expect(res.results).toEqual([
        { key: 'a', versionId: a.versionId },
        { key: 'b', deleteMarker: true, deleteMarkerVersionId: expect.stringMatching(/^[0-9a-f]{32}$/) },
      ]);
    });

    it('a copy onto itself reuses data only when it replaces that version', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const base = await putChunks(api, bucket, 'k');
      const copy = (versionId: string) =>
        api.putObject({ bucket, key: 'k', data: { kind: 'current', versionId }, size: base.size, etag: base.etag, headers: base.headers }, ctx);
      const c1 = await copy(base.versionId); // unversioned: replaces the null version
      expect(c1.data).toEqual(base.data);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      // Enabled: the source version stays, so sharing its chunks would be two owners of one chunk.
      expect(await codeOf(copy(c1.versionId))).toBe('PreconditionFailed');
      await api.putBucketVersioning({ bucket, status: 'Suspended' }, ctx);
      const c2 = await copy(c1.versionId); // suspended, source is the null version: replaced in place
      expect(c2.data).toEqual(base.data);
      expect(brief(await allVersions(api, bucket))).toEqual(['k@null latest']);
    });

    it('lists with prefix, delimiter, key and version id markers', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putInline(api, bucket, 'd/x'); // null versions
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const a1 = await putInline(api, bucket, 'a');
      const a2 = await putInline(api, bucket, 'a');
      await putInline(api, bucket, 'd/y');
      await putInline(api, bucket, 'd/y');
      const m = (await api.deleteObject({ bucket, key: 'e' }, ctx)).versionId ?? '';
      const top = await api.listObjectVersions({ bucket, delimiter: '/', maxKeys: 1000 }, ctx);
      expect(brief(top.versions)).toEqual([`a@${a2.versionId} latest`, `a@${a1.versionId}`, `e@${m} latest marker`]);
      expect(top.commonPrefixes).toEqual(['d/']);
      const p1 = await api.listObjectVersions({ bucket, delimiter: '/', maxKeys: 1 }, ctx);
      expect(p1).toMatchObject({ isTruncated: true, nextKeyMarker: 'a', nextVersionIdMarker: a2.versionId });
      const p2 = await api.listObjectVersions({ bucket, delimiter: '/', maxKeys: 2, keyMarker: 'a', versionIdMarker: a2.versionId }, ctx);
      expect(brief(p2.versions)).toEqual([`a@${a1.versionId}`]); // not latest: the page resumed inside the key
      expect(p2.commonPrefixes).toEqual(['d/']);
      expect(p2).toMatchObject({ isTruncated: true, nextKeyMarker: 'd/' });
      expect(p2.nextVersionIdMarker).toBeUndefined();
      const p3 = await api.listObjectVersions({ bucket, delimiter: '/', maxKeys: 2, keyMarker: 'd/' }, ctx);
      expect(brief(p3.versions)).toEqual([`e@${m} latest marker`]);
      expect(p3.isTruncated).toBe(false);
      const under = await allVersions(api, bucket, 1, { prefix: 'd/' });
      expect(under.map((v) => `${v.key}${v.isLatest ? '*' : ''}`)).toEqual(['d/x*', 'd/y*', 'd/y']);
      expect(under[0].versionId).toBe('null');
      // Resuming after the null version by its id `null`.
      const afterNull = await api.listObjectVersions({ bucket, prefix: 'd/', keyMarker: 'd/x', versionIdMarker: 'null', maxKeys: 10 }, ctx);
      expect(afterNull.versions.map((v) => v.key)).toEqual(['d/y', 'd/y']);
      expect(await codeOf(api.listObjectVersions({ bucket, keyMarker: 'a', versionIdMarker: 'bad', maxKeys: 10 }, ctx))).toBe('InvalidArgument');
    });

    it('conditional writes see the latest version: a marker is no object', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      const cond = (conditions: { ifMatch?: string; ifNoneMatch?: string }) =>
        api.putObject({ bucket, key: 'k', data: { kind: 'inline', bytes: Buffer.from('x') }, size: 1, etag: md5hex('x'), headers, conditions }, ctx);
      expect(await codeOf(cond({ ifNoneMatch: '*' }))).toBe('PreconditionFailed');
      const v2 = await cond({ ifMatch: `"${v1.etag}"` });
      await api.deleteObject({ bucket, key: 'k' }, ctx); // the latest is now a marker
      expect(await codeOf(cond({ ifMatch: `"${v2.etag}"` }))).toBe('NoSuchKey');
      const v3 = await cond({ ifNoneMatch: '*' });
      expect(brief(await allVersions(api, bucket)).map((b) => b.replace(/@[0-9a-f]{32}/, '@id'))).toEqual(['k@id latest', 'k@id marker', 'k@id', 'k@id']);
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).versionId).toBe(v3.versionId);
    });

    it('a completed multipart upload is one more version; removing it by id leaves the others', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      const v1 = await putInline(api, bucket, 'k', 'one');
      const up = await api.createMultipartUpload({ bucket, key: 'k', headers, owner: alice }, ctx);
      const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
      const p1 = await api.uploadPart({ bucket, key: 'k', uploadId: up.uploadId, partNumber: 1, manifest: manifest(10), intentId, etag: md5hex('p1') }, ctx);
      const mp = await api.completeMultipartUpload({ bucket, key: 'k', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: p1.etag }] }, ctx);
      expect(mp.s3VersionId).toBe(mp.versionId);
      expect(mp.data).toEqual({ kind: 'parts', uploadId: up.uploadId });
      expect(brief(await allVersions(api, bucket))).toEqual([`k@${mp.versionId} latest`, `k@${v1.versionId}`]);
      expect(await text(api, bucket, 'k', v1.versionId)).toBe('one');
      await api.deleteObject({ bucket, key: 'k', versionId: mp.versionId }, ctx);
      expect(await text(api, bucket, 'k')).toBe('one');
    });

    it('pages through a key with 1,000+ versions', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await api.putBucketVersioning({ bucket, status: 'Enabled' }, ctx);
      await putInline(api, bucket, 'a');
      for (let i = 0; i < 1005; i++) await putInline(api, bucket, 'many', String(i));
      await putInline(api, bucket, 'z');
      const listed = await allVersions(api, bucket, 250);
      expect(listed).toHaveLength(1007);
      expect(listed.map((v) => v.key)).toEqual(['a', ...Array<string>(1005).fill('many'), 'z']);
      const many = listed.filter((v) => v.key === 'many');
      expect(new Set(many.map((v) => v.versionId)).size).toBe(1005);
      expect(many.map((v) => v.versionId)).toEqual(many.map((v) => v.versionId).sort().reverse());
      expect(listed.filter((v) => v.isLatest).map((v) => v.key)).toEqual(['a', 'many', 'z']);
      expect(await text(api, bucket, 'many')).toBe('1004');
    }, 120_000);
  });
}
