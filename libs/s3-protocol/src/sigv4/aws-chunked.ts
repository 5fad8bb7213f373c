import { createHash } from 'node:crypto';
import { S3Error } from '../errors';
import { ByteReader } from './byte-reader';
import { ChunkSignatureChain, type ChunkSigningContext } from './chunk-signature';
import { X_AMZ_DECODED_CONTENT_LENGTH, X_AMZ_TRAILER_SIGNATURE } from './constants';
import type { StreamingPayloadMode } from './payload-mode';

export interface AwsChunkedLimits {
  /** Longest chunk header or trailer line, CR included (default 4 KiB). */
  readonly maxLineBytes: number;
  /** Largest single chunk (default 5 GiB, the largest PUT; chunks are streamed, never buffered). */
  readonly maxChunkBytes: number;
  /** Largest trailer section, signature line included (default 16 KiB). */
  readonly maxTrailerBytes: number;
}

export const DEFAULT_AWS_CHUNKED_LIMITS: AwsChunkedLimits = {
  maxLineBytes: 4096,
  maxChunkBytes: 5 * 1024 ** 3,
  maxTrailerBytes: 16 * 1024,
};

/** Trailing headers by lowercase name (e.g. `x-amz-checksum-crc32` → base64). */
export type Trailers = ReadonlyMap<string, string>;

export interface AwsChunkedOptions {
  readonly mode: StreamingPayloadMode;
  /** Required for the signed modes: `SignedAuth.signing`. */
  readonly signing?: ChunkSigningContext;
  /** `x-amz-decoded-content-length`: the decoded body must have exactly this length. */
  readonly decodedContentLength?: number;
  /** `x-amz-trailer` names: when given, the trailers received must be exactly these. */
  readonly expectedTrailers?: readonly string[];
  /** Called with the trailers (empty without a trailer mode) once the whole body is verified, before completion. */
  readonly onTrailers?: (trailers: Trailers) => void;
  readonly limits?: Partial<AwsChunkedLimits>;
}

const CHUNK_HEADER = /^([0-9a-fA-F]{1,13})(;.*)?$/;
const CHUNK_SIGNATURE = /^;chunk-signature=([0-9a-f]{64})$/;

/**
 * Decodes an `aws-chunked` body as it streams, yielding the payload as views on the source buffers.
 * Verifies every chunk signature (signed modes), the final zero-length chunk, the trailers and their
 * signature (trailer modes), and the decoded length. Bytes of a chunk are yielded before that chunk's
 * signature is checked (chunks can be many MiB), so, as for any body, the caller must not commit what
 * it stored until the iterator completes; every failure throws an S3Error before completion.
 * The generator's return value is the trailers (also given to `onTrailers`).
 */
export async function* decodeAwsChunked(source: AsyncIterable<Uint8Array>, opts: AwsChunkedOptions): AsyncGenerator<Buffer, Trailers, undefined> {
  const limits = { ...DEFAULT_AWS_CHUNKED_LIMITS, ...opts.limits };
  const signed = opts.mode !== 'streaming-unsigned-trailer';
  const withTrailer = opts.mode !== 'streaming-signed';
  if (signed && opts.signing === undefined) throw new TypeError(`decodeAwsChunked: mode ${opts.mode} needs the signing context`);
  const chain = signed && opts.signing !== undefined ? new ChunkSignatureChain(opts.signing) : undefined;
  const reader = new ByteReader(source);
  const declared = opts.decodedContentLength;
  let decoded = 0;
  try {
    for (;;) {
      const line = await reader.readLine(limits.maxLineBytes);
      if (line === null) throw new S3Error('IncompleteBody', 'The request body ended before the final zero-length chunk.');
      const { size, signature } = parseChunkHeader(line, signed);
      if (size > limits.maxChunkBytes) throw new S3Error('EntityTooLarge', `An aws-chunked chunk of ${size} bytes exceeds the limit of ${limits.maxChunkBytes}.`);
      if (declared !== undefined && decoded + size > declared) {
        throw new S3Error('InvalidRequest', `The decoded body is longer than ${X_AMZ_DECODED_CONTENT_LENGTH} (${declared}).`);
      }
      const hash = chain === undefined ? undefined : createHash('sha256');
      for (let remaining = size; remaining > 0; ) {
        const piece = await reader.readSome(remaining);
        if (piece === null) throw new S3Error('IncompleteBody', `The request body ended inside a chunk (${remaining} bytes missing).`);
        hash?.update(piece);
        remaining -= piece.length;
        decoded += piece.length;
        yield piece;
      }
      if (chain !== undefined && hash !== undefined) chain.verifyChunk(hash.digest('hex'), signature);
      if (size === 0) break;
      await reader.expectCrlf();
    }
    if (declared !== undefined && decoded !== declared) {
      throw new S3Error('IncompleteBody', `The decoded body has ${decoded} bytes but ${X_AMZ_DECODED_CONTENT_LENGTH} is ${declared}.`);
    }
    const trailers = withTrailer ? await readTrailers(reader, limits, chain, opts.expectedTrailers) : await readFinalCrlf(reader);
    if (!(await reader.atEnd())) throw new S3Error('InvalidRequest', 'Unexpected data after the end of the aws-chunked body.');
    opts.onTrailers?.(trailers);
    return trailers;
  } finally {
    await reader.close();
  }
}

/** `<hex-size>[;chunk-signature=<sig>]`; the signature is required exactly when the mode is signed. */
function parseChunkHeader(line: string, signed: boolean): { size: number; signature: string } {
  const m = CHUNK_HEADER.exec(line);
  if (m === null) throw new S3Error('InvalidRequest', `Malformed aws-chunked chunk header "${line.slice(0, 80)}".`);
  const size = parseInt(m[1], 16);
  const extension = m[2] ?? '';
  if (!signed) {
    if (extension !== '') throw new S3Error('InvalidRequest', 'An unsigned aws-chunked chunk header must not carry extensions.');
    return { size, signature: '' };
  }
  const sig = CHUNK_SIGNATURE.exec(extension);
  if (sig === null) throw new S3Error('InvalidRequest', `The aws-chunked chunk header "${line.slice(0, 120)}" lacks a valid chunk-signature.`);
  return { size, signature: sig[1] };
}

/** STREAMING-AWS4-HMAC-SHA256-PAYLOAD: the zero-length chunk's CRLF, then nothing. */
async function readFinalCrlf(reader: ByteReader): Promise<Trailers> {
  await reader.expectCrlf();
  return new Map();
}

/**
 * The trailer section: `name:value` lines, for the signed mode then `x-amz-trailer-signature:<sig>`,
 * then an empty line. The empty line may be missing at the very end of input, as some SDKs send it.
 */
async function readTrailers(
  reader: ByteReader,
  limits: AwsChunkedLimits,
  chain: ChunkSignatureChain | undefined,
  expected: readonly string[] | undefined,
): Promise<Trailers> {
  const trailers = new Map<string, string>();
  let canonical = '';
  let signature: string | undefined;
  let total = 0;
  for (;;) {
    const line = await reader.readLine(limits.maxLineBytes);
    if (line === null || line === '') break;
    total += line.length + 2;
    if (total > limits.maxTrailerBytes) throw new S3Error('InvalidRequest', `The aws-chunked trailer is larger than ${limits.maxTrailerBytes} bytes.`);
    if (signature !== undefined) throw new S3Error('InvalidRequest', `The ${X_AMZ_TRAILER_SIGNATURE} must be the last trailer.`);
    const colon = line.indexOf(':');
    if (colon <= 0) throw new S3Error('InvalidRequest', `Malformed trailer line "${line.slice(0, 80)}".`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === X_AMZ_TRAILER_SIGNATURE) {
      signature = value;
      continue;
    }
    if (trailers.has(name)) throw new S3Error('InvalidRequest', `The trailer "${name}" is repeated.`);
    trailers.set(name, value);
    canonical += `${line}\n`;
  }
  if (chain !== undefined) {
    if (signature === undefined) throw new S3Error('SignatureDoesNotMatch', `The signed trailer lacks its ${X_AMZ_TRAILER_SIGNATURE}.`);
    if (!/^[0-9a-f]{64}$/.test(signature)) throw new S3Error('SignatureDoesNotMatch', `The ${X_AMZ_TRAILER_SIGNATURE} is malformed.`);
    chain.verifyTrailer(canonical, signature);
  } else if (signature !== undefined) {
    throw new S3Error('InvalidRequest', `An unsigned trailer must not carry ${X_AMZ_TRAILER_SIGNATURE}.`);
  }
  if (expected !== undefined) {
    const missing = expected.filter((n) => !trailers.has(n));
    const extra = [...trailers.keys()].filter((n) => !expected.includes(n));
    if (missing.length > 0 || extra.length > 0) {
      throw new S3Error('InvalidRequest', `The trailers received (${[...trailers.keys()].join(', ') || 'none'}) are not those declared in x-amz-trailer (${expected.join(', ') || 'none'}).`);
    }
  }
  return trailers;
}
