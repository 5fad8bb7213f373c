import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { bodyBytes, expectErrorXml, expectS3Error, md5Hex, patternBytes } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const MiB = 1024 * 1024;
const gw = useGateway({ MASSIVE_CHUNK_SIZE: String(2 * MiB) });
const Bucket = 'multipart';
let s3: S3Client;

// Shared part bodies (the minimum size for all but the last part is 5 MiB).
const P5a = patternBytes(5 * MiB, 101);
const P5b = patternBytes(5 * MiB, 102);
const Psmall = patternBytes(MiB + 17, 103);

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
});

/** S3's multipart ETag: MD5 of the concatenated binary part MD5s, then `-N`. */
function multipartEtag(parts: Buffer[]): string {
  const md5s = parts.map((p) => createHash('md5').update(p).digest());
  return `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}"`;
}

async function upload(Key: string, bodies: Buffer[], extra: Partial<{ ChecksumAlgorithm: 'CRC32' | 'SHA256' }> = {}) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ...extra }));
  const parts: CompletedPart[] = [];
  for (const [i, Body] of bodies.entries()) {
    const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body, ...extra }));
    parts.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32, ChecksumSHA256: r.ChecksumSHA256 });
  }
  return { UploadId: UploadId!, parts };
}

describe('multipart upload lifecycle', () => {
  it('Create → UploadPart ×3 → ListParts → Complete: md5-of-md5s-N ETag, bytes intact, upload gone', async () => {
    const Key = 'dir/three parts';
    const create = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'video/x-test', Metadata: { m: '1' } }));
    expect(create.Bucket).toBe(Bucket);
    expect(create.Key).toBe(Key);
    const UploadId = create.UploadId!;
    expect(UploadId).toBeTruthy();

    const bodies = [P5a, P5b, Psmall];
    const etags: string[] = [];
    for (const [i, Body] of bodies.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }));
      expect(r.ETag).toBe(`"${md5Hex(Body)}"`);
      etags.push(r.ETag!);
    }

    const lp = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(lp.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual(bodies.map((b, i) => [i + 1, etags[i], b.length]));
    expect(lp.IsTruncated).toBe(false);
    expect(lp.UploadId).toBe(UploadId);
    for (const p of lp.Parts!) expect(p.LastModified).toBeInstanceOf(Date);

    const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'dir/' }));
    expect(ups.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);
    expect(ups.Uploads![0].Initiated).toBeInstanceOf(Date);

    // Not visible as an object until completed.
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);

    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
    expect(done.ETag).toBe(multipartEtag(bodies));
    expect(done.Bucket).toBe(Bucket);
    expect(done.Key).toBe(Key);
    expect(done.Location).toContain(`/${Bucket}/dir/three%20parts`);

    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(got.ETag).toBe(done.ETag);
    expect(got.ContentType).toBe('video/x-test');
    expect(got.Metadata).toEqual({ m: '1' });
    expect(got.ContentLength).toBe(P5a.length + P5b.length + Psmall.length);
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(Buffer.concat(bodies)));

    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'dir/' }));
    expect(after.Uploads ?? []).toEqual([]);
    await expectS3Error(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 4, Body: 'x' })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
    // An SDK that retries a Complete whose reply was lost gets the same 200 result (S3's behaviour).
    const again = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
    expect(again.ETag).toBe(done.ETag);
    expect(again.VersionId ?? undefined).toBe(done.VersionId ?? undefined);
  });

  it('Abort → 204, then every use of the upload id → NoSuchUpload 404', async () => {
    const Key = 'aborted';
    const { UploadId, parts } = await upload(Key, [Psmall]);
    const r = await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    expect(r.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'x' })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
  });

  it('an unknown upload id, or the right id under another key → NoSuchUpload 404', async () => {
    await expectS3Error(s3.send(new UploadPartCommand({ Bucket, Key: 'k', UploadId: 'bogus-upload-id', PartNumber: 1, Body: 'x' })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new ListPartsCommand({ Bucket, Key: 'k', UploadId: 'bogus-upload-id' })), 'NoSuchUpload', 404);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'right-key' }));
    await expectS3Error(s3.send(new UploadPartCommand({ Bucket, Key: 'wrong-key', UploadId, PartNumber: 1, Body: 'x' })), 'NoSuchUpload', 404);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'right-key', UploadId }));
  });

  it('re-uploading a part replaces it: the old ETag → InvalidPart, the new one completes', async () => {
    const Key = 'replaced-part';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const old = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'old part' }));
    const neu = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'new part!' }));
    const lp = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(lp.Parts?.map((p) => p.ETag)).toEqual([neu.ETag]);
    await expectS3Error(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: old.ETag }] } })),
      'InvalidPart',
      400,
    );
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: neu.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe('new part!');
  });

  it('Complete errors: InvalidPart (wrong ETag, missing part), InvalidPartOrder, EntityTooSmall, MalformedXML — the upload survives them', async () => {
    const Key = 'complete-errors';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const small1 = patternBytes(MiB, 1);
    const small2 = patternBytes(MiB, 2);
    const e1 = (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: small1 }))).ETag!;
    const e2 = (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: small2 }))).ETag!;
    const complete = (Parts: CompletedPart[]) => s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));

    await expectS3Error(complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]), 'InvalidPart', 400);
    await expectS3Error(complete([{ PartNumber: 1, ETag: e1 }, { PartNumber: 3, ETag: e2 }]), 'InvalidPart', 400);
    await expectS3Error(complete([{ PartNumber: 2, ETag: e2 }, { PartNumber: 1, ETag: e1 }]), 'InvalidPartOrder', 400);
    // A part number listed twice is S3's re-sent part (core-behaviours.spec.ts), not an order error.
    await expectS3Error(complete([{ PartNumber: 2, ETag: e2 }, { PartNumber: 2, ETag: e2 }, { PartNumber: 1, ETag: e1 }]), 'InvalidPartOrder', 400);
    // Part 1 is 1 MiB and not the last part.
    await expectS3Error(complete([{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }]), 'EntityTooSmall', 400);

    const empty = await rawRequest(gw, {
      method: 'POST',
      path: `/${Bucket}/${Key}`,
      query: { uploadId: UploadId! },
      body: '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CompleteMultipartUpload>',
    });
    expect(empty.status).toBe(400);
    expectErrorXml(empty.text, 'MalformedXML', empty.headers['x-amz-request-id'] as string);
    const garbage = await rawRequest(gw, { method: 'POST', path: `/${Bucket}/${Key}`, query: { uploadId: UploadId! }, body: '<Complete' });
    expect(garbage.status).toBe(400);
    expectErrorXml(garbage.text, 'MalformedXML');

    // Still usable: completing with only the (small, last) part 2 works, and part 1 is dropped.
    const done = await complete([{ PartNumber: 2, ETag: e2 }]);
    expect(done.ETag).toBe(multipartEtag([small2]));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(small2));
  });

  it('parts may be skipped: completing parts 1 and 3 gives a 2-part object', async () => {
    const Key = 'gaps';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const e1 = (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: P5a }))).ETag!;
    await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'dropped' }));
    const e3 = (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 3, Body: 'tail' }))).ETag!;
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 3, ETag: e3 }] } }),
    );
    expect(done.ETag).toBe(multipartEtag([P5a, Buffer.from('tail')]));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(got.ContentLength).toBe(P5a.length + 4);
    const h2 = await s3.send(new HeadObjectCommand({ Bucket, Key, PartNumber: 2 }));
    expect(h2.ContentLength).toBe(4);
  });

  it('UploadPart with part number 0 or 10001 → InvalidArgument 400; a bad Content-MD5 → BadDigest', async () => {
    const Key = 'bad-part-numbers';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    for (const n of ['0', '10001', 'x']) {
      const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/${Key}`, query: { partNumber: n, uploadId: UploadId! }, body: 'x' });
      expect([n, r.status]).toEqual([n, 400]);
      expectErrorXml(r.text, 'InvalidArgument');
    }
    await expectS3Error(
      s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'abc', ContentMD5: createHash('md5').update('abd').digest('base64') })),
      'BadDigest',
      400,
    );
    const lp = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(lp.Parts ?? []).toEqual([]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  });
});

describe('UploadPartCopy', () => {
  const source = patternBytes(6 * MiB + 500, 201);
  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-source', Body: source }));
    await s3.send(new CreateBucketCommand({ Bucket: 'multipart-other' }));
    await s3.send(new PutObjectCommand({ Bucket: 'multipart-other', Key: 'small-source', Body: 'from the other bucket' }));
  });

  it('assembles an object from source ranges (and a whole object from another bucket)', async () => {
    const Key = 'assembled';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const r1 = await s3.send(
      new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-source`, CopySourceRange: `bytes=${MiB}-${6 * MiB - 1}` }),
    );
    expect(r1.CopyPartResult?.ETag).toBe(`"${md5Hex(source.subarray(MiB, 6 * MiB))}"`);
    expect(r1.CopyPartResult?.LastModified).toBeInstanceOf(Date);
    const r2 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `${Bucket}/copy-source` }));
    const r3 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 3, CopySource: 'multipart-other/small-source' }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [r1, r2, r3].map((r, i) => ({ PartNumber: i + 1, ETag: r.CopyPartResult!.ETag })) },
      }),
    );
    const expected = Buffer.concat([source.subarray(MiB, 6 * MiB), source, Buffer.from('from the other bucket')]);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(expected));
  });

  it('a one-byte and a ten-byte range copy as the (small) last parts', async () => {
    const Key = 'tiny-ranges';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const r = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-source`, CopySourceRange: 'bytes=7-7' }));
    expect(r.CopyPartResult?.ETag).toBe(`"${md5Hex(source.subarray(7, 8))}"`);
    const r2 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-source`, CopySourceRange: 'bytes=0-9' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r2.CopyPartResult!.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect((await bodyBytes(got.Body)).equals(source.subarray(0, 10))).toBe(true);
  });

  it('a range past the source end → InvalidRange 416; a malformed range → InvalidArgument 400; a failed source condition → 412', async () => {
    const Key = 'bad-copy-ranges';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const base = { Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-source` };
    await expectS3Error(s3.send(new UploadPartCopyCommand({ ...base, CopySourceRange: `bytes=0-${source.length}` })), 'InvalidRange', 416);
    await expectS3Error(s3.send(new UploadPartCopyCommand({ ...base, CopySourceRange: 'bytes=10-5' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new UploadPartCopyCommand({ ...base, CopySourceRange: 'bytes=5-' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new UploadPartCopyCommand({ ...base, CopySourceIfMatch: '"nope"' })), 'PreconditionFailed', 412);
    await expectS3Error(s3.send(new UploadPartCopyCommand({ ...base, CopySource: `${Bucket}/missing-source` })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new UploadPartCopyCommand({ ...base, UploadId: 'bogus' })), 'NoSuchUpload', 404);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  });
});

describe('listing uploads and parts', () => {
  it('ListParts pages with max-parts and part-number-marker', async () => {
    const Key = 'many-parts';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    for (let n = 1; n <= 5; n++) await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body: `part ${n}` }));
    const seen: number[] = [];
    let PartNumberMarker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 2, PartNumberMarker }));
      expect(r.MaxParts).toBe(2);
      seen.push(...(r.Parts ?? []).map((p) => p.PartNumber!));
      if (!r.IsTruncated) break;
      expect(r.NextPartNumberMarker).toBe(String(seen[seen.length - 1]));
      PartNumberMarker = r.NextPartNumberMarker;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  });

  it('ListMultipartUploads pages with key-marker / upload-id-marker (two uploads on one key), prefix and delimiter', async () => {
    const B = 'multipart-listing';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    const made: [string, string][] = [];
    for (const Key of ['u/a', 'u/b', 'u/b', 'u/c/deep', 'v']) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key }));
      made.push([Key, UploadId!]);
    }
    const all = await s3.send(new ListMultipartUploadsCommand({ Bucket: B }));
    const listed = all.Uploads!.map((u) => [u.Key!, u.UploadId!] as [string, string]);
    // Sorted by key; the two uploads of u/b both present.
    expect(listed.map(([k]) => k)).toEqual(['u/a', 'u/b', 'u/b', 'u/c/deep', 'v']);
    expect(new Set(listed.map(([, id]) => id))).toEqual(new Set(made.map(([, id]) => id)));

    const seen: [string, string][] = [];
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: B, MaxUploads: 1, KeyMarker, UploadIdMarker }));
      expect(r.MaxUploads).toBe(1);
      seen.push(...(r.Uploads ?? []).map((u) => [u.Key!, u.UploadId!] as [string, string]));
      if (!r.IsTruncated) break;
      expect(r.NextKeyMarker).toBe(seen[seen.length - 1][0]);
      expect(r.NextUploadIdMarker).toBe(seen[seen.length - 1][1]);
      KeyMarker = r.NextKeyMarker;
      UploadIdMarker = r.NextUploadIdMarker;
    }
    expect(seen).toEqual(listed);

    const grouped = await s3.send(new ListMultipartUploadsCommand({ Bucket: B, Prefix: 'u/', Delimiter: '/' }));
    expect(grouped.Uploads?.map((u) => u.Key)).toEqual(['u/a', 'u/b', 'u/b']);
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['u/c/']);
    for (const [Key, UploadId] of made) await s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key, UploadId }));
    const none = await s3.send(new ListMultipartUploadsCommand({ Bucket: B }));
    expect(none.Uploads ?? []).toEqual([]);
  });
});

describe('multipart checksums', () => {
  const crc32Digest = (b: Buffer) => {
    const d = Buffer.alloc(4);
    d.writeUInt32BE(crc32(b) >>> 0);
    return d;
  };
  const sha256Digest = (b: Buffer) => createHash('sha256').update(b).digest();

  it.each([
    ['CRC32', crc32Digest, 'ChecksumCRC32'],
    ['SHA256', sha256Digest, 'ChecksumSHA256'],
  ] as const)('ChecksumAlgorithm %s: parts carry their checksum; Complete and HEAD (ChecksumMode) return the composite value-N', async (alg, digest, field) => {
    const Key = `composite-${alg}`;
    const bodies = [P5a, Psmall];
    const create = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: alg }));
    expect(create.ChecksumAlgorithm).toBe(alg);
    const UploadId = create.UploadId!;
    const parts: CompletedPart[] = [];
    for (const [i, Body] of bodies.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: alg }));
      expect(r[field]).toBe(digest(Body).toString('base64'));
      parts.push({ PartNumber: i + 1, ETag: r.ETag, [field]: r[field] });
    }
    const lp = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(lp.Parts?.map((p) => p[field])).toEqual(parts.map((p) => p[field]));
    expect(lp.ChecksumAlgorithm).toBe(alg);

    const expected = `${digest(Buffer.concat(bodies.map(digest))).toString('base64')}-${bodies.length}`;
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    expect(done[field]).toBe(expected);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(head[field]).toBe(expected);
    expect(head.ChecksumType).toBe('COMPOSITE');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got[field]).toBe(expected);
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(Buffer.concat(bodies)));
  });

  it.each([
    ['CRC32', 'ChecksumCRC32'],
    ['CRC64NVME', 'ChecksumCRC64NVME'],
  ] as const)('ChecksumType FULL_OBJECT with %s: Complete returns the whole-object checksum, which the SDK verifies on GET', async (alg, field) => {
    const Key = `full-object-${alg}`;
    const bodies = [P5b, Psmall];
    const create = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: alg, ChecksumType: 'FULL_OBJECT' }));
    expect(create.ChecksumType).toBe('FULL_OBJECT');
    const UploadId = create.UploadId!;
    const parts: CompletedPart[] = [];
    for (const [i, Body] of bodies.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: alg }));
      parts.push({ PartNumber: i + 1, ETag: r.ETag, [field]: r[field] });
    }
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    expect(done[field]).toBeTruthy();
    expect(done[field]).not.toContain('-');
    expect(done.ChecksumType).toBe('FULL_OBJECT');
    if (alg === 'CRC32') expect(done[field]).toBe(crc32Digest(Buffer.concat(bodies)).toString('base64'));
    // The single-PUT checksum of the same bytes must be the same value.
    const single = await s3.send(new PutObjectCommand({ Bucket, Key: `${Key}-single`, Body: Buffer.concat(bodies), ChecksumAlgorithm: alg }));
    expect(done[field]).toBe(single[field]);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got[field]).toBe(done[field]);
    expect(got.ChecksumType).toBe('FULL_OBJECT');
    // The SDK validates a FULL_OBJECT checksum while reading the body: a wrong one would throw here.
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(Buffer.concat(bodies)));
  });

  it('a part uploaded with another algorithm than the upload declared → InvalidRequest 400', async () => {
    const Key = 'algorithm-mismatch';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256' }));
    await expectS3Error(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'abc', ChecksumAlgorithm: 'CRC32' })), 'InvalidRequest', 400);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  });

  it('a part checksum in Complete that does not match the uploaded part → InvalidPart 400', async () => {
    const Key = 'composite-mismatch';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32' }));
    const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'abc', ChecksumAlgorithm: 'CRC32' }));
    await expectS3Error(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.ETag, ChecksumCRC32: 'AAAAAA==' }] } })),
      'InvalidPart',
      400,
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  });
});

describe('@aws-sdk/lib-storage Upload', () => {
  it('uploads a ~20 MiB stream of unknown length in parts, 2 at a time', async () => {
    const total = 20 * MiB + 4321;
    const data = patternBytes(total, 301);
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < total; i += 256 * 1024) yield data.subarray(i, i + 256 * 1024);
      })(),
    );
    const up = new Upload({ client: s3, params: { Bucket, Key: 'lib-storage/20mib', Body: stream }, partSize: 5 * MiB, queueSize: 2 });
    const res = await up.done();
    expect(res.ETag).toMatch(/^"[0-9a-f]{32}-5"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'lib-storage/20mib' }));
    expect(got.ContentLength).toBe(total);
    expect(md5Hex(await bodyBytes(got.Body))).toBe(md5Hex(data));
    const left = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'lib-storage/' }));
    expect(left.Uploads ?? []).toEqual([]);
  });

  it('a small stream goes up as one PutObject', async () => {
    const up = new Upload({ client: s3, params: { Bucket, Key: 'lib-storage/small', Body: Readable.from([Buffer.from('tiny')]) } });
    const res = await up.done();
    expect(res.ETag).toBe(`"${md5Hex('tiny')}"`);
  });
});
