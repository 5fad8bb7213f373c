import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { rawRequest } from '../support/raw-http';
import { bodyBytes, expectErrorXml, expectS3Error, patternBytes } from '../support/s3-assert';
import { useGateway } from '../support/server';

const KiB = 1024;
// A small inline threshold so bodies above 4 KiB are chunked (read leases, GC queue, part segments).
const gw = useGateway({ MASSIVE_INLINE_THRESHOLD: String(4 * KiB), MASSIVE_CHUNK_SIZE: String(1024 * KiB) });
/** A well-formed version id (32 hex digits) that names no version. */
const UNKNOWN_ID = '0123456789abcdef0123456789abcdef';

describe('DELETE with a version id on an unversioned bucket', () => {
  const Bucket = 'versions-unversioned';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  it('versionId=null deletes the object (its null version)', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'null-del', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'null-del', VersionId: 'null' }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'null-del' })), 'NoSuchKey', 404);
  });

  it('an id of no existing version answers 204 and deletes nothing', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'kept', Body: 'still here' }));
    const res = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'kept', VersionId: UNKNOWN_ID }));
    expect(res.$metadata.httpStatusCode).toBe(204);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'kept' }));
    expect(Buffer.from(await bodyBytes(got.Body)).toString()).toBe('still here');
  });

  it('a malformed id is 400 InvalidArgument and deletes nothing', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'bad-id', Body: 'safe' }));
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: 'bad-id', VersionId: 'not-a-version' })), 'InvalidArgument', 400);
    const raw = await rawRequest(gw, { method: 'DELETE', path: `/${Bucket}/bad-id`, query: { versionId: 'x' } });
    expect(raw.status).toBe(400);
    const err = expectErrorXml(raw.text, 'InvalidArgument');
    expect(err['ArgumentName']).toBe('versionId');
    expect(Buffer.from(await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'bad-id' }))).Body)).toString()).toBe('safe');
  });

  it('DeleteObjects honours <VersionId> per entry and echoes it', async () => {
    for (const Key of ['d-null', 'd-unknown', 'd-bad', 'd-plain']) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const res = await s3.send(
      new DeleteObjectsCommand({
        Bucket,
        Delete: {
          Objects: [
            { Key: 'd-null', VersionId: 'null' },
            { Key: 'd-unknown', VersionId: UNKNOWN_ID },
            { Key: 'd-bad', VersionId: 'nope' },
            { Key: 'd-plain' },
          ],
        },
      }),
    );
    expect(res.Deleted).toEqual([
      { Key: 'd-null', VersionId: 'null' },
      { Key: 'd-unknown', VersionId: UNKNOWN_ID },
      { Key: 'd-plain' },
    ]);
    expect(res.Errors).toEqual([{ Key: 'd-bad', VersionId: 'nope', Code: 'InvalidArgument', Message: expect.any(String) }]);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'd-null' })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'd-plain' })), 'NoSuchKey', 404);
    for (const Key of ['d-unknown', 'd-bad']) {
      expect(Buffer.from(await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key }))).Body)).toString()).toBe(Key);
    }
  });
});

const text = async (p: Promise<{ Body?: unknown }>): Promise<string> => (await bodyBytes((await p).Body)).toString();

describe('bucket versioning', () => {
  let s3: S3Client;
  beforeAll(() => {
    s3 = s3Client(gw);
  });

  it('a new bucket reports no Status; Enabled and Suspended stick', async () => {
    const Bucket = 'vers-config';
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Suspended');
    await expectS3Error(s3.send(new PutBucketVersioningCommand({ Bucket: 'vers-no-such', VersioningConfiguration: { Status: 'Enabled' } })), 'NoSuchBucket', 404);
  });

  it('refuses a bad status, a malformed document and MFA Delete with clear errors', async () => {
    const Bucket = 'vers-config-bad';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const put = (body: string) => rawRequest(gw, { method: 'PUT', path: `/${Bucket}`, query: { versioning: '' }, body });
    const ns = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
    const bad = await put(`<VersioningConfiguration ${ns}><Status>Disabled</Status></VersioningConfiguration>`);
    expect(bad.status).toBe(400);
    expectErrorXml(bad.text, 'IllegalVersioningConfigurationException');
    const malformed = await put('<VersioningConfiguration><Status>Enabled');
    expect(malformed.status).toBe(400);
    expectErrorXml(malformed.text, 'MalformedXML');
    const mfa = await put(`<VersioningConfiguration ${ns}><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>`);
    expect(mfa.status).toBe(501);
    expect(expectErrorXml(mfa.text, 'NotImplemented')['Message']).toMatch(/MFA Delete/);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined(); // nothing changed
  });
});

describe('versioned objects', () => {
  const Bucket = 'vers-objects';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'pre', Body: 'before versioning' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  it('every PUT is a new version with its own id; GET and HEAD read any of them', async () => {
    const big = patternBytes(40 * KiB, 3);
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: big }));
    expect(v1.VersionId).toMatch(/^\S+$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    const latest = await s3.send(new GetObjectCommand({ Bucket, Key: 'doc' }));
    expect(latest.VersionId).toBe(v2.VersionId);
    expect((await bodyBytes(latest.Body)).equals(big)).toBe(true);
    const old = await s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId: v1.VersionId }));
    expect(old.VersionId).toBe(v1.VersionId);
    expect((await bodyBytes(old.Body)).toString()).toBe('one');
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'doc', VersionId: v1.VersionId }));
    expect(head).toMatchObject({ VersionId: v1.VersionId, ContentLength: 3 });
    const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId: v2.VersionId, Range: 'bytes=10-19' }));
    expect((await bodyBytes(ranged.Body)).equals(big.subarray(10, 20))).toBe(true);
    const part = await s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId: v1.VersionId, PartNumber: 1 }));
    expect((await bodyBytes(part.Body)).toString()).toBe('one');
  });

  it('objects from before versioning are the null version', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'pre' }));
    expect(got.VersionId).toBe('null');
    expect(await text(s3.send(new GetObjectCommand({ Bucket, Key: 'pre', VersionId: 'null' })))).toBe('before versioning');
  });

  it('unknown ids are 404 NoSuchVersion, malformed ones 400 InvalidArgument', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'ids', Body: 'x' }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'ids', VersionId: UNKNOWN_ID })), 'NoSuchVersion', 404);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'ids', VersionId: 'not-an-id' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'ids', VersionId: 'null' })), 'NoSuchVersion', 404);
  });

  it('a plain DELETE adds a delete marker: GET/HEAD say 404 with x-amz-delete-marker, by id 405', async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'marked', Body: 'alive' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'marked' }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toMatch(/^\S+$/);
    const miss = await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'marked' })), 'NoSuchKey', 404);
    expect(miss.$response?.headers?.['x-amz-delete-marker']).toBe('true');
    expect(miss.$response?.headers?.['x-amz-version-id']).toBe(del.VersionId);
    const head = await rawRequest(gw, { method: 'HEAD', path: `/${Bucket}/marked` });
    expect(head.status).toBe(404);
    expect(head.headers['x-amz-delete-marker']).toBe('true');
    const byId = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/marked`, query: { versionId: del.VersionId ?? '' } });
    expect(byId.status).toBe(405);
    expectErrorXml(byId.text, 'MethodNotAllowed');
    expect(byId.headers).toMatchObject({ 'x-amz-delete-marker': 'true', 'x-amz-version-id': del.VersionId });
    expect(byId.headers['last-modified']).toMatch(/GMT$/);
    const headById = await rawRequest(gw, { method: 'HEAD', path: `/${Bucket}/marked`, query: { versionId: del.VersionId ?? '' } });
    expect(headById.status).toBe(405);
    expect(headById.headers['x-amz-delete-marker']).toBe('true');
    // The version under the marker is still there, and listings no longer show the key.
    expect(await text(s3.send(new GetObjectCommand({ Bucket, Key: 'marked', VersionId: v1.VersionId })))).toBe('alive');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'marked' }));
    expect(listed.KeyCount).toBe(0);
    // Deleting the marker by id brings the object back.
    const undo = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'marked', VersionId: del.VersionId }));
    expect(undo).toMatchObject({ DeleteMarker: true, VersionId: del.VersionId });
    expect(await text(s3.send(new GetObjectCommand({ Bucket, Key: 'marked' })))).toBe('alive');
  });

  it('DELETE of a version id removes it for good and promotes the previous one', async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'promote', Body: patternBytes(20 * KiB, 1) }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'promote', Body: 'two' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'promote', VersionId: v2.VersionId }));
    expect(del.VersionId).toBe(v2.VersionId);
    expect(del.DeleteMarker).toBeUndefined();
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'promote' }));
    expect(got.VersionId).toBe(v1.VersionId);
    expect((await bodyBytes(got.Body)).equals(patternBytes(20 * KiB, 1))).toBe(true);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'promote', VersionId: v2.VersionId })), 'NoSuchVersion', 404);
  });

  it('CopyObject reads a source version and answers both version ids; a marker by id is refused', async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: patternBytes(10 * KiB, 9) }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'newer' }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst', CopySource: `${Bucket}/src?versionId=${v1.VersionId}` }));
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
    expect(copy.VersionId).toMatch(/^\S+$/);
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'dst' }))).Body)).equals(patternBytes(10 * KiB, 9))).toBe(true);
    // Onto itself with new metadata: a new version with its own bytes; the old one stays readable.
    const self = await s3.send(
      new CopyObjectCommand({ Bucket, Key: 'dst', CopySource: `${Bucket}/dst`, MetadataDirective: 'REPLACE', ContentType: 'text/x-new' }),
    );
    expect(self.VersionId).not.toBe(copy.VersionId);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'dst', VersionId: self.VersionId }));
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'dst', VersionId: copy.VersionId }))).Body)).length).toBe(10 * KiB);
    // Restoring an old version: copy it by id onto its own key (no metadata change needed).
    const restored = await s3.send(new CopyObjectCommand({ Bucket, Key: 'src', CopySource: `${Bucket}/src?versionId=${v1.VersionId}` }));
    expect(restored.CopySourceVersionId).toBe(v1.VersionId);
    const now = await s3.send(new GetObjectCommand({ Bucket, Key: 'src' }));
    expect(now.VersionId).toBe(restored.VersionId);
    expect((await bodyBytes(now.Body)).equals(patternBytes(10 * KiB, 9))).toBe(true);
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'src', CopySource: `${Bucket}/src` })), 'InvalidRequest', 400);
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'src' }));
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/src` })), 'NoSuchKey', 404);
    await expectS3Error(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/src?versionId=${marker.VersionId}` })),
      'InvalidRequest',
      400,
    );
  });

  it('UploadPartCopy reads a source version; Complete answers the new version id', async () => {
    const body = patternBytes(6 * 1024 * KiB, 5); // parts other than the last must be >= 5 MiB
    const old = await s3.send(new PutObjectCommand({ Bucket, Key: 'mp-src', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'mp-src', Body: 'overwritten' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp' }));
    const p1 = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'mp', UploadId, PartNumber: 1, CopySource: `${Bucket}/mp-src?versionId=${old.VersionId}` }));
    expect(p1.CopySourceVersionId).toBe(old.VersionId);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: 'mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.CopyPartResult?.ETag }] } }),
    );
    expect(done.VersionId).toMatch(/^\S+$/);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'mp', VersionId: done.VersionId, PartNumber: 1 }));
    expect(got.VersionId).toBe(done.VersionId);
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
  }, 60_000);

  it('DeleteObjects reports versions and markers', async () => {
    const a = await s3.send(new PutObjectCommand({ Bucket, Key: 'batch-a', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'batch-b', Body: 'b' }));
    const res = await s3.send(
      new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'batch-a', VersionId: a.VersionId }, { Key: 'batch-b' }] } }),
    );
    expect(res.Deleted).toEqual([
      { Key: 'batch-a', VersionId: a.VersionId },
      { Key: 'batch-b', DeleteMarker: true, DeleteMarkerVersionId: expect.stringMatching(/^\S+$/) },
    ]);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'batch-a' })), 'NoSuchKey', 404);
  });
});

describe('suspended versioning', () => {
  const Bucket = 'vers-suspended';
  let s3: S3Client;
  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  it('writes replace the null version; versions from while Enabled stay', async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const n1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: patternBytes(12 * KiB, 2) }));
    expect(n1.VersionId).toBe('null');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'null two' }));
    expect(await text(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'null' })))).toBe('null two');
    expect(await text(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId })))).toBe('versioned');
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect(del).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'k' })), 'NoSuchKey', 404);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: 'null' }));
    expect(await text(s3.send(new GetObjectCommand({ Bucket, Key: 'k' })))).toBe('versioned');
  });

  it('a bucket holding only versions or markers cannot be deleted', async () => {
    const B = 'vers-delete-bucket';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    const v = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' }));
    const m = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: B })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k', VersionId: v.VersionId }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: B })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k', VersionId: m.VersionId }));
    await s3.send(new DeleteBucketCommand({ Bucket: B }));
  });
});

describe('no version ids where versioning was never set', () => {
  it('PUT, GET and DELETE send no x-amz-version-id', async () => {
    const s3 = s3Client(gw);
    const Bucket = 'vers-never';
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }))).VersionId).toBeUndefined();
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }))).VersionId).toBeUndefined();
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect(del.VersionId).toBeUndefined();
    expect(del.DeleteMarker).toBeUndefined();
  });
});
