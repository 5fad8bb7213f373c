import type { ObjectVersion } from '@massive/contracts';
import { S3Error } from '@massive/s3-protocol';
import { notModifiedHeaders, objectResponseHeaders, parseObjectHeaders, stripAwsChunked, websiteRedirectOf } from './object-headers';

describe('object headers', () => {
  it('keeps what S3 keeps and drops the aws-chunked content coding', () => {
    const h = parseObjectHeaders({
      'content-type': 'text/plain',
      'content-encoding': 'aws-chunked,gzip',
      'content-disposition': 'attachment; filename="a.txt"',
      'content-language': 'en',
      'cache-control': 'max-age=60',
      expires: 'Thu, 01 Dec 2044 16:00:00 GMT',
      'x-amz-meta-colour': 'blue',
      'x-amz-meta-empty': '',
      'x-amz-date': 'ignored',
    });
    expect(h).toEqual({
      contentType: 'text/plain',
      contentEncoding: 'gzip',
      contentDisposition: 'attachment; filename="a.txt"',
      contentLanguage: 'en',
      cacheControl: 'max-age=60',
      expires: 'Thu, 01 Dec 2044 16:00:00 GMT',
      userMetadata: { colour: 'blue', empty: '' },
    });
    expect(parseObjectHeaders({ 'content-encoding': 'aws-chunked' }).contentEncoding).toBeUndefined();
  });

  it('stores UTF-8 metadata as the text the client sent and answers it RFC 2047-encoded, as AWS does', () => {
    const wire = Buffer.from('héllo wörld', 'utf8').toString('latin1'); // how Node hands the header over
    const h = parseObjectHeaders({ 'x-amz-meta-name': wire, 'x-amz-meta-plain': 'ascii', 'x-amz-meta-raw': '\xff\xfe' });
    expect(h.userMetadata).toEqual({ name: 'héllo wörld', plain: 'ascii', raw: '\xff\xfe' });
    const v = { size: 1, etag: 'e', lastModified: 0, versionId: 'v', headers: h, data: { kind: 'inline', bytes: Buffer.alloc(1) } } as unknown as ObjectVersion;
    const out = objectResponseHeaders(v, new URLSearchParams(), false);
    expect(out['x-amz-meta-name']).toBe(`=?UTF-8?B?${Buffer.from('héllo wörld').toString('base64')}?=`);
    expect(out['x-amz-meta-plain']).toBe('ascii');
  });

  it('takes a website redirect location as S3 does: a key path or an http(s) URL, at most 2 KiB, answered on GET/HEAD', () => {
    const code = (v: string): string => {
      try {
        websiteRedirectOf({ 'x-amz-website-redirect-location': v });
        return 'ok';
      } catch (e) {
        return (e as S3Error).code;
      }
    };
    for (const ok of ['/other.html', 'http://example.com/', 'https://example.com/a?b=c', `/${'a'.repeat(2047)}`]) expect(code(ok)).toBe('ok');
    for (const bad of ['other.html', 'ftp://example.com/', 'javascript:alert(1)', `/${'a'.repeat(2048)}`]) {
      expect(code(bad)).toBe('InvalidRedirectLocation');
    }
    expect(websiteRedirectOf({ 'x-amz-website-redirect-location': '' })).toBeUndefined();
    expect(websiteRedirectOf({})).toBeUndefined();
    const h = parseObjectHeaders({ 'x-amz-website-redirect-location': '/new/' });
    expect(h.websiteRedirectLocation).toBe('/new/');
    const v = { size: 1, etag: 'e', lastModified: 0, versionId: 'v', headers: h, data: { kind: 'inline', bytes: Buffer.alloc(1) } } as unknown as ObjectVersion;
    expect(objectResponseHeaders(v, new URLSearchParams(), false)['x-amz-website-redirect-location']).toBe('/new/');
    expect(objectResponseHeaders({ ...v, headers: { userMetadata: {} } }, new URLSearchParams(), false)['x-amz-website-redirect-location']).toBeUndefined();
  });

  it('limits user metadata to 2 KiB', () => {
    expect(() => parseObjectHeaders({ 'x-amz-meta-a': 'x'.repeat(2047) })).not.toThrow();
    expect(() => parseObjectHeaders({ 'x-amz-meta-a': 'x'.repeat(2048) })).toThrow(expect.objectContaining({ code: 'MetadataTooLarge' }));
  });

  it('counts names and values in wire bytes across headers, against a configurable maximum', () => {
    // 'Ã©' is how Node presents the two UTF-8 bytes of 'é' (latin1): two bytes, not four.
    const twoByte = { 'x-amz-meta-k': 'Ã©'.repeat(511), 'x-amz-meta-l': '' }; // 1 + 1022 + 1 + 0 = 1024
    expect(() => parseObjectHeaders(twoByte, 1024)).not.toThrow();
    expect(() => parseObjectHeaders({ ...twoByte, 'x-amz-meta-m': '' }, 1024)).toThrow(
      expect.objectContaining({ code: 'MetadataTooLarge', extra: { Size: '1025', MaxSizeAllowed: '1024' } }),
    );
    expect(() => parseObjectHeaders({ 'content-type': 'x'.repeat(4000) }, 10)).not.toThrow(); // only x-amz-meta-* counts
  });

  const v: ObjectVersion = {
    bucket: 'b',
    key: 'k',
    versionId: 'v1',
    size: 3,
    etag: 'abc',
    lastModified: Date.parse('2024-01-02T03:04:05Z'),
    headers: { contentType: 'text/plain', userMetadata: { a: '1' } },
    checksum: { algorithm: 'CRC32', value: 'AAAAAA==', type: 'FULL_OBJECT' },
    data: { kind: 'inline', bytes: Buffer.from('abc') },
  };

  it('renders GET headers with response-* overrides and checksums only on request', () => {
    const plain = objectResponseHeaders(v, new URLSearchParams(), false);
    expect(plain).toMatchObject({ ETag: '"abc"', 'Last-Modified': 'Tue, 02 Jan 2024 03:04:05 GMT', 'Content-Type': 'text/plain', 'x-amz-meta-a': '1' });
    expect(plain['x-amz-checksum-crc32']).toBeUndefined();
    const over = objectResponseHeaders(v, new URLSearchParams('response-content-type=image/png&response-cache-control=no-cache'), true);
    expect(over).toMatchObject({ 'Content-Type': 'image/png', 'Cache-Control': 'no-cache', 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-type': 'FULL_OBJECT' });
  });

  it('a 304 keeps the validators and caching headers of the version', () => {
    expect(notModifiedHeaders(v)).toEqual({ ETag: '"abc"', 'Last-Modified': 'Tue, 02 Jan 2024 03:04:05 GMT' });
    const cached = { ...v, headers: { ...v.headers, cacheControl: 'max-age=60', expires: 'Thu, 01 Dec 2044 16:00:00 GMT' } };
    expect(notModifiedHeaders(cached)).toMatchObject({ 'Cache-Control': 'max-age=60', Expires: 'Thu, 01 Dec 2044 16:00:00 GMT' });
  });
});

describe('stripAwsChunked', () => {
  it.each([
    ['aws-chunked', undefined],
    ['aws-chunked,deflate, gzip', 'deflate, gzip'],
    ['deflate, gzip,aws-chunked', 'deflate, gzip'],
    ['deflate, AWS-Chunked, gzip', 'deflate, gzip'],
    ['gzip', 'gzip'],
    ['deflate,  gzip', 'deflate,  gzip'],
  ])('%j is stored as %j', (sent, stored) => {
    expect(stripAwsChunked(sent)).toBe(stored);
  });
});
