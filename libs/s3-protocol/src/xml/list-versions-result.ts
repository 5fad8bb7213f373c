import { s3UrlEncode, s3UrlEncodeOpt } from './s3-url-encode';
import { type ChecksumAlgorithm, type ChecksumType, type EncodingType, type Owner, writeCommonPrefixes, writeOwner } from './xml-types';
import { XmlWriter, type XmlPieces } from './xml-writer';

/**
 * ListObjectVersions: `Name, Prefix, KeyMarker, VersionIdMarker, NextKeyMarker?, NextVersionIdMarker?,
 * MaxKeys, Delimiter?, EncodingType?, IsTruncated`, then `Version` and `DeleteMarker` entries in listing
 * order (by key, newest first within a key: the two kinds interleave), then `CommonPrefixes*`.
 */

/** `<Version>`: `Key, VersionId, IsLatest, LastModified, ETag, ChecksumAlgorithm?, ChecksumType?, Size, Owner?, StorageClass`. */
export interface ListedVersion {
  readonly kind: 'Version';
  readonly Key: string;
  readonly VersionId: string;
  readonly IsLatest: boolean;
  readonly LastModified: Date;
  readonly ETag: string;
  readonly ChecksumAlgorithm?: ChecksumAlgorithm;
  readonly ChecksumType?: ChecksumType;
  readonly Size: number;
  readonly Owner?: Owner;
  readonly StorageClass: string;
}

/** `<DeleteMarker>`: `Key, VersionId, IsLatest, LastModified, Owner?`. */
export interface ListedDeleteMarker {
  readonly kind: 'DeleteMarker';
  readonly Key: string;
  readonly VersionId: string;
  readonly IsLatest: boolean;
  readonly LastModified: Date;
  readonly Owner?: Owner;
}

export interface ListVersionsResultInput {
  readonly Name: string;
  readonly Prefix: string;
  readonly KeyMarker: string;
  readonly VersionIdMarker: string;
  readonly NextKeyMarker?: string;
  readonly NextVersionIdMarker?: string;
  readonly MaxKeys: number;
  readonly Delimiter?: string;
  readonly EncodingType?: EncodingType;
  readonly IsTruncated: boolean;
  readonly Entries: readonly (ListedVersion | ListedDeleteMarker)[];
  readonly CommonPrefixes: readonly string[];
}

function writeListVersionsResult(input: ListVersionsResultInput): XmlWriter {
  const w = new XmlWriter('ListVersionsResult').text('Name', input.Name).text('Prefix', input.Prefix);
  w.text('KeyMarker', input.KeyMarker).text('VersionIdMarker', input.VersionIdMarker);
  w.optText('NextKeyMarker', input.NextKeyMarker).optText('NextVersionIdMarker', input.NextVersionIdMarker);
  w.int('MaxKeys', input.MaxKeys).optText('Delimiter', input.Delimiter || undefined).optText('EncodingType', input.EncodingType);
  w.bool('IsTruncated', input.IsTruncated);
  for (const e of input.Entries) {
    w.open(e.kind).text('Key', e.Key).text('VersionId', e.VersionId).bool('IsLatest', e.IsLatest).date('LastModified', e.LastModified);
    if (e.kind === 'Version') {
      w.etag('ETag', e.ETag).optText('ChecksumAlgorithm', e.ChecksumAlgorithm).optText('ChecksumType', e.ChecksumType).int('Size', e.Size);
      if (e.Owner) writeOwner(w, 'Owner', e.Owner);
      w.text('StorageClass', e.StorageClass);
    } else if (e.Owner) {
      writeOwner(w, 'Owner', e.Owner);
    }
    w.close(e.kind);
  }
  writeCommonPrefixes(w, input.CommonPrefixes);
  return w;
}

export function buildListVersionsResult(input: ListVersionsResultInput): string {
  return writeListVersionsResult(input).end();
}

/** As `buildListVersionsResult`, in pieces: what a response sends (the document can be large). */
export function buildListVersionsResultPieces(input: ListVersionsResultInput): XmlPieces {
  return writeListVersionsResult(input).endPieces();
}

/**
 * For `encoding-type=url`: `Prefix, KeyMarker, NextKeyMarker, Delimiter`, each `Key` and each common
 * prefix pass through `s3UrlEncode`, and `EncodingType: 'url'`.
 */
export function urlEncodeListVersionsResult(input: ListVersionsResultInput): ListVersionsResultInput {
  return {
    ...input,
    Prefix: s3UrlEncode(input.Prefix),
    KeyMarker: s3UrlEncode(input.KeyMarker),
    NextKeyMarker: s3UrlEncodeOpt(input.NextKeyMarker),
    Delimiter: s3UrlEncodeOpt(input.Delimiter),
    EncodingType: 'url',
    Entries: input.Entries.map((e) => ({ ...e, Key: s3UrlEncode(e.Key) })),
    CommonPrefixes: input.CommonPrefixes.map(s3UrlEncode),
  };
}
