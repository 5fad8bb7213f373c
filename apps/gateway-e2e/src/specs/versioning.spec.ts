import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { rawRequest } from '../support/raw-http';
import { bodyBytes, expectErrorXml, expectS3Error } from '../support/s3-assert';
import { useGateway } from '../support/server';

const gw = useGateway();
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
