/**
 * A small aws-chunked encoder for tests, written from the AWS documentation (sigv4-streaming,
 * sigv4-streaming-trailers) and independent of the decoder under test.
 */
import { createHash, createHmac } from 'node:crypto';

export interface ChunkSigner {
  readonly signingKey: Buffer;
  readonly seedSignature: string;
  readonly scope: string;
  readonly datetime: string;
}

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export function chunkSignature(s: ChunkSigner, previous: string, data: Buffer): string {
  const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', s.datetime, s.scope, previous, EMPTY, sha256(data)].join('\n');
  return hmac(s.signingKey, toSign).toString('hex');
}

export function trailerSignature(s: ChunkSigner, previous: string, trailerLines: string): string {
  const toSign = ['AWS4-HMAC-SHA256-TRAILER', s.datetime, s.scope, previous, sha256(trailerLines)].join('\n');
  return hmac(s.signingKey, toSign).toString('hex');
}

export interface EncodeOptions {
  /** Sizes of the data chunks (the payload is cut in this order; the rest goes in a last chunk). */
  readonly chunkSizes: readonly number[];
  /** Present for the signed modes. */
  readonly signer?: ChunkSigner;
  /** Trailer lines `name:value` (trailer modes). */
  readonly trailers?: readonly (readonly [string, string])[];
  /** Signed trailer mode: add x-amz-trailer-signature. */
  readonly signTrailer?: boolean;
  /** Omit the empty line that ends the trailer section (some SDKs do). */
  readonly omitFinalCrlf?: boolean;
}

/** Encodes `payload` as aws-chunked. Returns the body and the chunk signatures used. */
export function encodeAwsChunked(payload: Buffer, opts: EncodeOptions): { body: Buffer; signatures: string[] } {
  const parts: Buffer[] = [];
  const signatures: string[] = [];
  let previous = opts.signer?.seedSignature ?? '';
  let offset = 0;
  const chunks: Buffer[] = [];
  for (const size of opts.chunkSizes) {
    if (offset >= payload.length) break;
    chunks.push(payload.subarray(offset, offset + size));
    offset += size;
  }
  if (offset < payload.length) chunks.push(payload.subarray(offset));
  chunks.push(Buffer.alloc(0));
  for (const chunk of chunks) {
    let header = chunk.length.toString(16);
    if (opts.signer) {
      previous = chunkSignature(opts.signer, previous, chunk);
      signatures.push(previous);
      header += `;chunk-signature=${previous}`;
    }
    parts.push(Buffer.from(`${header}\r\n`), chunk);
    if (chunk.length > 0 || opts.trailers === undefined) parts.push(Buffer.from('\r\n'));
  }
  if (opts.trailers !== undefined) {
    const lines = opts.trailers.map(([n, v]) => `${n}:${v}`);
    for (const line of lines) parts.push(Buffer.from(`${line}\r\n`));
    if (opts.signTrailer && opts.signer) {
      const sig = trailerSignature(opts.signer, previous, lines.map((l) => `${l}\n`).join(''));
      signatures.push(sig);
      parts.push(Buffer.from(`x-amz-trailer-signature:${sig}\r\n`));
    }
    if (!opts.omitFinalCrlf) parts.push(Buffer.from('\r\n'));
  }
  return { body: Buffer.concat(parts), signatures };
}
