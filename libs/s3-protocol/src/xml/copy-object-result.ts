import { type ChecksumType, type Checksums, writeChecksums } from './xml-types';
import { XmlWriter } from './xml-writer';

/**
 * CopyObject. Element order follows what S3 sends (and its documentation examples): `LastModified, ETag`,
 * then `ChecksumType` and the checksum of the new object when it has one.
 */
export interface CopyObjectResultInput extends Checksums {
  readonly ETag: string;
  readonly LastModified: Date;
  readonly ChecksumType?: ChecksumType;
}

export function buildCopyObjectResult(input: CopyObjectResultInput): string {
  const w = new XmlWriter('CopyObjectResult').date('LastModified', input.LastModified).etag('ETag', input.ETag);
  w.optText('ChecksumType', input.ChecksumType);
  writeChecksums(w, input);
  return w.end();
}
