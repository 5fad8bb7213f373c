import { createHash } from 'node:crypto';
import { S3Error } from '../errors';

/**
 * Passes the body through unchanged while hashing it, and throws XAmzContentSHA256Mismatch at the end
 * when its SHA-256 is not `expectedHex` (the `x-amz-content-sha256` value). The caller must not commit
 * what it wrote until this iterator has completed.
 */
export async function* verifyPayloadSha256(source: AsyncIterable<Uint8Array>, expectedHex: string): AsyncGenerator<Buffer, void, undefined> {
  const hash = createHash('sha256');
  for await (const chunk of source) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    hash.update(buf);
    yield buf;
  }
  checkPayloadSha256(expectedHex, hash.digest('hex'));
}

/** Throws XAmzContentSHA256Mismatch unless the body's SHA-256 (`computedHex`) is the signed `expectedHex`. */
export function checkPayloadSha256(expectedHex: string, computedHex: string): void {
  if (computedHex !== expectedHex.toLowerCase()) {
    throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
      ClientComputedContentSHA256: expectedHex,
      S3ComputedContentSHA256: computedHex,
    });
  }
}
