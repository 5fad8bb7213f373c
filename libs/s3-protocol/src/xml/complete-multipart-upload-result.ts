import { type ChecksumType, type Checksums, writeChecksums } from './xml-types';
import { XmlWriter } from './xml-writer';

/**
 * CompleteMultipartUpload: `Location, Bucket, Key, ETag, Checksum*, ChecksumType`.
 * `Location` is the object URL; the caller URL-encodes the key path in it as AWS does.
 * The ETag may be given bare or quoted; it is written quoted (`"…-N"`).
 */
export interface CompleteMultipartUploadResultInput extends Checksums {
  readonly Location: string;
  readonly Bucket: string;
  readonly Key: string;
  readonly ETag: string;
  readonly ChecksumType?: ChecksumType;
}

export function buildCompleteMultipartUploadResult(input: CompleteMultipartUploadResultInput): string {
  const w = new XmlWriter('CompleteMultipartUploadResult')
    .text('Location', input.Location)
    .text('Bucket', input.Bucket)
    .text('Key', input.Key)
    .etag('ETag', input.ETag);
  writeChecksums(w, input);
  return w.optText('ChecksumType', input.ChecksumType).end();
}
