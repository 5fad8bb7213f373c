import { type ChecksumType, type Checksums, writeChecksums } from './xml-types';
import { XmlWriter } from './xml-writer';

/**
 * GetObjectAttributes' answer. Only the attributes asked for are present. Element order is the API
 * reference's: `ETag, Checksum, ObjectParts, StorageClass, ObjectSize`; the ETag is written without quotes,
 * as S3 does in this document. Part entries are `Checksum*, PartNumber, Size`. The part count's element
 * is `PartsCount` on the wire (the API reference's `TotalPartsCount` is the SDK member name).
 */
export interface AttributesPart extends Checksums {
  readonly PartNumber: number;
  readonly Size: number;
}

/**
 * S3 lists the parts (and pages them) only for an object with an additional checksum; otherwise it
 * answers the part count alone, so the paging fields are optional.
 */
export interface AttributesObjectParts {
  readonly TotalPartsCount: number;
  readonly PartNumberMarker?: number;
  readonly NextPartNumberMarker?: number;
  readonly MaxParts?: number;
  readonly IsTruncated?: boolean;
  readonly Part?: readonly AttributesPart[];
}

export interface GetObjectAttributesResponseInput {
  /** Bare (unquoted). */
  readonly ETag?: string;
  readonly Checksum?: Checksums & { readonly ChecksumType?: ChecksumType };
  readonly ObjectParts?: AttributesObjectParts;
  readonly StorageClass?: string;
  readonly ObjectSize?: number;
}

export function buildGetObjectAttributesResponse(input: GetObjectAttributesResponseInput): string {
  const w = new XmlWriter('GetObjectAttributesResponse').optText('ETag', input.ETag);
  if (input.Checksum) {
    w.open('Checksum');
    writeChecksums(w, input.Checksum);
    w.optText('ChecksumType', input.Checksum.ChecksumType).close('Checksum');
  }
  const p = input.ObjectParts;
  if (p) {
    w.open('ObjectParts')
      .int('PartsCount', p.TotalPartsCount)
      .optInt('PartNumberMarker', p.PartNumberMarker)
      .optInt('NextPartNumberMarker', p.NextPartNumberMarker)
      .optInt('MaxParts', p.MaxParts);
    if (p.IsTruncated !== undefined) w.bool('IsTruncated', p.IsTruncated);
    for (const part of p.Part ?? []) {
      w.open('Part');
      writeChecksums(w, part);
      w.int('PartNumber', part.PartNumber).int('Size', part.Size).close('Part');
    }
    w.close('ObjectParts');
  }
  return w.optText('StorageClass', input.StorageClass).optInt('ObjectSize', input.ObjectSize).end();
}
