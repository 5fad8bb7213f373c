import { createHash } from 'node:crypto';
import type { MetadataApi, ObjectChecksum } from '@massive/contracts';
import { alice, codeOf, ctx, headers, manifest, md5hex, newBucket, putChunks, putInline, type ContractEnv } from './fixtures';

async function part(api: MetadataApi, bucket: string, key: string, uploadId: string, partNumber: number, size = 10, checksum?: ObjectChecksum) {
  const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
  const etag = md5hex(`${uploadId}:${partNumber}:${size}:${intentId}`);
  return api.uploadPart({ bucket, key, uploadId, partNumber, manifest: manifest(size), intentId, etag, ...(checksum && { checksum }) }, ctx);
}

const create = (api: MetadataApi, bucket: string, key: string) =>
  api.createMultipartUpload({ bucket, key, headers, owner: alice }, ctx);

export function multipartContract(env: () => ContractEnv): void {
  describe('multipart uploads', () => {
    it('completes: parts become the version segments, S3 multipart ETag, parts recorded, upload gone', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const up = await create(api, bucket, 'big');
      expect(await api.getMultipartUpload({ bucket, key: 'big', uploadId: up.uploadId }, ctx)).toEqual(up);
      const p1 = await part(api, bucket, 'big', up.uploadId, 1, 10);
      const p2 = await part(api, bucket, 'big', up.uploadId, 2, 7);
      const p3 = await part(api, bucket, 'big', up.uploadId, 3, 4);
      const v = await api.completeMultipartUpload(
        { bucket, key: 'big', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: `"${p1.etag}"` }, { partNumber: 3, etag: p3.etag }] },
        ctx,
      );
      const md5s = Buffer.concat([p1.etag, p3.etag].map((e) => Buffer.from(e, 'hex')));
      expect(v.etag).toBe(`${createHash('md5').update(md5s).digest('hex')}-2`);
      expect(v.size).toBe(14);
      expect(v.parts).toEqual([
        { partNumber: 1, size: 10, etag: p1.etag },
        { partNumber: 3, size: 4, etag: p3.etag },
      ]);
      expect(v.headers).toEqual(headers);
      expect(v.data).toEqual({ kind: 'parts', uploadId: up.uploadId });
      expect(await api.getObject({ bucket, key: 'big' }, ctx)).toEqual(v);
      // The listed parts' manifests, exactly as uploaded, in the order asked; the unlisted one is gone.
      const [m3, m1] = await api.getPartManifests({ uploadId: up.uploadId, partNumbers: [3, 1] }, ctx);
      expect(m1.size).toBe(10);
      expect(m3.size).toBe(4);
      expect(m1.chunks).toHaveLength(2);
      expect(await codeOf(api.getPartManifests({ uploadId: up.uploadId, partNumbers: [2] }, ctx))).toBe('NoSuchVersion');
      expect(await codeOf(api.getPartManifests({ uploadId: 'nope', partNumbers: [1] }, ctx))).toBe('NoSuchVersion');
      void p2;
      expect(await codeOf(api.getMultipartUpload({ bucket, key: 'big', uploadId: up.uploadId }, ctx))).toBe('NoSuchUpload');
      const again = api.completeMultipartUpload(
        { bucket, key: 'big', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: p1.etag }] },
        ctx,
      );
      expect(await codeOf(again)).toBe('NoSuchUpload');
      // The same Complete again (an SDK retrying a lost reply) answers the same version, writing nothing.
      const retried = await api.completeMultipartUpload(
        { bucket, key: 'big', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: `"${p1.etag}"` }, { partNumber: 3, etag: p3.etag }] },
        ctx,
      );
      expect(retried).toEqual(v);
      expect(await codeOf(part(api, bucket, 'big', up.uploadId, 4))).toBe('NoSuchUpload');
      // Once the key holds another object, the old upload is just gone.
      await putInline(api, bucket, 'big', 'replaced');
      const stale = api.completeMultipartUpload(
        { bucket, key: 'big', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: p1.etag }, { partNumber: 3, etag: p3.etag }] },
        ctx,
      );
      expect(await codeOf(stale)).toBe('NoSuchUpload');
    });

    it('validates the part list: InvalidPartOrder, InvalidPart, EntityTooSmall', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const up = await create(api, bucket, 'k');
      const p1 = await part(api, bucket, 'k', up.uploadId, 1, 3);
      const p2 = await part(api, bucket, 'k', up.uploadId, 2, 10);
      const complete = (parts: { partNumber: number; etag: string }[], minPartSize = 5) =>
        api.completeMultipartUpload({ bucket, key: 'k', uploadId: up.uploadId, minPartSize, parts }, ctx);
      expect(await codeOf(complete([{ partNumber: 2, etag: p2.etag }, { partNumber: 1, etag: p1.etag }]))).toBe('InvalidPartOrder');
      expect(await codeOf(complete([{ partNumber: 2, etag: p2.etag }, { partNumber: 2, etag: p2.etag }, { partNumber: 1, etag: p1.etag }]))).toBe(
        'InvalidPartOrder',
      );
      expect(await codeOf(complete([{ partNumber: 1, etag: 'wrong' }, { partNumber: 1, etag: 'also wrong' }]))).toBe('InvalidPart');
      expect(await codeOf(complete([{ partNumber: 1, etag: p1.etag }, { partNumber: 5, etag: p2.etag }]))).toBe('InvalidPart');
      expect(await codeOf(complete([{ partNumber: 1, etag: 'wrong' }]))).toBe('InvalidPart');
      expect(await codeOf(complete([{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }]))).toBe('EntityTooSmall');
      // The last part may be small.
      const v = await complete([{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }], 3);
      expect(v.size).toBe(13);
    });

    it('a part number listed twice (both uploads of a re-sent part) is the stored upload, once', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const up = await create(api, bucket, 'k');
      const first = await part(api, bucket, 'k', up.uploadId, 1, 4);
      const second = await part(api, bucket, 'k', up.uploadId, 1, 6); // completed last: it is part 1
      const p2 = await part(api, bucket, 'k', up.uploadId, 2, 3);
      const parts = [
        { partNumber: 1, etag: first.etag },
        { partNumber: 1, etag: second.etag },
        { partNumber: 2, etag: p2.etag },
      ];
      const v = await api.completeMultipartUpload({ bucket, key: 'k', uploadId: up.uploadId, minPartSize: 5, parts }, ctx);
      expect(v.size).toBe(9);
      expect(v.parts?.map((p) => [p.partNumber, p.etag])).toEqual([[1, second.etag], [2, p2.etag]]);
      expect(v.etag).toMatch(/-2$/);
      // A retried Complete with the same list answers the same object.
      const again = await api.completeMultipartUpload({ bucket, key: 'k', uploadId: up.uploadId, minPartSize: 5, parts }, ctx);
      expect(again.versionId).toBe(v.versionId);
    });

    it('a failed condition on a key written while the upload ran is 409 ConditionalRequestConflict, and the upload is gone', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const complete = (uploadId: string, etag: string, conditions: object) =>
        api.completeMultipartUpload({ bucket, key: 'k', uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag }], conditions }, ctx);

      // The key appeared after the upload began: If-None-Match * races it → 409, upload aborted.
      const raced = await create(api, bucket, 'k');
      const p = await part(api, bucket, 'k', raced.uploadId, 1);
      const v1 = await putInline(api, bucket, 'k', 'one');
      expect(await codeOf(complete(raced.uploadId, p.etag, { ifNoneMatch: '*' }))).toBe('ConditionalRequestConflict');
      expect(await codeOf(api.getMultipartUpload({ bucket, key: 'k', uploadId: raced.uploadId }, ctx))).toBe('NoSuchUpload');

      // The key already existed when the upload began: 412, and the upload stays.
      const kept = await create(api, bucket, 'k');
      const q = await part(api, bucket, 'k', kept.uploadId, 1);
      expect(await codeOf(complete(kept.uploadId, q.etag, { ifNoneMatch: '*' }))).toBe('PreconditionFailed');
      expect(await codeOf(complete(kept.uploadId, q.etag, { ifMatch: '"other"' }))).toBe('PreconditionFailed');
      await api.getMultipartUpload({ bucket, key: 'k', uploadId: kept.uploadId }, ctx);

      // If-Match on the etag read before the upload, the key overwritten meanwhile → 409.
      const overwritten = await create(api, bucket, 'k');
      const r = await part(api, bucket, 'k', overwritten.uploadId, 1);
      await putInline(api, bucket, 'k', 'two');
      expect(await codeOf(complete(overwritten.uploadId, r.etag, { ifMatch: v1.etag }))).toBe('ConditionalRequestConflict');

      // Without conditions a changed key is no conflict: the later commit wins.
      const v = await api.completeMultipartUpload({ bucket, key: 'k', uploadId: kept.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: q.etag }] }, ctx);
      expect((await api.getObject({ bucket, key: 'k' }, ctx)).versionId).toBe(v.versionId);
    });

    it('checks conditions on complete inside the transaction', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      await putChunks(api, bucket, 'k');
      const up = await create(api, bucket, 'k');
      const p1 = await part(api, bucket, 'k', up.uploadId, 1);
      const req = { bucket, key: 'k', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: p1.etag }] };
      expect(await codeOf(api.completeMultipartUpload({ ...req, conditions: { ifNoneMatch: '*' } }, ctx))).toBe('PreconditionFailed');
      await api.completeMultipartUpload(req, ctx);
    });

    it('replaces a same-numbered part and rejects bad part numbers', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const up = await create(api, bucket, 'k');
      await part(api, bucket, 'k', up.uploadId, 1, 10);
      const again = await part(api, bucket, 'k', up.uploadId, 1, 20);
      const listed = await api.listParts({ bucket, key: 'k', uploadId: up.uploadId, maxParts: 100 }, ctx);
      expect(listed.parts).toEqual([again]);
      expect(listed.upload).toEqual(up);
      expect(await codeOf(part(api, bucket, 'k', up.uploadId, 0))).toBe('InvalidArgument');
      expect(await codeOf(part(api, bucket, 'k', up.uploadId, 10001))).toBe('InvalidArgument');
      await part(api, bucket, 'k', up.uploadId, 10000);
    });

    it('an encrypted upload: its sealed key rides in the headers, and a part keeps the size the client sent, not its stored bytes', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const sse = { algorithm: 'AES256' as const, key: 'v1:mk-test:c2VhbGVk' };
      const up = await api.createMultipartUpload({ bucket, key: 'enc', headers: { ...headers, sse }, owner: alice }, ctx);
      expect((await api.getMultipartUpload({ bucket, key: 'enc', uploadId: up.uploadId }, ctx)).headers.sse).toEqual(sse);
      const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
      const m = manifest(132);
      const stored = await api.uploadPart({ bucket, key: 'enc', uploadId: up.uploadId, partNumber: 1, manifest: m, intentId, etag: md5hex('p1'), size: 100 }, ctx);
      expect(stored.size).toBe(100);
      const v = await api.completeMultipartUpload({ bucket, key: 'enc', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: stored.etag }] }, ctx);
      expect(v.size).toBe(100);
      expect(v.parts?.map((p) => p.size)).toEqual([100]);
      expect(v.headers.sse).toEqual(sse);
      expect((await api.getObject({ bucket, key: 'enc' }, ctx)).headers.sse).toEqual(sse);
      expect(await api.getPartManifests({ uploadId: up.uploadId, partNumbers: [1] }, ctx)).toEqual([m]);
    });

    it('an SSE-C upload and object keep the customer key\'s MD5 beside the sealed key (the gateway checks reads against it)', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const sse = { algorithm: 'AES256' as const, key: 'c1:c2VhbGVkLWZvci10aGUtY3VzdG9tZXI', customerKeyMd5: 'XrY7u+Ae7tCTyyK7j1rNww==' };
      const up = await api.createMultipartUpload({ bucket, key: 'ssec', headers: { ...headers, sse }, owner: alice }, ctx);
      expect((await api.getMultipartUpload({ bucket, key: 'ssec', uploadId: up.uploadId }, ctx)).headers.sse).toEqual(sse);
      const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
      const stored = await api.uploadPart({ bucket, key: 'ssec', uploadId: up.uploadId, partNumber: 1, manifest: manifest(132), intentId, etag: md5hex('p1'), size: 100 }, ctx);
      await api.completeMultipartUpload({ bucket, key: 'ssec', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: stored.etag }] }, ctx);
      expect((await api.getObject({ bucket, key: 'ssec' }, ctx)).headers.sse).toEqual(sse);
    });

    it('pages parts with partNumberMarker', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const up = await create(api, bucket, 'k');
      for (const n of [1, 2, 5, 9, 12]) await part(api, bucket, 'k', up.uploadId, n);
      const seen: number[] = [];
      let marker: number | undefined;
      for (;;) {
        const res = await api.listParts({ bucket, key: 'k', uploadId: up.uploadId, maxParts: 2, ...(marker !== undefined && { partNumberMarker: marker }) }, ctx);
        seen.push(...res.parts.map((p) => p.partNumber));
        if (!res.isTruncated) break;
        marker = res.nextPartNumberMarker;
      }
      expect(seen).toEqual([1, 2, 5, 9, 12]);
    });

    it('aborts (then NoSuchUpload everywhere)', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const up = await create(api, bucket, 'k');
      await part(api, bucket, 'k', up.uploadId, 1);
      const id = { bucket, key: 'k', uploadId: up.uploadId };
      await api.abortMultipartUpload(id, ctx);
      expect(await codeOf(api.abortMultipartUpload(id, ctx))).toBe('NoSuchUpload');
      expect(await codeOf(api.listParts({ ...id, maxParts: 10 }, ctx))).toBe('NoSuchUpload');
      expect(await codeOf(part(api, bucket, 'k', up.uploadId, 2))).toBe('NoSuchUpload');
      expect(await codeOf(api.getMultipartUpload({ ...id, uploadId: 'bogus' }, ctx))).toBe('NoSuchUpload');
      const other = await create(api, bucket, 'k');
      expect(await codeOf(api.getMultipartUpload({ ...id, key: 'other', uploadId: other.uploadId }, ctx))).toBe('NoSuchUpload');
    });

    it('computes a COMPOSITE checksum from the part checksums', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const up = await api.createMultipartUpload({ bucket, key: 'k', headers, owner: alice, checksumAlgorithm: 'SHA256', checksumType: 'COMPOSITE' }, ctx);
      expect(up).toMatchObject({ checksumAlgorithm: 'SHA256', checksumType: 'COMPOSITE' });
      const sums = ['one', 'two'].map((s) => createHash('sha256').update(s).digest());
      const cs = (d: Buffer): ObjectChecksum => ({ algorithm: 'SHA256', type: 'COMPOSITE', value: d.toString('base64') });
      const p1 = await part(api, bucket, 'k', up.uploadId, 1, 10, cs(sums[0]));
      const p2 = await part(api, bucket, 'k', up.uploadId, 2, 10, cs(sums[1]));
      const v = await api.completeMultipartUpload(
        { bucket, key: 'k', uploadId: up.uploadId, minPartSize: 5, parts: [{ partNumber: 1, etag: p1.etag, checksum: sums[0].toString('base64') }, { partNumber: 2, etag: p2.etag }] },
        ctx,
      );
      const want = createHash('sha256').update(Buffer.concat(sums)).digest('base64');
      expect(v.checksum).toEqual({ algorithm: 'SHA256', type: 'COMPOSITE', value: `${want}-2` });
      expect(v.parts?.[0].checksum).toEqual(cs(sums[0]));
      const listed = await api.listObjects({ bucket, maxKeys: 10 }, ctx);
      expect(listed.objects[0]).toMatchObject({ checksumAlgorithm: 'SHA256', checksumType: 'COMPOSITE' });
    });

    it('lists uploads by key then initiation time, with markers, prefixes and delimiters', async () => {
      const { api } = env();
      const bucket = await newBucket(api);
      const made: { key: string; uploadId: string }[] = [];
      for (const key of ['b', 'a', 'a', 'dir/x', 'dir/y', 'c']) {
        made.push(await create(api, bucket, key));
        await new Promise((r) => setTimeout(r, 2)); // distinct initiation times
      }
      const order = (k: string) => made.filter((u) => u.key === k).map((u) => u.uploadId);
      const all = await api.listMultipartUploads({ bucket, maxUploads: 1000 }, ctx);
      expect(all.uploads.map((u) => [u.key, u.uploadId])).toEqual([
        ...order('a').map((id) => ['a', id]),
        ['b', order('b')[0]],
        ['c', order('c')[0]],
        ['dir/x', order('dir/x')[0]],
        ['dir/y', order('dir/y')[0]],
      ]);
      const seen: string[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (;;) {
        const res = await api.listMultipartUploads({ bucket, maxUploads: 2, delimiter: '/', ...(keyMarker !== undefined && { keyMarker }), ...(uploadIdMarker && { uploadIdMarker }) }, ctx);
        expect(res.uploads.length + res.commonPrefixes.length).toBeLessThanOrEqual(2);
        seen.push(...res.uploads.map((u) => `${u.key}@${u.uploadId}`), ...res.commonPrefixes);
        if (!res.isTruncated) break;
        keyMarker = res.nextKeyMarker;
        uploadIdMarker = res.nextUploadIdMarker;
      }
      expect(seen).toEqual([...order('a').map((id) => `a@${id}`), `b@${order('b')[0]}`, `c@${order('c')[0]}`, 'dir/']);
      const under = await api.listMultipartUploads({ bucket, prefix: 'dir/', maxUploads: 10 }, ctx);
      expect(under.uploads.map((u) => u.key)).toEqual(['dir/x', 'dir/y']);
      const afterA = await api.listMultipartUploads({ bucket, keyMarker: 'a', maxUploads: 10 }, ctx);
      expect(afterA.uploads[0].key).toBe('b');
    });
  });
}
