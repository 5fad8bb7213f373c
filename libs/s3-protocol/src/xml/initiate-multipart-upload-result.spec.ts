import { buildInitiateMultipartUploadResult } from './initiate-multipart-upload-result';
import { parseBack } from './testing/xml-assert';

describe('buildInitiateMultipartUploadResult', () => {
  it('writes Bucket, Key, UploadId', () => {
    const xml = buildInitiateMultipartUploadResult({ Bucket: 'example-bucket', Key: "it's <big>.m2ts", UploadId: 'VXBsb2FkIElE' });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Bucket>example-bucket</Bucket><Key>it&apos;s &lt;big&gt;.m2ts</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>',
    );
    expect(parseBack(xml).InitiateMultipartUploadResult.Key).toBe("it's <big>.m2ts");
  });
});
