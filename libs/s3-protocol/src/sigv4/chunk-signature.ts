import { createHash } from 'node:crypto';
import { S3Error } from '../errors';
import { AWS4_HMAC_SHA256_PAYLOAD, AWS4_HMAC_SHA256_TRAILER, EMPTY_SHA256 } from './constants';
import { computeSignature, signaturesEqual } from './signature';

/** What chunk and trailer signatures are computed from (see `SignedAuth.signing`). */
export interface ChunkSigningContext {
  readonly signingKey: Buffer;
  /** The request's own signature: the first chunk signs over it. */
  readonly seedSignature: string;
  /** `20130524/us-east-1/s3/aws4_request` */
  readonly scope: string;
  /** `20130524T000000Z` */
  readonly datetime: string;
}

/** "AWS4-HMAC-SHA256-PAYLOAD" \n DateTime \n Scope \n PreviousSignature \n hash("") \n hash(ChunkData) */
export function chunkStringToSign(ctx: ChunkSigningContext, previousSignature: string, chunkSha256Hex: string): string {
  return `${AWS4_HMAC_SHA256_PAYLOAD}\n${ctx.datetime}\n${ctx.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/** "AWS4-HMAC-SHA256-TRAILER" \n DateTime \n Scope \n PreviousSignature \n hash(TrailerHeaders) */
export function trailerStringToSign(ctx: ChunkSigningContext, previousSignature: string, trailerSha256Hex: string): string {
  return `${AWS4_HMAC_SHA256_TRAILER}\n${ctx.datetime}\n${ctx.scope}\n${previousSignature}\n${trailerSha256Hex}`;
}

/**
 * The chain of chunk signatures: each chunk signs over the previous signature, starting from the seed,
 * and the trailer signs over the final (zero-length) chunk's signature. One HMAC per chunk.
 */
export class ChunkSignatureChain {
  private previous: string;
  private index = 0;

  constructor(private readonly ctx: ChunkSigningContext) {
    this.previous = ctx.seedSignature;
  }

  /** Checks the next chunk's signature; throws SignatureDoesNotMatch. */
  verifyChunk(chunkSha256Hex: string, provided: string): void {
    const expected = computeSignature(this.ctx.signingKey, chunkStringToSign(this.ctx, this.previous, chunkSha256Hex));
    if (!signaturesEqual(expected, provided)) {
      throw new S3Error('SignatureDoesNotMatch', `The signature of chunk ${this.index} does not match.`, { SignatureProvided: provided });
    }
    this.index++;
    this.previous = provided;
  }

  /** Checks the trailer signature over the canonical trailer bytes (`name:value\n` per line). */
  verifyTrailer(canonicalTrailer: string, provided: string): void {
    const hash = createHash('sha256').update(canonicalTrailer, 'utf8').digest('hex');
    const expected = computeSignature(this.ctx.signingKey, trailerStringToSign(this.ctx, this.previous, hash));
    if (!signaturesEqual(expected, provided)) {
      throw new S3Error('SignatureDoesNotMatch', 'The trailer signature does not match.', { SignatureProvided: provided });
    }
    this.previous = provided;
  }
}
