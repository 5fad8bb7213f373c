import { XmlWriter } from './xml-writer';

/** CreateMultipartUpload. Checksum algorithm and type travel as response headers, not in this body. */
export interface InitiateMultipartUploadResultInput {
  readonly Bucket: string;
  readonly Key: string;
  readonly UploadId: string;
}

export function buildInitiateMultipartUploadResult(input: InitiateMultipartUploadResultInput): string {
  return new XmlWriter('InitiateMultipartUploadResult')
    .text('Bucket', input.Bucket)
    .text('Key', input.Key)
    .text('UploadId', input.UploadId)
    .end();
}
