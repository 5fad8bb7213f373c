import { s3UrlEncode, s3UrlEncodeOpt } from './s3-url-encode';
import { type ChecksumAlgorithm, type ChecksumType, type EncodingType, type Owner, writeCommonPrefixes, writeOwner } from './xml-types';
import { escapeXml, formatTimestamp, quoteETag, XmlWriter, type XmlPieces } from './xml-writer';

/**
 * ListObjects (v1). Element order is what S3 sends (its documentation examples, Garage and MinIO agree), which
 * differs from the alphabetical "Response Syntax" block of the API reference:
 * `Name, Prefix, Marker, NextMarker?, MaxKeys, Delimiter?, EncodingType?, IsTruncated, Contents*, CommonPrefixes*`.
 * `Prefix` and `Marker` are always written (empty when not requested).
 */

/** One `<Contents>` entry: `Key, LastModified, ETag, ChecksumAlgorithm?, ChecksumType?, Size, Owner?, StorageClass`. */
export interface ListedObject {
  readonly Key: string;
  readonly LastModified: Date;
  /** Bare or quoted; written quoted. */
  readonly ETag: string;
  readonly ChecksumAlgorithm?: ChecksumAlgorithm;
  readonly ChecksumType?: ChecksumType;
  readonly Size: number;
  readonly Owner?: Owner;
  readonly StorageClass: string;
}

export interface ListBucketResultInput {
  readonly Name: string;
  readonly Prefix: string;
  readonly Marker: string;
  /** Written only when a delimiter was given and the result is truncated, as AWS does. */
  readonly NextMarker?: string;
  readonly MaxKeys: number;
  /** Omitted when `undefined` or empty (AWS drops an empty delimiter). */
  readonly Delimiter?: string;
  readonly EncodingType?: EncodingType;
  readonly IsTruncated: boolean;
  readonly Contents: readonly ListedObject[];
  readonly CommonPrefixes: readonly string[];
}

/** Writes one `<Contents>`; `withOwner` is false for ListObjectsV2 without `fetch-owner=true`. */
export function writeContents(w: XmlWriter, o: ListedObject, withOwner: boolean): void {
  // One string per entry (a listing page writes 1,000): the same elements, in AWS's order, as
  // open/text/date/etag/optText/int would write them one call each.
  if (!Number.isSafeInteger(o.Size)) throw new TypeError(`XML <Size> needs an integer, got ${o.Size}`);
  const checksum =
    (o.ChecksumAlgorithm === undefined ? '' : `<ChecksumAlgorithm>${escapeXml(o.ChecksumAlgorithm)}</ChecksumAlgorithm>`) +
    (o.ChecksumType === undefined ? '' : `<ChecksumType>${escapeXml(o.ChecksumType)}</ChecksumType>`);
  w.raw(
    `<Contents><Key>${escapeXml(o.Key)}</Key><LastModified>${formatTimestamp(o.LastModified)}</LastModified>` +
      `<ETag>${escapeXml(quoteETag(o.ETag))}</ETag>${checksum}<Size>${o.Size}</Size>`,
  );
  if (withOwner && o.Owner) writeOwner(w, 'Owner', o.Owner);
  w.raw(`<StorageClass>${escapeXml(o.StorageClass)}</StorageClass></Contents>`);
}

function writeListBucketResult(input: ListBucketResultInput): XmlWriter {
  const delimiter = input.Delimiter || undefined;
  const w = new XmlWriter('ListBucketResult').text('Name', input.Name).text('Prefix', input.Prefix).text('Marker', input.Marker);
  if (delimiter !== undefined && input.IsTruncated) w.optText('NextMarker', input.NextMarker);
  w.int('MaxKeys', input.MaxKeys).optText('Delimiter', delimiter).optText('EncodingType', input.EncodingType);
  w.bool('IsTruncated', input.IsTruncated);
  for (const o of input.Contents) writeContents(w, o, true);
  writeCommonPrefixes(w, input.CommonPrefixes);
  return w;
}

export function buildListBucketResult(input: ListBucketResultInput): string {
  return writeListBucketResult(input).end();
}

/** As `buildListBucketResult`, in pieces: what a response sends (the document can be large). */
export function buildListBucketResultPieces(input: ListBucketResultInput): XmlPieces {
  return writeListBucketResult(input).endPieces();
}

/**
 * For `encoding-type=url`: a copy of the input with every field AWS encodes passed through `s3UrlEncode`
 * (`Prefix, Marker, NextMarker, Delimiter`, each `Key` and each common prefix) and `EncodingType: 'url'`.
 */
export function urlEncodeListBucketResult(input: ListBucketResultInput): ListBucketResultInput {
  return {
    ...input,
    Prefix: s3UrlEncode(input.Prefix),
    Marker: s3UrlEncode(input.Marker),
    NextMarker: s3UrlEncodeOpt(input.NextMarker),
    Delimiter: s3UrlEncodeOpt(input.Delimiter),
    EncodingType: 'url',
    Contents: input.Contents.map((o) => ({ ...o, Key: s3UrlEncode(o.Key) })),
    CommonPrefixes: input.CommonPrefixes.map(s3UrlEncode),
  };
}
