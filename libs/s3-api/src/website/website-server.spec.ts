import { errorPage, locationOf, redirectLocation, websiteBucket } from './website-server';

describe('locationOf (an object\'s x-amz-website-redirect-location as a Location header)', () => {
  it.each([
    ['/new/page.html', '/new/page.html'],
    ['https://example.com/a?b=c%20d', 'https://example.com/a?b=c%20d'],
    // Stored text with spaces or non-ASCII reaches the header RFC 2047-encoded; a URL percent-encodes it.
    [`=?UTF-8?B?${Buffer.from('/neue Seite/ü.html').toString('base64')}?=`, '/neue%20Seite/%C3%BC.html'],
    ['/a b', '/a%20b'],
  ])('%s → %s', (wire, location) => {
    expect(locationOf(wire)).toBe(location);
  });
});

describe('websiteBucket', () => {
  const domains = ['web.localtest', 'Sites.Example.COM'];
  it.each([
    ['blog.web.localtest', 'blog'],
    ['blog.web.localtest:8081', 'blog'],
    ['BLOG.Web.LocalTest.', 'blog'],
    ['a.b.sites.example.com', 'a.b'],
    // Any other host is a custom domain: the bucket called like it.
    ['www.example.org', 'www.example.org'],
    ['www.example.org:80', 'www.example.org'],
    // The root domain itself names no subdomain bucket: it is a host like any other.
    ['web.localtest', 'web.localtest'],
  ])('%s → %s', (host, bucket) => {
    expect(websiteBucket(host, domains)).toBe(bucket);
  });
  it('no Host, no bucket', () => {
    expect(websiteBucket(undefined, domains)).toBeUndefined();
    expect(websiteBucket('', domains)).toBeUndefined();
  });
});

describe('redirectLocation', () => {
  it('replaces a prefix, or the whole key; keeps the request host and http unless told; encodes the key', () => {
    expect(redirectLocation({ condition: { keyPrefixEquals: 'docs/' }, redirect: { replaceKeyPrefixWith: 'documents/' } }, 'docs/a b.html', 'site.web:8081')).toBe('http://site.web:8081/documents/a%20b.html');
    expect(redirectLocation({ redirect: { hostName: 'other.example', protocol: 'https', replaceKeyWith: 'moved.html' } }, 'x/y', 'h')).toBe('https://other.example/moved.html');
    expect(redirectLocation({ condition: { httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'fallback.example' } }, 'ü/?#', 'h')).toBe('http://fallback.example/%C3%BC/%3F%23');
    // An empty replacement prefix drops the matched prefix.
    expect(redirectLocation({ condition: { keyPrefixEquals: 'old/' }, redirect: { replaceKeyPrefixWith: '' } }, 'old/page', 'h')).toBe('http://h/page');
  });
});

describe('errorPage', () => {
  it("is S3's HTML list, escaped", () => {
    const page = errorPage(404, 'NoSuchKey', 'The specified key does not exist.', 'REQ1', { Key: '<script>&' });
    expect(page).toContain('<title>404 Not Found</title>');
    expect(page).toContain('<li>Code: NoSuchKey</li>');
    expect(page).toContain('<li>Key: &lt;script&gt;&amp;</li>');
    expect(page).toContain('<li>RequestId: REQ1</li>');
    expect(page).not.toContain('<script>');
  });
});
