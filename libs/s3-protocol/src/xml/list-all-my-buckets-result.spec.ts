import { buildListAllMyBucketsResult } from './list-all-my-buckets-result';
import { T0, T1, childNames, parseBack } from './testing/xml-assert';

describe('buildListAllMyBucketsResult', () => {
  const owner = { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'webfile' };

  it('writes Owner, then Buckets with Name and CreationDate', () => {
    const xml = buildListAllMyBucketsResult({
      Owner: owner,
      Buckets: [
        { Name: 'quotes', CreationDate: T0 },
        { Name: 'samples', CreationDate: T1, BucketRegion: 'eu-west-1' },
      ],
    });
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual(['Owner', 'Buckets']);
    expect(childNames(xml, 'Buckets')).toEqual(['Bucket', 'Bucket']);
    const doc = parseBack(xml).ListAllMyBucketsResult;
    expect(doc.Buckets.Bucket[1]).toEqual({ Name: 'samples', CreationDate: '2024-02-29T23:59:59.123Z', BucketRegion: 'eu-west-1' });
    expect(doc.Buckets.Bucket[0].BucketRegion).toBeUndefined();
  });

  it('writes an empty Buckets element and the pagination fields when given', () => {
    const xml = buildListAllMyBucketsResult({ Owner: { ID: 'id' }, Buckets: [], ContinuationToken: 'tok', Prefix: 'a&b' });
    expect(xml).toContain('<Owner><ID>id</ID></Owner><Buckets></Buckets><ContinuationToken>tok</ContinuationToken><Prefix>a&amp;b</Prefix>');
    parseBack(xml);
  });
});
