import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { rawRequest } from '../support/raw-http';
import { expectErrorXml, expectS3Error, patternBytes } from '../support/s3-assert';
import { useGateway } from '../support/server';

const MiB = 1024 * 1024;
const gw = useGateway();
const Bucket = 'tagging';
const Versioned = 'tagging-versioned';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
});

async function tagsOf(Key: string, VersionId?: string, B = Bucket): Promise<Tag[]> {
  return (await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key, VersionId }))).TagSet ?? [];
}

function many(n: number, prefix = 'k'): Tag[] {
  return Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));
}

describe('object tagging', () => {
  it('x-amz-tagging on PutObject: GetObjectTagging answers the set in order; GET/HEAD carry x-amz-tagging-count', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tagged', Body: 'x', Tagging: 'project=massive&team=storage%20core&caf%C3%A9=%E2%9C%93&empty=' }));
    expect(await tagsOf('tagged')).toEqual([
      { Key: 'project', Value: 'massive' },
      { Key: 'team', Value: 'storage core' },
      { Key: 'café', Value: '✓' },
      { Key: 'empty', Value: '' },
    ]);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'tagged' }))).TagCount).toBe(4);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'tagged' }));
    expect(got.TagCount).toBe(4);
    await got.Body!.transformToString();
  });

  it('an object without tags: empty TagSet, no x-amz-tagging-count', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: 'x' }));
    expect(await tagsOf('plain')).toEqual([]);
    const raw = await rawRequest(gw, { method: 'HEAD', path: `/${Bucket}/plain` });
    expect(raw.headers['x-amz-tagging-count']).toBeUndefined();
  });

  it('PutObjectTagging replaces the set in place; DeleteObjectTagging removes it; the object is untouched', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'retag', Body: 'body', Tagging: 'a=1' }));
    const before = await s3.send(new HeadObjectCommand({ Bucket, Key: 'retag' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'retag', Tagging: { TagSet: [{ Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }] } }));
    expect(await tagsOf('retag')).toEqual([{ Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }]);
    const after = await s3.send(new HeadObjectCommand({ Bucket, Key: 'retag' }));
    expect(after.ETag).toBe(put.ETag);
    expect(after.LastModified).toEqual(before.LastModified);
    expect(after.TagCount).toBe(2);
    const del = await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 'retag' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(await tagsOf('retag')).toEqual([]);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'retag' }))).TagCount).toBeUndefined();
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'retag' }));
    expect(await got.Body!.transformToString()).toBe('body');
    // An empty TagSet also removes every tag.
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'retag', Tagging: { TagSet: [{ Key: 'z', Value: '' }] } }));
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'retag', Tagging: { TagSet: [] } }));
    expect(await tagsOf('retag')).toEqual([]);
  });

  it("AWS's limits: 10 tags, 128/256-character keys/values, no duplicates, no aws: prefix → InvalidTag 400", async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'limits', Body: 'x' }));
    const limit = [...many(9), { Key: '😀'.repeat(128), Value: 'é'.repeat(256) }];
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'limits', Tagging: { TagSet: limit } }));
    expect(await tagsOf('limits')).toEqual(limit);
    const bad: Tag[][] = [
      many(11),
      [{ Key: 'k'.repeat(129), Value: 'v' }],
      [{ Key: 'k', Value: 'v'.repeat(257) }],
      [{ Key: 'same', Value: '1' }, { Key: 'same', Value: '2' }],
      [{ Key: 'aws:reserved', Value: 'v' }],
    ];
    for (const TagSet of bad) {
      await expectS3Error(s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'limits', Tagging: { TagSet } })), 'InvalidTag', 400);
    }
    // Refused requests changed nothing.
    expect(await tagsOf('limits')).toEqual(limit);
  });

  it('a bad x-amz-tagging refuses the PutObject and stores nothing', async () => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'refused', Body: 'x', Tagging: many(11).map((t) => `${t.Key}=${t.Value}`).join('&') })), 'InvalidTag', 400);
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'refused', Body: 'x', Tagging: 'a=1&a=2' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'refused', Body: 'x', Tagging: 'aws:x=1' })), 'InvalidTag', 400);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'refused' })), 'NotFound', 404);
  });

  it('a malformed Tagging document → MalformedXML; a missing key → NoSuchKey; a missing bucket → NoSuchBucket', async () => {
    for (const body of ['<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>', '<Tagging/>', 'k=v']) {
      const r = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}/plain`, query: { tagging: '' }, body });
      expect(r.status).toBe(400);
      expectErrorXml(r.text, 'MalformedXML', r.headers['x-amz-request-id'] as string);
    }
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'missing' })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'missing', Tagging: { TagSet: [] } })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 'missing' })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket: 'no-such-bucket-tags', Key: 'k' })), 'NoSuchBucket', 404);
  });

  it('CopyObject: the tagging directive COPY (default) keeps the source tags, REPLACE takes x-amz-tagging', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'source', Tagging: 'a=1&b=2', Metadata: { m: 'x' } }));
    const CopySource = `${Bucket}/src`;
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-default', CopySource, Tagging: 'ignored=1' }));
    expect(await tagsOf('copy-default')).toEqual([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-replace', CopySource, TaggingDirective: 'REPLACE', Tagging: 'c=3' }));
    expect(await tagsOf('copy-replace')).toEqual([{ Key: 'c', Value: '3' }]);
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-none', CopySource, TaggingDirective: 'REPLACE' }));
    expect(await tagsOf('copy-none')).toEqual([]);
    // The metadata directive and the tagging directive are independent.
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-meta', CopySource, MetadataDirective: 'REPLACE', Metadata: { n: 'y' } }));
    expect(await tagsOf('copy-meta')).toEqual([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy-meta' }))).Metadata).toEqual({ n: 'y' });
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-meta2', CopySource, TaggingDirective: 'REPLACE', Tagging: 'd=4' }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy-meta2' }))).Metadata).toEqual({ m: 'x' });
    await expectS3Error(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-bad', CopySource, TaggingDirective: 'MERGE' as 'COPY' })),
      'InvalidArgument',
      400,
    );
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-bad', CopySource, TaggingDirective: 'REPLACE', Tagging: 'aws:x=1' })), 'InvalidTag', 400);
  });

  it('multipart: x-amz-tagging on CreateMultipartUpload tags the completed object; UploadPartCopy copies no tags', async () => {
    const Key = 'mp-tagged';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, Tagging: 'kind=multipart&n=2' }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: patternBytes(5 * MiB, 1) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: patternBytes(1000, 2) }));
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
    );
    expect(await tagsOf(Key)).toEqual([{ Key: 'kind', Value: 'multipart' }, { Key: 'n', Value: '2' }]);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key }))).TagCount).toBe(2);

    const copyKey = 'mp-copy';
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: copyKey }));
    const cp = await s3.send(new UploadPartCopyCommand({ Bucket, Key: copyKey, UploadId: up.UploadId, PartNumber: 1, CopySource: `${Bucket}/${Key}` }));
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: copyKey, UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: cp.CopyPartResult!.ETag }] } }),
    );
    expect(await tagsOf(copyKey)).toEqual([]);
    // A bad x-amz-tagging refuses CreateMultipartUpload.
    await expectS3Error(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp-bad', Tagging: 'a=1&a=2' })), 'InvalidArgument', 400);
  });

  it('listing and DeleteObjects are unaffected by tags', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'copy-' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['copy-default', 'copy-meta', 'copy-meta2', 'copy-none', 'copy-replace']);
    const del = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'copy-default' }, { Key: 'copy-replace' }] } }));
    expect(del.Deleted?.map((d) => d.Key).sort()).toEqual(['copy-default', 'copy-replace']);
    expect((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'copy-' }))).KeyCount).toBe(3);
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'copy-default' })), 'NoSuchKey', 404);
  });
});

describe('object tagging on a versioned bucket', () => {
  it('tags belong to a version; versionId selects it; no new version is made; x-amz-version-id answers', async () => {
    const Key = 'vk';
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: Versioned, Key, Body: 'one', Tagging: 'gen=1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: Versioned, Key, Body: 'two', Tagging: 'gen=2' }))).VersionId!;
    const latest = await s3.send(new GetObjectTaggingCommand({ Bucket: Versioned, Key }));
    expect(latest.VersionId).toBe(v2);
    expect(latest.TagSet).toEqual([{ Key: 'gen', Value: '2' }]);
    const old = await s3.send(new GetObjectTaggingCommand({ Bucket: Versioned, Key, VersionId: v1 }));
    expect(old.VersionId).toBe(v1);
    expect(old.TagSet).toEqual([{ Key: 'gen', Value: '1' }]);

    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: Versioned, Key, VersionId: v1, Tagging: { TagSet: [{ Key: 'gen', Value: 'one' }] } }));
    expect(put.VersionId).toBe(v1);
    expect(await tagsOf(Key, v1, Versioned)).toEqual([{ Key: 'gen', Value: 'one' }]);
    expect(await tagsOf(Key, undefined, Versioned)).toEqual([{ Key: 'gen', Value: '2' }]);
    expect((await s3.send(new HeadObjectCommand({ Bucket: Versioned, Key, VersionId: v1 }))).TagCount).toBe(1);

    const del = await s3.send(new DeleteObjectTaggingCommand({ Bucket: Versioned, Key }));
    expect(del.VersionId).toBe(v2);
    expect(await tagsOf(Key, v1, Versioned)).toEqual([{ Key: 'gen', Value: 'one' }]);
    expect(await tagsOf(Key, v2, Versioned)).toEqual([]);

    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: Versioned, Prefix: Key }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v2, v1]);
    // A well-formed id of another key's version is no version of this key.
    const other = (await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'vk-other', Body: 'x' }))).VersionId!;
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket: Versioned, Key, VersionId: other })), 'NoSuchVersion', 404);
    await expectS3Error(s3.send(new PutObjectTaggingCommand({ Bucket: Versioned, Key, VersionId: other, Tagging: { TagSet: [] } })), 'NoSuchVersion', 404);
  });

  it('a delete marker: latest → NoSuchKey 404; named by id → MethodNotAllowed 405', async () => {
    const Key = 'vk-marked';
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: Versioned, Key, Body: 'one', Tagging: 'a=1' }))).VersionId!;
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key }))).VersionId!;
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket: Versioned, Key })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new PutObjectTaggingCommand({ Bucket: Versioned, Key, Tagging: { TagSet: [] } })), 'NoSuchKey', 404);
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket: Versioned, Key, VersionId: marker })), 'MethodNotAllowed', 405);
    // The version under the marker keeps its tags and can still be retagged by id.
    expect(await tagsOf(Key, v1, Versioned)).toEqual([{ Key: 'a', Value: '1' }]);
    await s3.send(new PutObjectTaggingCommand({ Bucket: Versioned, Key, VersionId: v1, Tagging: { TagSet: [{ Key: 'b', Value: '2' }] } }));
    expect(await tagsOf(Key, v1, Versioned)).toEqual([{ Key: 'b', Value: '2' }]);
  });
});

describe('bucket tagging', () => {
  it('a bucket without tags → NoSuchTagSet 404; Put (up to 50) / Get / Delete', async () => {
    const B = 'tagging-bucket';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await expectS3Error(s3.send(new GetBucketTaggingCommand({ Bucket: B })), 'NoSuchTagSet', 404);
    const fifty = many(50, 'cost-center-');
    const put = await s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: fifty } }));
    expect(put.$metadata.httpStatusCode).toBe(204);
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet).toEqual(fifty);
    await s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: 'env', Value: 'prod' }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet).toEqual([{ Key: 'env', Value: 'prod' }]);

    for (const TagSet of [many(51), [{ Key: '', Value: 'v' }], [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }], [{ Key: 'aws:x', Value: '1' }]]) {
      await expectS3Error(s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet } })), 'InvalidTag', 400);
    }
    const bad = await rawRequest(gw, { method: 'PUT', path: `/${B}`, query: { tagging: '' }, body: '<Tagging><Tag/></Tagging>' });
    expect(bad.status).toBe(400);
    expectErrorXml(bad.text, 'MalformedXML', bad.headers['x-amz-request-id'] as string);
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet).toEqual([{ Key: 'env', Value: 'prod' }]);

    const del = await s3.send(new DeleteBucketTaggingCommand({ Bucket: B }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(s3.send(new GetBucketTaggingCommand({ Bucket: B })), 'NoSuchTagSet', 404);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: B }));

    // Tags go with the bucket: a bucket made again under the name has none.
    await s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: 'env', Value: 'prod' }] } }));
    await s3.send(new DeleteBucketCommand({ Bucket: B }));
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await expectS3Error(s3.send(new GetBucketTaggingCommand({ Bucket: B })), 'NoSuchTagSet', 404);
  });

  it('a missing bucket → NoSuchBucket for every bucket tagging call', async () => {
    const B = 'no-such-bucket-tagging';
    await expectS3Error(s3.send(new GetBucketTaggingCommand({ Bucket: B })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new DeleteBucketTaggingCommand({ Bucket: B })), 'NoSuchBucket', 404);
  });
});
