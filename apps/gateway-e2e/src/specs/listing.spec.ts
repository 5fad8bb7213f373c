import {
  CreateBucketCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectErrorXml, expectS3Error, parseXml } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

const gw = useGateway();
const Bucket = 'listing';
let s3: S3Client;

// Byte order of UTF-8 differs from JS string order for astral characters: 'ｚ' (EF BD 9A) < '😀' (F0 9F ...).
const KEYS = [
  'a', 'a/1', 'a/2', 'a/b/1', 'a/b/2', 'a/c/', 'a/c/x', 'aa', 'ab/1',
  'b--1', 'b--2--x', 'b--3--y', 'b-x', 'B/upper',
  'c d/e f', 'c+d/x', 'é/1', 'ｚ', '😀', 'z/1', 'z/2', 'z/3', 'zz',
];
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** What S3 must list: keys under `prefix`, with keys sharing prefix..delimiter rolled up. */
function model(prefix = '', delimiter?: string): { keys: string[]; prefixes: string[]; entries: string[] } {
  const keys: string[] = [];
  const prefixes = new Set<string>();
  const entries: string[] = [];
  for (const k of [...KEYS].sort(byteOrder)) {
    if (!k.startsWith(prefix)) continue;
    const i = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    if (i >= 0) {
      const p = k.slice(0, i + delimiter!.length);
      if (!prefixes.has(p)) entries.push(p);
      prefixes.add(p);
    } else {
      keys.push(k);
      entries.push(k);
    }
  }
  return { keys, prefixes: [...prefixes], entries };
}

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await Promise.all(KEYS.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }))));
  await s3.send(new CreateBucketCommand({ Bucket: 'listing-empty' }));
});

describe('ListObjectsV2', () => {
  it('lists every key in UTF-8 byte order with size, ETag, LastModified, StorageClass', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(r.Contents?.map((o) => o.Key)).toEqual([...KEYS].sort(byteOrder));
    expect(r.KeyCount).toBe(KEYS.length);
    expect(r.IsTruncated).toBe(false);
    expect(r.Name).toBe(Bucket);
    expect(r.MaxKeys).toBe(1000);
    const a1 = r.Contents!.find((o) => o.Key === 'a/1')!;
    expect(a1.Size).toBe(3);
    expect(a1.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(a1.LastModified).toBeInstanceOf(Date);
    expect(a1.StorageClass).toBe('STANDARD');
    expect(a1.Owner).toBeUndefined();
  });

  it.each([
    ['', '/'],
    ['a/', '/'],
    ['a', '/'],
    ['a/b', '/'],
    ['a/c/', '/'], // the key 'a/c/' equals the prefix: a Content, not a CommonPrefix
    ['', '--'],
    ['b--', '--'],
    ['z', undefined],
    ['nothing-here', '/'],
  ])('prefix %j, delimiter %j: Contents, CommonPrefixes and KeyCount', async (Prefix, Delimiter) => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix, Delimiter }));
    const m = model(Prefix, Delimiter);
    expect((r.Contents ?? []).map((o) => o.Key)).toEqual(m.keys);
    expect((r.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(m.prefixes);
    expect(r.KeyCount).toBe(m.keys.length + m.prefixes.length);
    expect(r.Prefix ?? '').toBe(Prefix);
    expect(r.Delimiter).toBe(Delimiter);
  });

  it.each([
    [1, '', undefined],
    [2, '', '/'],
    [3, 'a/', '/'],
    [1, '', '--'],
    [4, 'z', '/'],
    [7, '', undefined],
  ])('walks every page with max-keys %d (prefix %j, delimiter %j) and sees each entry exactly once', async (MaxKeys, Prefix, Delimiter) => {
    const m = model(Prefix, Delimiter);
    const seen: string[] = [];
    let ContinuationToken: string | undefined;
    let pages = 0;
    for (;;) {
      const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix, Delimiter, MaxKeys, ContinuationToken }));
      pages++;
      const entries = [...(r.Contents ?? []).map((o) => o.Key!), ...(r.CommonPrefixes ?? []).map((p) => p.Prefix!)].sort(byteOrder);
      expect(r.KeyCount).toBe(entries.length);
      expect(entries.length).toBeLessThanOrEqual(MaxKeys);
      expect(r.ContinuationToken).toBe(ContinuationToken);
      seen.push(...entries);
      if (!r.IsTruncated) {
        expect(r.NextContinuationToken).toBeUndefined();
        break;
      }
      expect(entries.length).toBe(MaxKeys);
      expect(r.NextContinuationToken).toBeTruthy();
      ContinuationToken = r.NextContinuationToken;
      expect(pages).toBeLessThan(100);
    }
    expect(seen).toEqual(m.entries);
  });

  it('start-after skips keys up to and including it (and is echoed); a continuation token wins over it', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, StartAfter: 'b-x' }));
    expect(r.StartAfter).toBe('b-x');
    expect(r.Contents?.map((o) => o.Key)).toEqual([...KEYS].sort(byteOrder).filter((k) => byteOrder(k, 'b-x') > 0));
    const p1 = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2 }));
    const p2 = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2, ContinuationToken: p1.NextContinuationToken, StartAfter: 'zz' }));
    expect(p2.Contents?.map((o) => o.Key)).toEqual([...KEYS].sort(byteOrder).slice(2, 4));
  });

  it('start-after with a delimiter does not repeat the prefix it points into', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', StartAfter: 'a/' }));
    const prefixes = (r.CommonPrefixes ?? []).map((p) => p.Prefix);
    expect(prefixes).not.toContain('a/');
    expect(r.Contents?.map((o) => o.Key)).toContain('aa');
  });

  it('max-keys 0 → no entries, not truncated', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 0 }));
    expect(r.KeyCount).toBe(0);
    expect(r.Contents).toBeUndefined();
    expect(r.MaxKeys).toBe(0);
    expect(r.IsTruncated).toBe(false);
  });

  it('fetch-owner adds Owner to each entry', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'a/', FetchOwner: true }));
    for (const o of r.Contents ?? []) expect(o.Owner?.ID).toBeTruthy();
  });

  it('an empty bucket lists nothing', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: 'listing-empty' }));
    expect(r.KeyCount).toBe(0);
    expect(r.Contents).toBeUndefined();
    expect(r.IsTruncated).toBe(false);
  });

  it('an empty continuation-token is no token: the listing starts at start-after, or at the beginning', async () => {
    const r = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { 'list-type': '2', 'continuation-token': '', 'max-keys': '2' } });
    expect(r.status).toBe(200);
    const keys = [...r.text.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]);
    expect(keys).toEqual([...KEYS].sort(byteOrder).slice(0, 2));
    expect(r.text).not.toContain('<ContinuationToken>');
    const after = await rawRequest(gw, {
      method: 'GET',
      path: `/${Bucket}`,
      query: { 'list-type': '2', 'continuation-token': '', 'start-after': 'b', 'max-keys': '1' },
    });
    expect([...after.text.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1])).toEqual(['b--1']);
  });

  it('encoding-type=url echoes encoded exactly the elements AWS encodes: V1 Prefix/Marker/Delimiter, V2 Prefix/StartAfter/Delimiter', async () => {
    const v1 = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { 'encoding-type': 'url', prefix: 'c d/', marker: 'c d/a b', delimiter: ' ' } });
    expect(v1.text).toContain('<Prefix>c%20d/</Prefix>');
    expect(v1.text).toContain('<Marker>c%20d/a%20b</Marker>');
    expect(v1.text).toContain('<Delimiter>%20</Delimiter>');
    const first = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 }));
    const v2 = await rawRequest(gw, {
      method: 'GET',
      path: `/${Bucket}`,
      query: { 'list-type': '2', 'encoding-type': 'url', prefix: 'c d/', 'start-after': 'c d/a b', 'continuation-token': first.NextContinuationToken! },
    });
    expect(v2.text).toContain('<Prefix>c%20d/</Prefix>');
    expect(v2.text).toContain('<StartAfter>c%20d/a%20b</StartAfter>');
    expect(v2.text).toContain(`<ContinuationToken>${first.NextContinuationToken}</ContinuationToken>`); // opaque, never encoded
  });

  it('an invalid continuation token → InvalidArgument 400', async () => {
    await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: 'not!a!token' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: 'AAAA' })), 'InvalidArgument', 400);
  });

  it('max-keys that is not a non-negative integer → InvalidArgument 400; an invalid encoding-type → InvalidArgument 400', async () => {
    for (const v of ['-1', 'abc']) {
      const r = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { 'list-type': '2', 'max-keys': v } });
      expect(r.status).toBe(400);
      expectErrorXml(r.text, 'InvalidArgument');
    }
    const r = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { 'list-type': '2', 'encoding-type': 'base64' } });
    expect(r.status).toBe(400);
    expectErrorXml(r.text, 'InvalidArgument');
  });

  it('max-keys above 1000 is capped at 1000', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 5000 }));
    expect(r.Contents?.length).toBe(KEYS.length);
    expect(r.MaxKeys).toBeLessThanOrEqual(1000);
  });
});

describe('encoding-type=url', () => {
  const AWKWARD = ['enc/a b', 'enc/x+y', 'enc/ü/ß', 'enc/100%', 'enc/q?&=#', 'enc/tab\there', 'enc/<amp&>'];
  beforeAll(async () => {
    await Promise.all(AWKWARD.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))));
  });
  // AWS percent-encodes (a space is %20, a '+' %2B): both decodeURIComponent and botocore's unquote_plus
  // give the original back.
  const decode = (s: string) => decodeURIComponent(s);

  it('V2: Key, Prefix, Delimiter, StartAfter and CommonPrefixes come back URL-encoded', async () => {
    const r = await rawRequest(gw, {
      method: 'GET',
      path: `/${Bucket}`,
      query: { 'list-type': '2', 'encoding-type': 'url', prefix: 'enc/', 'start-after': 'enc/ ' },
    });
    expect(r.status).toBe(200);
    const doc = parseXml(r.text)['ListBucketResult'] as Record<string, unknown>;
    expect(doc['EncodingType']).toBe('url');
    const contents = ([] as { Key: string }[]).concat(doc['Contents'] as { Key: string }[]);
    const raw = contents.map((c) => c.Key);
    for (const k of raw) expect(k).toMatch(/^[A-Za-z0-9%\-_./*]*$/);
    expect(raw).toContain('enc/a%20b');
    expect(raw).toContain('enc/x%2By');
    expect(raw.map(decode)).toEqual([...AWKWARD].sort(byteOrder));
    expect(decode(doc['StartAfter'] as string)).toBe('enc/ ');
    expect(doc['Prefix']).toBe('enc/');
  });

  it('V2 with the SDK: keys decode to the originals, common prefixes too', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'enc/', EncodingType: 'url', Delimiter: '/' }));
    const keys = (r.Contents ?? []).map((o) => decode(o.Key!));
    const prefixes = (r.CommonPrefixes ?? []).map((p) => decode(p.Prefix!));
    expect(keys).toEqual(['enc/<amp&>', 'enc/a b', 'enc/q?&=#', 'enc/tab\there', 'enc/x+y', 'enc/100%'].sort(byteOrder));
    expect(prefixes).toEqual(['enc/ü/']);
  });

  it('V1: Marker, NextMarker and keys come back URL-encoded', async () => {
    const r = await rawRequest(gw, {
      method: 'GET',
      path: `/${Bucket}`,
      query: { 'encoding-type': 'url', prefix: 'enc/', delimiter: '/', 'max-keys': '2', marker: 'enc/ ' },
    });
    expect(r.status).toBe(200);
    const doc = parseXml(r.text)['ListBucketResult'] as Record<string, unknown>;
    expect(decode(doc['Marker'] as string)).toBe('enc/ ');
    expect(doc['IsTruncated']).toBe('true');
    expect(typeof doc['NextMarker']).toBe('string');
    const contents = ([] as { Key: string }[]).concat(doc['Contents'] as { Key: string }[]);
    expect(contents.map((c) => decode(c.Key))).toEqual([...AWKWARD].sort(byteOrder).filter((k) => !k.startsWith('enc/ü/')).slice(0, 2));
    expect(decode(doc['NextMarker'] as string)).toBe(decode(contents[1].Key));
  });
});

describe('ListObjects (v1)', () => {
  it('lists with prefix and delimiter; Owner is always present', async () => {
    const r = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'a/', Delimiter: '/' }));
    const m = model('a/', '/');
    expect((r.Contents ?? []).map((o) => o.Key)).toEqual(m.keys);
    expect((r.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(m.prefixes);
    for (const o of r.Contents ?? []) expect(o.Owner?.ID).toBeTruthy();
    expect(r.IsTruncated).toBe(false);
    expect(r.NextMarker).toBeUndefined();
  });

  it('without a delimiter there is no NextMarker: clients resume from the last key (marker)', async () => {
    const seen: string[] = [];
    let Marker: string | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 4, Marker, Prefix: '' }));
      expect(r.NextMarker).toBeUndefined();
      expect(r.Marker ?? '').toBe(Marker ?? '');
      const keys = (r.Contents ?? []).map((o) => o.Key!);
      seen.push(...keys);
      if (!r.IsTruncated) break;
      expect(keys.length).toBe(4);
      Marker = keys[keys.length - 1];
    }
    expect(seen.filter((k) => !k.startsWith('enc/'))).toEqual([...KEYS].sort(byteOrder));
  });

  it.each(['/', '--'])('with delimiter %j, NextMarker walks every page, each entry once', async (Delimiter) => {
    const m = model('', Delimiter);
    const seen: string[] = [];
    let Marker: string | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 2, Marker, Delimiter }));
      const entries = [...(r.Contents ?? []).map((o) => o.Key!), ...(r.CommonPrefixes ?? []).map((p) => p.Prefix!)].sort(byteOrder);
      seen.push(...entries);
      if (!r.IsTruncated) {
        expect(r.NextMarker).toBeUndefined();
        break;
      }
      expect(r.NextMarker).toBe(entries[entries.length - 1]);
      Marker = r.NextMarker;
    }
    expect(seen.filter((k) => !k.startsWith('enc/'))).toEqual(m.entries);
  });

  it('max-keys 0 → nothing, not truncated', async () => {
    const r = await s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 0 }));
    expect(r.Contents).toBeUndefined();
    expect(r.IsTruncated).toBe(false);
  });
});

describe('a bucket with more than 1000 keys', () => {
  const B = 'listing-many';
  const N = 1234;
  const name = (i: number) => `k/${String(i).padStart(5, '0')}`;
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => s3.send(new PutObjectCommand({ Bucket: B, Key: name(i + j), Body: 'x' }))));
    }
  }, 60_000);

  it('V2 pages at 1000 by default and the second page holds the rest', async () => {
    const p1 = await s3.send(new ListObjectsV2Command({ Bucket: B }));
    expect(p1.KeyCount).toBe(1000);
    expect(p1.IsTruncated).toBe(true);
    expect(p1.Contents![999].Key).toBe(name(999));
    const p2 = await s3.send(new ListObjectsV2Command({ Bucket: B, ContinuationToken: p1.NextContinuationToken }));
    expect(p2.KeyCount).toBe(N - 1000);
    expect(p2.IsTruncated).toBe(false);
    expect(p2.Contents![0].Key).toBe(name(1000));
  });

  it('V1 pages at 1000 by default; the delimiter rolls everything into one prefix', async () => {
    const p1 = await s3.send(new ListObjectsCommand({ Bucket: B }));
    expect(p1.Contents?.length).toBe(1000);
    expect(p1.IsTruncated).toBe(true);
    const grouped = await s3.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/' }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['k/']);
    expect(grouped.Contents).toBeUndefined();
    expect(grouped.IsTruncated).toBe(false);
  });
});

describe('a listing page larger than one piece of XML, with multibyte keys', () => {
  const B = 'listing-multibyte';
  // 400 keys of ~120 UTF-8 bytes: the page is written in several pieces, split between characters of
  // two- and three-byte encodings; Content-Length must count bytes, not characters.
  const name = (i: number) => `данные/${String(i).padStart(4, '0')}/ключ-€-ü-${'é'.repeat(20)}`;
  const N = 400;
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => s3.send(new PutObjectCommand({ Bucket: B, Key: name(i + j), Body: 'x' }))));
    }
  }, 60_000);

  it('Content-Length is the body\'s byte count and every key comes back whole, in order', async () => {
    const r = await rawRequest(gw, { method: 'GET', path: `/${B}`, query: { 'list-type': '2' } });
    expect(r.status).toBe(200);
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeGreaterThan(100_000);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: B }));
    expect(listed.KeyCount).toBe(N);
    expect(listed.Contents!.map((o) => o.Key)).toEqual(Array.from({ length: N }, (_, i) => name(i)));
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: B, MaxKeys: 250 }));
    expect(v1.Contents!.map((o) => o.Key)).toEqual(Array.from({ length: 250 }, (_, i) => name(i)));
  });
});
