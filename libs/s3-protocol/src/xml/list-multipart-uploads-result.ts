import { s3UrlEncode, s3UrlEncodeOpt } from './s3-url-encode';
import { type ChecksumAlgorithm, type ChecksumType, type EncodingType, type Owner, writeCommonPrefixes, writeOwner } from './xml-types';
import { XmlWriter, type XmlPieces } from './xml-writer';

/**
 * ListMultipartUploads. Element order follows S3's documentation examples:
 * `Bucket, KeyMarker, UploadIdMarker, NextKeyMarker?, NextUploadIdMarker?, Delimiter?, Prefix?, MaxUploads,
 * IsTruncated, Upload*, CommonPrefixes*, EncodingType?`.
 * `KeyMarker` and `UploadIdMarker` are always written (empty when not requested).
 */
export interface ListedUpload {
  readonly Key: string;
  readonly UploadId: string;
  readonly Initiator: Owner;
  readonly Owner: Owner;
  readonly StorageClass: string;
  readonly Initiated: Date;
  readonly ChecksumAlgorithm?: ChecksumAlgorithm;
  readonly ChecksumType?: ChecksumType;
}

export interface ListMultipartUploadsResultInput {
  readonly Bucket: string;
  readonly KeyMarker: string;
  readonly UploadIdMarker: string;
  readonly NextKeyMarker?: string;
  readonly NextUploadIdMarker?: string;
  /** Omitted when `undefined` or empty. */
  readonly Delimiter?: string;
  readonly Prefix?: string;
  readonly MaxUploads: number;
  readonly IsTruncated: boolean;
  readonly Upload: readonly ListedUpload[];
  readonly CommonPrefixes: readonly string[];
  readonly EncodingType?: EncodingType;
}

function writeListMultipartUploadsResult(input: ListMultipartUploadsResultInput): XmlWriter {
  const w = new XmlWriter('ListMultipartUploadsResult')
    .text('Bucket', input.Bucket)
    .text('KeyMarker', input.KeyMarker)
    .text('UploadIdMarker', input.UploadIdMarker)
    .optText('NextKeyMarker', input.NextKeyMarker)
    .optText('NextUploadIdMarker', input.NextUploadIdMarker)
    .optText('Delimiter', input.Delimiter || undefined)
    .optText('Prefix', input.Prefix)
    .int('MaxUploads', input.MaxUploads)
    .bool('IsTruncated', input.IsTruncated);
  for (const u of input.Upload) {
    w.open('Upload').text('Key', u.Key).text('UploadId', u.UploadId);
    writeOwner(w, 'Initiator', u.Initiator);
    writeOwner(w, 'Owner', u.Owner);
    w.text('StorageClass', u.StorageClass).date('Initiated', u.Initiated);
    w.optText('ChecksumAlgorithm', u.ChecksumAlgorithm).optText('ChecksumType', u.ChecksumType).close('Upload');
  }
  writeCommonPrefixes(w, input.CommonPrefixes);
  return w.optText('EncodingType', input.EncodingType);
}

export function buildListMultipartUploadsResult(input: ListMultipartUploadsResultInput): string {
  return writeListMultipartUploadsResult(input).end();
}

/** As `buildListMultipartUploadsResult`, in pieces: what a response sends (the document can be large). */
export function buildListMultipartUploadsResultPieces(input: ListMultipartUploadsResultInput): XmlPieces {
  return writeListMultipartUploadsResult(input).endPieces();
}

/**
 * For `encoding-type=url`: a copy with the fields AWS encodes passed through `s3UrlEncode` (`KeyMarker,
 * NextKeyMarker, Delimiter, Prefix`, each upload `Key` and each common prefix) and `EncodingType: 'url'`.
 */
export function urlEncodeListMultipartUploadsResult(input: ListMultipartUploadsResultInput): ListMultipartUploadsResultInput {
  return {
    ...input,
    KeyMarker: s3UrlEncode(input.KeyMarker),
    NextKeyMarker: s3UrlEncodeOpt(input.NextKeyMarker),
    Delimiter: s3UrlEncodeOpt(input.Delimiter),
    Prefix: s3UrlEncodeOpt(input.Prefix),
    EncodingType: 'url',
    Upload: input.Upload.map((u) => ({ ...u, Key: s3UrlEncode(u.Key) })),
    CommonPrefixes: input.CommonPrefixes.map(s3UrlEncode),
  };
}
