import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  DeleteObjectsCommand,
  CopyObjectCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { recordRequests, s3Client, STYLES } from '../support/clients';
import { useGateway } from '../support/server';
import { expectErrorXml, expectS3Error } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const gw = useGateway();

describe.each(STYLES)('buckets (%s style)', (style) => {
  const s3 = () => s3Client(gw, { style });
  const b = (name: string) => `${style}-${name}`;

  it('CreateBucket, ListBuckets, HeadBucket, GetBucketLocation, DeleteBucket', async () => {
    const c = s3();
    const seen = recordRequests(c);
    const name = b('lifecycle');
    const created = await c.send(new CreateBucketCommand({ Bucket: name }));
    expect(created.$metadata.httpStatusCode).toBe(200);
    expect(created.Location).toBe(`/${name}`);
    // The addressing style really is the one under test.
    expect(seen[0].hostname).toBe(style === 'vhost' ? `${name}.s3.localtest` : '127.0.0.1');
    expect(seen[0].path).toBe(style === 'vhost' ? '/' : `/${name}/`);

    const list = await c.send(new ListBucketsCommand({}));
    const mine = list.Buckets?.find((x) => x.Name === name);
    expect(mine).toBeDefined();
    expect(mine!.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(mine!.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(list.Owner?.ID).toBeTruthy();

    const head = await c.send(new HeadBucketCommand({ Bucket: name }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    expect(head.BucketRegion).toBe('us-east-1');

    const loc = await c.send(new GetBucketLocationCommand({ Bucket: name }));
    // us-east-1 is reported as an empty LocationConstraint.
    expect(loc.LocationConstraint ?? '').toBe('');

    await c.send(new DeleteBucketCommand({ Bucket: name }));
    await expectS3Error(c.send(new HeadBucketCommand({ Bucket: name })), 'NotFound', 404);
    const after = await c.send(new ListBucketsCommand({}));
    expect(after.Buckets?.some((x) => x.Name === name)).toBe(false);
  });

  it('ListBuckets returns buckets sorted by name', async () => {
    const c = s3();
    for (const n of ['sort-c', 'sort-a', 'sort-b']) await c.send(new CreateBucketCommand({ Bucket: b(n) }));
    const names = (await c.send(new ListBucketsCommand({}))).Buckets!.map((x) => x.Name!);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining([b('sort-a'), b('sort-b'), b('sort-c')]));
  });

  it('ListBuckets pages with max-buckets and continuation-token, and filters by prefix and bucket-region', async () => {
    const c = s3();
    const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'].map(b);
    for (const n of names) await c.send(new CreateBucketCommand({ Bucket: n }));
    const Prefix = b('page-');
    const seen: string[] = [];
    let ContinuationToken: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await c.send(new ListBucketsCommand({ Prefix, MaxBuckets: 2, ContinuationToken }));
      expect(page.Buckets!.length).toBeLessThanOrEqual(2);
      expect(page.Prefix).toBe(Prefix);
      seen.push(...page.Buckets!.map((x) => x.Name!));
      for (const x of page.Buckets!) expect(x.BucketRegion).toBe('us-east-1');
      ContinuationToken = page.ContinuationToken;
      if (!ContinuationToken) break;
    }
    expect(seen).toEqual(names);
    const here = await c.send(new ListBucketsCommand({ Prefix, BucketRegion: 'us-east-1' }));
    expect(here.Buckets!.map((x) => x.Name)).toEqual(names);
    const elsewhere = await c.send(new ListBucketsCommand({ Prefix, BucketRegion: 'eu-west-1' }));
    expect(elsewhere.Buckets ?? []).toEqual([]);
    await expectS3Error(c.send(new ListBucketsCommand({ MaxBuckets: 0 })), 'InvalidArgument', 400);
    await expectS3Error(c.send(new ListBucketsCommand({ MaxBuckets: 10001 })), 'InvalidArgument', 400);
  });

  it('CreateBucket again by its owner in us-east-1 → 200 (S3 legacy behaviour there; elsewhere BucketAlreadyOwnedByYou)', async () => {
    const c = s3();
    await c.send(new CreateBucketCommand({ Bucket: b('twice') }));
    const again = await c.send(new CreateBucketCommand({ Bucket: b('twice') }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect(again.Location).toBe(`/${b('twice')}`);
  });

  it('DeleteBucket of a missing bucket → NoSuchBucket 404', async () => {
    await expectS3Error(s3().send(new DeleteBucketCommand({ Bucket: b('never-created') })), 'NoSuchBucket', 404);
  });

  it('HeadBucket of a missing bucket → 404 without body', async () => {
    await expectS3Error(s3().send(new HeadBucketCommand({ Bucket: b('missing') })), 'NotFound', 404);
  });

  it('GetBucketLocation of a missing bucket → NoSuchBucket', async () => {
    await expectS3Error(s3().send(new GetBucketLocationCommand({ Bucket: b('missing') })), 'NoSuchBucket', 404);
  });

  it('DeleteBucket → BucketNotEmpty 409 while an object exists, then succeeds once it is deleted', async () => {
    const c = s3();
    const name = b('not-empty');
    await c.send(new CreateBucketCommand({ Bucket: name }));
    await c.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x' }));
    await expectS3Error(c.send(new DeleteBucketCommand({ Bucket: name })), 'BucketNotEmpty', 409);
    await c.send(new HeadBucketCommand({ Bucket: name }));
    await c.send(new DeleteObjectCommand({ Bucket: name, Key: 'k' }));
    await c.send(new DeleteBucketCommand({ Bucket: name }));
    await expectS3Error(c.send(new HeadBucketCommand({ Bucket: name })), 'NotFound', 404);
  });

  it('DeleteBucket → BucketNotEmpty 409 while only a multipart upload is in progress', async () => {
    const c = s3();
    const name = b('live-upload');
    await c.send(new CreateBucketCommand({ Bucket: name }));
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: name, Key: 'pending' }));
    await expectS3Error(c.send(new DeleteBucketCommand({ Bucket: name })), 'BucketNotEmpty', 409);
    const uploads = await c.send(new ListMultipartUploadsCommand({ Bucket: name }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
    await c.send(new AbortMultipartUploadCommand({ Bucket: name, Key: 'pending', UploadId }));
    await c.send(new DeleteBucketCommand({ Bucket: name }));
  });

  it('a deleted bucket can be created again and starts empty', async () => {
    const c = s3();
    const name = b('reborn');
    await c.send(new CreateBucketCommand({ Bucket: name }));
    await c.send(new PutObjectCommand({ Bucket: name, Key: 'old', Body: 'x' }));
    await c.send(new DeleteObjectCommand({ Bucket: name, Key: 'old' }));
    await c.send(new DeleteBucketCommand({ Bucket: name }));
    await c.send(new CreateBucketCommand({ Bucket: name }));
    const l = await c.send(new ListObjectsV2Command({ Bucket: name }));
    expect(l.KeyCount).toBe(0);
    await expectS3Error(c.send(new GetObjectCommand({ Bucket: name, Key: 'old' })), 'NoSuchKey', 404);
  });

  it('object operations on a missing bucket → NoSuchBucket 404', async () => {
    const c = s3();
    const Bucket = b('no-such');
    await expectS3Error(c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
    await expectS3Error(c.send(new GetObjectCommand({ Bucket, Key: 'k' })), 'NoSuchBucket', 404);
    await expectS3Error(c.send(new HeadObjectCommand({ Bucket, Key: 'k' })), 'NotFound', 404);
    await expectS3Error(c.send(new DeleteObjectCommand({ Bucket, Key: 'k' })), 'NoSuchBucket', 404);
    await expectS3Error(c.send(new ListObjectsV2Command({ Bucket })), 'NoSuchBucket', 404);
    await expectS3Error(c.send(new CreateMultipartUploadCommand({ Bucket, Key: 'k' })), 'NoSuchBucket', 404);
    await expectS3Error(c.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'k' }] } })), 'NoSuchBucket', 404);
    await expectS3Error(c.send(new ListMultipartUploadsCommand({ Bucket })), 'NoSuchBucket', 404);
  });

  it('CopyObject from a missing source bucket → NoSuchBucket', async () => {
    const c = s3();
    await c.send(new CreateBucketCommand({ Bucket: b('copy-dst') }));
    await expectS3Error(
      c.send(new CopyObjectCommand({ Bucket: b('copy-dst'), Key: 'k', CopySource: `${b('copy-src-missing')}/k` })),
      'NoSuchBucket',
      404,
    );
  });
});

describe('bucket names', () => {
  // The SDK itself refuses some names for virtual-hosted style, so names are checked path style.
  const bad = [
    'ab', // too short
    'a'.repeat(64), // too long
    'UpperCase',
    'under_score',
    '-leading-dash',
    'trailing-dash-',
    'dots..adjacent',
    '192.168.5.4', // IP address form
    'xn--punycode-prefix',
    'suffix-s3alias',
    'has space',
  ];
  it.each(bad)('CreateBucket %j → InvalidBucketName 400', async (Bucket) => {
    await expectS3Error(s3Client(gw).send(new CreateBucketCommand({ Bucket })), 'InvalidBucketName', 400);
  });

  it.each(['abc', 'a'.repeat(63), 'with.dots.ok', 'digits-123', '0starts-with-digit'])('CreateBucket %j is accepted', async (Bucket) => {
    const c = s3Client(gw);
    await c.send(new CreateBucketCommand({ Bucket }));
    await c.send(new HeadBucketCommand({ Bucket }));
    await c.send(new DeleteBucketCommand({ Bucket }));
  });

  it('CreateBucket with a LocationConstraint body for our region', async () => {
    const c = s3Client(gw);
    // The SDK refuses us-east-1 as a constraint only in some versions; send the document raw as well.
    const res = await rawRequest(gw, {
      method: 'PUT',
      path: '/with-location',
      body:
        '<?xml version="1.0" encoding="UTF-8"?><CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
    });
    expect(res.status).toBe(200);
    await c.send(new HeadBucketCommand({ Bucket: 'with-location' }));
    const loc = await c.send(new GetBucketLocationCommand({ Bucket: 'with-location' }));
    expect(loc.LocationConstraint ?? '').toBe('');
  });

  it('CreateBucket with a LocationConstraint for another region → error, bucket not created', async () => {
    const c = s3Client(gw);
    const err = await c.send(new CreateBucketCommand({ Bucket: 'other-region', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })).then(
      () => undefined,
      (e: { name: string; $metadata: { httpStatusCode: number } }) => e,
    );
    expect(err).toBeDefined();
    // AWS answers IllegalLocationConstraintException; InvalidLocationConstraint is the older code.
    expect(['IllegalLocationConstraintException', 'InvalidLocationConstraint']).toContain(err!.name);
    expect(err!.$metadata.httpStatusCode).toBe(400);
    await expectS3Error(c.send(new HeadBucketCommand({ Bucket: 'other-region' })), 'NotFound', 404);
  });

  it('CreateBucket with a malformed configuration body → MalformedXML 400', async () => {
    const res = await rawRequest(gw, { method: 'PUT', path: '/bad-config', body: '<CreateBucketConfiguration><LocationConstraint>' });
    expect(res.status).toBe(400);
    expectErrorXml(res.text, 'MalformedXML', res.headers['x-amz-request-id'] as string);
  });
});
