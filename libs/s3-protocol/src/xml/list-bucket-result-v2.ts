import { type ListedObject, writeContents } from './list-bucket-result';
import { s3UrlEncode, s3UrlEncodeOpt } from './s3-url-encode';
import { type EncodingType, writeCommonPrefixes } from './xml-types';
import { XmlWriter, type XmlPieces } from './xml-writer';

/**
 * ListObjectsV2 (`list-type=2`). Element order is what S3 sends (its documentation examples):
 * `Name, Prefix, StartAfter?, ContinuationToken?, NextContinuationToken?, KeyCount, MaxKeys, Delimiter?,
 * EncodingType?, IsTruncated, Contents*, CommonPrefixes*`.
 * `KeyCount` is computed: AWS counts keys plus common prefixes.
 */
export interface ListBucketResultV2Input {
  readonly Name: string;
  readonly Prefix: string;
  readonly StartAfter?: string;
  readonly ContinuationToken?: string;
  /** Set only when the result is truncated. */
  readonly NextContinuationToken?: string;
  readonly MaxKeys: number;
  /** Omitted when `undefined` or empty (AWS drops an empty delimiter). */
  readonly Delimiter?: string;
  readonly EncodingType?: EncodingType;
  readonly IsTruncated: boolean;
  /** `fetch-owner=true`: write each entry's `Owner`; without it, owners are left out even when given. */
  readonly FetchOwner?: boolean;
  readonly Contents: readonly ListedObject[];
  readonly CommonPrefixes: readonly string[];
}

function writeListBucketResultV2(input: ListBucketResultV2Input): XmlWriter {
  const w = new XmlWriter('ListBucketResult')
    .text('Name', input.Name)
    .text('Prefix', input.Prefix)
    .optText('StartAfter', input.StartAfter)
    .optText('ContinuationToken', input.ContinuationToken)
    .optText('NextContinuationToken', input.NextContinuationToken)
    .int('KeyCount', input.Contents.length + input.CommonPrefixes.length)
    .int('MaxKeys', input.MaxKeys)
    .optText('Delimiter', input.Delimiter || undefined)
    .optText('EncodingType', input.EncodingType)
    .bool('IsTruncated', input.IsTruncated);
  const withOwner = input.FetchOwner === true;
  for (const o of input.Contents) writeContents(w, o, withOwner);
  writeCommonPrefixes(w, input.CommonPrefixes);
  return w;
}

export function buildListBucketResultV2(input: ListBucketResultV2Input): string {
  return writeListBucketResultV2(input).end();
}

/** As `buildListBucketResultV2`, in pieces: what a response sends (the document can be large). */
export function buildListBucketResultV2Pieces(input: ListBucketResultV2Input): XmlPieces {
  return writeListBucketResultV2(input).endPieces();
}

/**
 * For `encoding-type=url`: a copy with the fields AWS encodes passed through `s3UrlEncode` (`Prefix,
 * StartAfter, Delimiter`, each `Key` and each common prefix; tokens are left alone) and `EncodingType: 'url'`.
 */
export function urlEncodeListBucketResultV2(input: ListBucketResultV2Input): ListBucketResultV2Input {
  return {
    ...input,
    Prefix: s3UrlEncode(input.Prefix),
    StartAfter: s3UrlEncodeOpt(input.StartAfter),
    Delimiter: s3UrlEncodeOpt(input.Delimiter),
    EncodingType: 'url',
    Contents: input.Contents.map((o) => ({ ...o, Key: s3UrlEncode(o.Key) })),
    CommonPrefixes: input.CommonPrefixes.map(s3UrlEncode),
  };
}
