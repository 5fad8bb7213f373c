import { type Owner, writeOwner } from './xml-types';
import { XmlWriter } from './xml-writer';

/**
 * ListBuckets. AWS writes `Owner` first, then `Buckets`, then the pagination elements
 * (`ContinuationToken`, `Prefix`) when the request used them.
 */
export interface ListedBucket {
  readonly Name: string;
  readonly CreationDate: Date;
  /** Written only when set (AWS includes it for `ListBuckets` with `bucket-region` or pagination). */
  readonly BucketRegion?: string;
}

export interface ListAllMyBucketsResultInput {
  readonly Owner: Owner;
  readonly Buckets: readonly ListedBucket[];
  readonly ContinuationToken?: string;
  readonly Prefix?: string;
}

export function buildListAllMyBucketsResult(input: ListAllMyBucketsResultInput): string {
  const w = new XmlWriter('ListAllMyBucketsResult');
  writeOwner(w, 'Owner', input.Owner);
  w.open('Buckets');
  for (const b of input.Buckets) {
    w.open('Bucket').text('Name', b.Name).date('CreationDate', b.CreationDate).optText('BucketRegion', b.BucketRegion).close('Bucket');
  }
  w.close('Buckets');
  return w.optText('ContinuationToken', input.ContinuationToken).optText('Prefix', input.Prefix).end();
}
