import { buildListBucketResult, type ListBucketResultInput, type ListedObject, urlEncodeListBucketResult } from './list-bucket-result';
import { T0, T1, childNames, parseBack } from './testing/xml-assert';
import { readXmlDocument } from './xml-reader';

const owner = { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'mtd@amazon.com' };
const image: ListedObject = { Key: 'my-image.jpg', LastModified: T0, ETag: 'fba9dede5f27731c9771645a39863328', Size: 434234, Owner: owner, StorageClass: 'STANDARD' };
const base: ListBucketResultInput = { Name: 'bucket', Prefix: '', Marker: '', MaxKeys: 1000, IsTruncated: false, Contents: [image], CommonPrefixes: [] };

describe('buildListBucketResult (ListObjects v1)', () => {
  it('matches the AWS example', () => {
    const xml = buildListBucketResult(base);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Name>bucket</Name><Prefix></Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>' +
        '<Contents><Key>my-image.jpg</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>' +
        '<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>' +
        '<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>mtd@amazon.com</DisplayName></Owner>' +
        '<StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>',
    );
    const doc = parseBack(xml).ListBucketResult;
    expect(doc.Contents.ETag).toBe('"fba9dede5f27731c9771645a39863328"');
    expect(doc.Prefix).toBe('');
  });

  it('writes every element in AWS order with a delimiter, truncation and checksums', () => {
    const xml = buildListBucketResult({
      ...base,
      Prefix: 'photos/',
      Marker: 'photos/0',
      NextMarker: 'photos/2006/',
      Delimiter: '/',
      IsTruncated: true,
      MaxKeys: 2,
      Contents: [{ ...image, Key: 'photos/a.jpg', LastModified: T1, ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }],
      CommonPrefixes: ['photos/2006/'],
    });
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual(['Name', 'Prefix', 'Marker', 'NextMarker', 'MaxKeys', 'Delimiter', 'IsTruncated', 'Contents', 'CommonPrefixes']);
    expect(childNames(xml, 'Contents')).toEqual(['Key', 'LastModified', 'ETag', 'ChecksumAlgorithm', 'ChecksumType', 'Size', 'Owner', 'StorageClass']);
  });

  it('writes NextMarker only when a delimiter was given and the result is truncated', () => {
    const names = (i: Partial<ListBucketResultInput>) => childNames(buildListBucketResult({ ...base, NextMarker: 'n', ...i }));
    expect(names({ Delimiter: '/', IsTruncated: true })).toContain('NextMarker');
    expect(names({ Delimiter: '/', IsTruncated: false })).not.toContain('NextMarker');
    expect(names({ IsTruncated: true })).not.toContain('NextMarker');
    expect(names({ Delimiter: '', IsTruncated: true })).not.toContain('NextMarker');
  });

  it('omits an empty delimiter, as AWS does', () => {
    expect(childNames(buildListBucketResult({ ...base, Delimiter: '' }))).not.toContain('Delimiter');
  });

  it('omits Owner when the entry has none, and writes empty Contents/CommonPrefixes as nothing', () => {
    const xml = buildListBucketResult({ ...base, Contents: [{ ...image, Owner: undefined }] });
    expect(childNames(xml, 'Contents')).toEqual(['Key', 'LastModified', 'ETag', 'Size', 'StorageClass']);
    expect(childNames(buildListBucketResult({ ...base, Contents: [] }))).toEqual(['Name', 'Prefix', 'Marker', 'MaxKeys', 'IsTruncated']);
  });

  it('escapes keys, including characters XML 1.0 cannot carry, so that they read back exactly', () => {
    const keys = ['a&b<c>d"e\'f', ' lead and trail ', 'ctl\u0001\u001b\u0000', 'cr\r\nlf\ttab', '0012', 'emoji 😀/日本'];
    const xml = buildListBucketResult({ ...base, Contents: keys.map((Key) => ({ ...image, Key })) });
    expect(xml).toContain('<Key>ctl&#x1;&#x1b;&#x0;</Key>');
    expect(xml).toContain('<Key>cr&#xd;\nlf\ttab</Key>');
    const back = readXmlDocument(xml.replace('&#x0;', ''), 'ListBucketResult')
      .children.filter((c) => c.name === 'Contents')
      .map((c) => c.children.find((k) => k.name === 'Key')!.text);
    expect(back).toEqual(keys.map((k) => k.replace('\u0000', '')));
  });

  it('is well-formed for fast-xml-parser when keys are printable', () => {
    const xml = buildListBucketResult({ ...base, Contents: [{ ...image, Key: 'x &amp; <y>' }], CommonPrefixes: ['p &/'] });
    const doc = parseBack(xml).ListBucketResult;
    expect(doc.Contents.Key).toBe('x &amp; <y>');
    expect(doc.CommonPrefixes.Prefix).toBe('p &/');
  });
});

describe('urlEncodeListBucketResult', () => {
  it('encodes Prefix, Marker, NextMarker, Delimiter, keys and common prefixes, and sets EncodingType', () => {
    const input = urlEncodeListBucketResult({
      ...base,
      Prefix: 'run books/',
      Marker: 'a+b',
      NextMarker: 'c d',
      Delimiter: ' ',
      IsTruncated: true,
      Contents: [{ ...image, Key: 'run books/\u0001.txt' }],
      CommonPrefixes: ['run books/x '],
    });
    expect(input).toMatchObject({ Prefix: 'run%20books/', Marker: 'a%2Bb', NextMarker: 'c%20d', Delimiter: '%20', EncodingType: 'url', CommonPrefixes: ['run%20books/x%20'] });
    expect(input.Contents[0].Key).toBe('run%20books/%01.txt');
    const xml = buildListBucketResult(input);
    expect(childNames(xml)).toEqual(['Name', 'Prefix', 'Marker', 'NextMarker', 'MaxKeys', 'Delimiter', 'EncodingType', 'IsTruncated', 'Contents', 'CommonPrefixes']);
    expect(xml).toMatchSnapshot();
    parseBack(xml);
  });
});
