import { buildListBucketResultV2, type ListBucketResultV2Input, urlEncodeListBucketResultV2 } from './list-bucket-result-v2';
import type { ListedObject } from './list-bucket-result';
import { T0, childNames, parseBack } from './testing/xml-assert';

const obj: ListedObject = { Key: 'ExampleObject.txt', LastModified: T0, ETag: '599bab3ed2c697f1d26842727561fd94', Size: 857, Owner: { ID: 'owner-id' }, StorageClass: 'REDUCED_REDUNDANCY' };
const base: ListBucketResultV2Input = { Name: 'quotes', Prefix: 'E', MaxKeys: 3, IsTruncated: false, Contents: [obj], CommonPrefixes: [] };

describe('buildListBucketResultV2 (ListObjectsV2)', () => {
  it('matches the AWS start-after example', () => {
    const xml = buildListBucketResultV2({ ...base, StartAfter: 'ExampleGuide.pdf' });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Name>quotes</Name><Prefix>E</Prefix><StartAfter>ExampleGuide.pdf</StartAfter><KeyCount>1</KeyCount><MaxKeys>3</MaxKeys>' +
        '<IsTruncated>false</IsTruncated><Contents><Key>ExampleObject.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>' +
        '<ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag><Size>857</Size><StorageClass>REDUCED_REDUNDANCY</StorageClass>' +
        '</Contents></ListBucketResult>',
    );
    parseBack(xml);
  });

  it('writes every element in AWS order', () => {
    const xml = buildListBucketResultV2({
      ...base,
      StartAfter: 's',
      ContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
      NextContinuationToken: 'next+/=',
      Delimiter: '/',
      EncodingType: 'url',
      IsTruncated: true,
      FetchOwner: true,
      CommonPrefixes: ['photos/', 'videos/'],
    });
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual([
      'Name', 'Prefix', 'StartAfter', 'ContinuationToken', 'NextContinuationToken', 'KeyCount', 'MaxKeys', 'Delimiter', 'EncodingType',
      'IsTruncated', 'Contents', 'CommonPrefixes', 'CommonPrefixes',
    ]);
  });

  it('counts common prefixes in KeyCount', () => {
    const doc = parseBack(buildListBucketResultV2({ ...base, CommonPrefixes: ['a/', 'b/'] })).ListBucketResult;
    expect(doc.KeyCount).toBe('3');
    expect(parseBack(buildListBucketResultV2({ ...base, Contents: [] })).ListBucketResult.KeyCount).toBe('0');
  });

  it('writes Owner only with fetch-owner=true', () => {
    expect(childNames(buildListBucketResultV2(base), 'Contents')).not.toContain('Owner');
    expect(childNames(buildListBucketResultV2({ ...base, FetchOwner: false }), 'Contents')).not.toContain('Owner');
    expect(childNames(buildListBucketResultV2({ ...base, FetchOwner: true }), 'Contents')).toContain('Owner');
  });

  it('leaves out the optional elements when not given, and an empty delimiter', () => {
    expect(childNames(buildListBucketResultV2({ ...base, Delimiter: '' }))).toEqual(['Name', 'Prefix', 'KeyCount', 'MaxKeys', 'IsTruncated', 'Contents']);
  });
});

describe('urlEncodeListBucketResultV2', () => {
  it('encodes Prefix, StartAfter, Delimiter, keys and common prefixes, but not tokens', () => {
    const input = urlEncodeListBucketResultV2({
      ...base,
      Prefix: 'a b',
      StartAfter: 'a b/c',
      Delimiter: '/',
      ContinuationToken: 'tok en',
      Contents: [{ ...obj, Key: 'a b/\u0002' }],
      CommonPrefixes: ['a b/'],
    });
    expect(input).toMatchObject({ Prefix: 'a%20b', StartAfter: 'a%20b/c', Delimiter: '/', ContinuationToken: 'tok en', EncodingType: 'url', CommonPrefixes: ['a%20b/'] });
    expect(input.Contents[0].Key).toBe('a%20b/%02');
    parseBack(buildListBucketResultV2(input));
  });
});
