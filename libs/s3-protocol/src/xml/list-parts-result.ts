import { type ChecksumAlgorithm, type ChecksumType, type Checksums, type Owner, writeChecksums, writeOwner } from './xml-types';
import { XmlWriter, type XmlPieces } from './xml-writer';

/**
 * ListParts. Element order follows S3's documentation example, which is what S3 sends:
 * `Bucket, Key, UploadId, Initiator, Owner, StorageClass, PartNumberMarker, NextPartNumberMarker, MaxParts,
 * IsTruncated, Part*`, then `ChecksumAlgorithm?, ChecksumType?` of the upload.
 */
export interface ListedPart extends Checksums {
  readonly PartNumber: number;
  readonly LastModified: Date;
  /** Bare or quoted; written quoted. */
  readonly ETag: string;
  readonly Size: number;
}

export interface ListPartsResultInput {
  readonly Bucket: string;
  readonly Key: string;
  readonly UploadId: string;
  readonly Initiator: Owner;
  readonly Owner: Owner;
  readonly StorageClass: string;
  /** 0 when the request had no `part-number-marker`. */
  readonly PartNumberMarker: number;
  /** The last part number listed (0 when none), the marker for the next page. */
  readonly NextPartNumberMarker: number;
  readonly MaxParts: number;
  readonly IsTruncated: boolean;
  readonly Part: readonly ListedPart[];
  readonly ChecksumAlgorithm?: ChecksumAlgorithm;
  readonly ChecksumType?: ChecksumType;
}

function writeListPartsResult(input: ListPartsResultInput): XmlWriter {
  const w = new XmlWriter('ListPartsResult').text('Bucket', input.Bucket).text('Key', input.Key).text('UploadId', input.UploadId);
  writeOwner(w, 'Initiator', input.Initiator);
  writeOwner(w, 'Owner', input.Owner);
  w.text('StorageClass', input.StorageClass)
    .int('PartNumberMarker', input.PartNumberMarker)
    .int('NextPartNumberMarker', input.NextPartNumberMarker)
    .int('MaxParts', input.MaxParts)
    .bool('IsTruncated', input.IsTruncated);
  for (const p of input.Part) {
    w.open('Part').int('PartNumber', p.PartNumber).date('LastModified', p.LastModified).etag('ETag', p.ETag).int('Size', p.Size);
    writeChecksums(w, p);
    w.close('Part');
  }
  return w.optText('ChecksumAlgorithm', input.ChecksumAlgorithm).optText('ChecksumType', input.ChecksumType);
}

export function buildListPartsResult(input: ListPartsResultInput): string {
  return writeListPartsResult(input).end();
}

/** As `buildListPartsResult`, in pieces: what a response sends (the document can be large). */
export function buildListPartsResultPieces(input: ListPartsResultInput): XmlPieces {
  return writeListPartsResult(input).endPieces();
}
