import { type Checksums, writeChecksums } from './xml-types';
import { XmlWriter } from './xml-writer';

/** UploadPartCopy: `LastModified, ETag`, then the part checksum when the upload has an algorithm. */
export interface CopyPartResultInput extends Checksums {
  readonly ETag: string;
  readonly LastModified: Date;
}

export function buildCopyPartResult(input: CopyPartResultInput): string {
  const w = new XmlWriter('CopyPartResult').date('LastModified', input.LastModified).etag('ETag', input.ETag);
  writeChecksums(w, input);
  return w.end();
}
