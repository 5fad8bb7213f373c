import { PostFields, S3Error } from '@massive/s3-protocol';
import { formWrite, objectLocation, redirectLocation, successAction } from './post-form';

const fields = (o: Record<string, string>) => new PostFields(Object.entries(o));

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as S3Error).code;
  }
  return 'ok';
}

describe('formWrite', () => {
  it('turns object fields into the PUT headers they stand for, in wire form (UTF-8 bytes read as latin1)', () => {
    const w = formWrite(
      fields({
        key: 'k',
        'Content-Type': 'text/plain',
        'Cache-Control': 'no-cache',
        'X-Amz-Meta-Name': 'ünï',
        'x-amz-checksum-crc32': 'AAAAAA==',
        success_action_status: '201',
        'x-amz-server-side-encryption': 'AES256',
      }),
    );
    expect(w.headers).toEqual({
      'content-type': 'text/plain',
      'cache-control': 'no-cache',
      'x-amz-meta-name': Buffer.from('ünï', 'utf8').toString('latin1'),
      'x-amz-checksum-crc32': 'AAAAAA==',
      'x-amz-server-side-encryption': 'AES256',
    });
    expect(w.checksumAlgorithm).toBeUndefined();
  });

  it('x-amz-checksum-algorithm alone asks for the checksum to be computed; with a value it must name it', () => {
    expect(formWrite(fields({ 'x-amz-checksum-algorithm': 'sha256' })).checksumAlgorithm).toBe('SHA256');
    const w = formWrite(fields({ 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-crc32': 'AAAAAA==' }));
    expect(w.checksumAlgorithm).toBeUndefined();
    expect(w.headers['x-amz-sdk-checksum-algorithm']).toBe('CRC32');
    expect(code(() => formWrite(fields({ 'x-amz-checksum-algorithm': 'MD5' })))).toBe('InvalidRequest');
  });

  it('the acl field is a PUT\'s x-amz-acl, tagging the object\'s tag set (validated as PutObjectTagging\'s body)', () => {
    expect(formWrite(fields({ acl: 'public-read' })).headers['x-amz-acl']).toBe('public-read');
    expect(formWrite(fields({ tagging: '<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>' })).tags).toEqual([{ key: 'a', value: '1' }]);
    expect(formWrite(fields({})).tags).toBeUndefined();
    expect(code(() => formWrite(fields({ tagging: '<Tagging/>' })))).toBe('MalformedXML');
    const eleven = Array.from({ length: 11 }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join('');
    expect(code(() => formWrite(fields({ tagging: `<Tagging><TagSet>${eleven}</TagSet></Tagging>` })))).toBe('InvalidTag');
  });

  it('a website redirect location is a PUT\'s header of the same name (parseObjectHeaders validates it)', () => {
    expect(formWrite(fields({ 'x-amz-website-redirect-location': '/x' })).headers['x-amz-website-redirect-location']).toBe('/x');
  });

  it('refuses what it cannot store rather than dropping it', () => {
    expect(code(() => formWrite(fields({ 'x-amz-storage-class': 'STANDARD' })))).toBe('ok');
    expect(code(() => formWrite(fields({ 'x-amz-storage-class': 'GLACIER' })))).toBe('InvalidStorageClass');
  });
});

describe('successAction', () => {
  it.each<[Record<string, string>, unknown]>([
    [{}, { kind: 'status', status: 204 }],
    [{ success_action_status: '200' }, { kind: 'status', status: 200 }],
    [{ success_action_status: '201' }, { kind: 'status', status: 201 }],
    [{ success_action_status: '204' }, { kind: 'status', status: 204 }],
    [{ success_action_status: '302' }, { kind: 'status', status: 204 }],
    [{ success_action_redirect: 'https://a.example/ok', success_action_status: '201' }, { kind: 'redirect', url: 'https://a.example/ok' }],
    [{ redirect: 'http://a.example/' }, { kind: 'redirect', url: 'http://a.example/' }],
    [{ success_action_redirect: 'https://new.example/', redirect: 'http://old.example/' }, { kind: 'redirect', url: 'https://new.example/' }],
    // Not an http(s) URL: ignored, the status decides.
    [{ success_action_redirect: 'javascript:alert(1)', success_action_status: '201' }, { kind: 'status', status: 201 }],
    [{ success_action_redirect: '/relative' }, { kind: 'status', status: 204 }],
  ])('%j → %j', (f, want) => {
    expect(successAction(fields(f))).toEqual(want);
  });
});

describe('redirectLocation', () => {
  it('adds bucket, key and the quoted etag to the query, keeping an existing query and fragment', () => {
    expect(redirectLocation('https://a.example/done', 'b', 'dir/a b', 'abc')).toBe('https://a.example/done?bucket=b&key=dir%2Fa%20b&etag=%22abc%22');
    expect(redirectLocation('https://a.example/done?x=1#top', 'b', 'k', 'e')).toBe('https://a.example/done?x=1&bucket=b&key=k&etag=%22e%22#top');
    expect(redirectLocation('https://a.example/done?', 'b', 'k', 'e')).toBe('https://a.example/done?bucket=b&key=k&etag=%22e%22');
  });
});

describe('objectLocation', () => {
  it('answers in the style the form was posted in', () => {
    expect(objectLocation({ host: '127.0.0.1:8080' }, 'b', 'dir/a b')).toBe('http://127.0.0.1:8080/b/dir%2Fa%20b');
    expect(objectLocation({ host: 'b.s3.example.com' }, 'b', 'k')).toBe('http://b.s3.example.com/k');
    expect(objectLocation({ host: 's3.example.com', 'x-forwarded-proto': 'https' }, 'b', 'k')).toBe('https://s3.example.com/b/k');
  });
});
