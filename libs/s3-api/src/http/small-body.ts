import { S3Error } from '@massive/s3-protocol';
import type { RequestBody } from '../types';

/** Reads a small request document (XML) fully, refusing more than `limit` bytes. */
export async function readSmallBody(body: RequestBody, limit: number): Promise<Buffer> {
  if (body.length !== undefined && body.length > limit) throw new S3Error('MalformedXML', 'The XML document is too large');
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of body.stream()) {
    n += b.length;
    if (n > limit) throw new S3Error('MalformedXML', 'The XML document is too large');
    parts.push(b);
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
}
