import { type Owner, writeOwner } from './xml-types';
import { XmlWriter, type XmlPieces } from './xml-writer';

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

function writeListAllMyBucketsResult(input: ListAllMyBucketsResultInput): XmlWriter {
  const w = new XmlWriter('ListAllMyBucketsResult');
  writeOwner(w, 'Owner', input.Owner);
  w.open('Buckets');
  for (const b of input.Buckets) {
    w.open('Bucket').text('Name', b.Name).date('CreationDate', b.CreationDate).optText('BucketRegion', b.BucketRegion).close('Bucket');
  }
  w.close('Buckets');
  return w.optText('ContinuationToken', input.ContinuationToken).optText('Prefix', input.Prefix);
}

export function buildListAllMyBucketsResult(input: ListAllMyBucketsResultInput): string {
  return writeListAllMyBucketsResult(input).end();
}

/** As `buildListAllMyBucketsResult`, in pieces: what a response sends (the document can be large). */
export function buildListAllMyBucketsResultPieces(input: ListAllMyBucketsResultInput): XmlPieces {
  return writeListAllMyBucketsResult(input).endPieces();
}
