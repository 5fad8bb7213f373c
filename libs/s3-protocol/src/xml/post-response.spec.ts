import { buildPostResponse } from './post-response';
import { childNames, parseBack } from './testing/xml-assert';

describe('buildPostResponse', () => {
  it('writes Location, Bucket, Key and a quoted ETag, escaped', () => {
    const xml = buildPostResponse({ Location: 'http://h/b/a%26b', Bucket: 'b', Key: 'a&b', ETag: '9b2cf535f27731c974343645a3985328' });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>http://h/b/a%26b</Location><Bucket>b</Bucket>' +
        '<Key>a&amp;b</Key><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></PostResponse>',
    );
    expect(childNames(xml)).toEqual(['Location', 'Bucket', 'Key', 'ETag']);
    parseBack(xml);
  });
});
