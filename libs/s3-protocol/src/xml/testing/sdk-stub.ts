import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * A real @aws-sdk/client-s3 whose requests go nowhere: each request body it sends is kept in `sent`, and
 * every request is answered `status` with `answer` as an XML body, so a spec can check that the SDK's own
 * serializers produce what our parsers read and its deserializers read what our builders write.
 */
export function stubS3Client(status = 200, answer = ''): { readonly s3: S3Client; readonly sent: string[] } {
  const sent: string[] = [];
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://localhost:9000',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        sent.push(String(request.body ?? ''));
        const headers = { 'content-type': 'application/xml', 'x-amz-request-id': 'req' };
        return { response: { statusCode: status, reason: '', headers, body: Readable.from([Buffer.from(answer)]) } };
      },
    } as never,
  });
  return { s3, sent };
}
