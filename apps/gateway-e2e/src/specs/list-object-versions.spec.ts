import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { rawRequest } from '../support/raw-http';
import { expectErrorXml, expectS3Error, parseXml } from '../support/s3-assert';
import { useGateway } from '../support/server';

const gw = useGateway();

/** Versions and markers of a page in listing order, as `key@id[*][ marker]` (`*`: IsLatest). */
function entries(page: ListObjectVersionsCommandOutput, ids: Map<string, string>): string[] {
  const all = [
    ...(page.Versions ?? []).map((v) => ({ key: v.Key ?? '', id: v.VersionId ?? '', latest: v.IsLatest, marker: false, t: v.LastModified })),
    ...(page.DeleteMarkers ?? []).map((m) => ({ key: m.Key ?? '', id: m.VersionId ?? '', latest: m.IsLatest, marker: true, t: m.LastModified })),
  ];
  // The SDK splits the two kinds; the document interleaves them by key, newest first (ids sort by time here).
  all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id === 'null' || b.id === 'null' ? 0 : a.id < b.id ? 1 : -1));
  return all.map((e) => `${e.key}@${ids.get(e.id) ?? e.id}${e.latest ? '*' : ''}${e.marker ? ' marker' : ''}`);
}

describe('ListObjectVersions', () => {
  const Bucket = 'list-versions';
  let s3: S3Client;
  /** version id → readable name (a1, a2, ...). */
  const ids = new Map<string, string>();
  const put = async (Key: string, name: string): Promise<void> => {
    const r = await s3.send(new PutObjectCommand({ Bucket, Key, Body: name }));
    ids.set(r.VersionId ?? '', name);
  };
  const mark = async (Key: string, name: string): Promise<void> => {
    const r = await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    ids.set(r.VersionId ?? '', name);
  };

  beforeAll(async () => {
    s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/old', Body: 'null version' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await put('a', 'a1');
    await put('a', 'a2');
    await mark('a', 'am');
    await put('b c', 'b1');
    await put('dir/new', 'd1');
    await put('dir/new', 'd2');
    await mark('gone', 'gm');
  });

  it('lists versions and markers, newest first per key, with IsLatest', async () => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(page.IsTruncated).toBe(false);
    expect(entries(page, ids)).toEqual(['a@am* marker', 'a@a2', 'a@a1', 'b c@b1*', 'dir/new@d2*', 'dir/new@d1', 'dir/old@null*', 'gone@gm* marker']);
    const v = page.Versions?.find((x) => ids.get(x.VersionId ?? '') === 'a1');
    expect(v).toMatchObject({ Size: 2, ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/), StorageClass: 'STANDARD' });
    expect(v?.Owner?.ID).toBeTruthy();
  });

  it('interleaves Version and DeleteMarker elements in the document itself', async () => {
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { versions: '', prefix: 'a' } });
    expect(raw.status).toBe(200);
    const order = [...raw.text.matchAll(/<(Version|DeleteMarker)>/g)].map((m) => m[1]);
    expect(order).toEqual(['DeleteMarker', 'Version', 'Version']);
  });

  it('pages with MaxKeys, NextKeyMarker and NextVersionIdMarker, resuming inside a key', async () => {
    const seen: string[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    let pages = 0;
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 2, ...markers }));
      pages++;
      seen.push(...entries(page, ids));
      if (!page.IsTruncated) break;
      expect(page.NextKeyMarker).toBeDefined();
      markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(['a@am* marker', 'a@a2', 'a@a1', 'b c@b1*', 'dir/new@d2*', 'dir/new@d1', 'dir/old@null*', 'gone@gm* marker']);
  });

  it('rolls up CommonPrefixes with a delimiter, and filters by prefix', async () => {
    const top = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: '/' }));
    expect(top.CommonPrefixes).toEqual([{ Prefix: 'dir/' }]);
    expect(entries(top, ids)).toEqual(['a@am* marker', 'a@a2', 'a@a1', 'b c@b1*', 'gone@gm* marker']);
    const dir = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'dir/' }));
    expect(entries(dir, ids)).toEqual(['dir/new@d2*', 'dir/new@d1', 'dir/old@null*']);
    expect(dir.Prefix).toBe('dir/');
    // Resuming after the null version by its id `null`.
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker: 'dir/old', VersionIdMarker: 'null' }));
    expect(entries(after, ids)).toEqual(['gone@gm* marker']);
  });

  it('url-encodes keys and prefixes with encoding-type=url', async () => {
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { versions: '', prefix: 'b ', 'encoding-type': 'url' } });
    expect(raw.status).toBe(200);
    const doc = parseXml(raw.text)['ListVersionsResult'] as Record<string, unknown>;
    expect(doc['EncodingType']).toBe('url');
    expect(doc['Prefix']).toBe('b%20');
    expect((doc['Version'] as Record<string, string>)['Key']).toBe('b%20c');
  });

  it('refuses bad parameters with S3 errors', async () => {
    await expectS3Error(s3.send(new ListObjectVersionsCommand({ Bucket, VersionIdMarker: 'null' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker: 'a', VersionIdMarker: 'not-an-id' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new ListObjectVersionsCommand({ Bucket: 'no-such-bucket-lv' })), 'NoSuchBucket', 404);
    const bad = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { versions: '', 'max-keys': '-1' } });
    expect(bad.status).toBe(400);
    expectErrorXml(bad.text, 'InvalidArgument');
  });
});
