import type { ChecksumAlgorithm, NewObjectData, ObjectChecksum } from '@massive/contracts';
import {
  createChecksumHasher,
  parseContentMd5,
  parseRequestChecksum,
  parseTrailerChecksum,
  S3Error,
  verifyChecksum,
  verifyContentMd5,
  type ChecksumHasher,
} from '@massive/s3-protocol';
import { fedTo, inlineHashing, type HashJob, type HashName } from './hashing/hash-job';
import { header } from './object-headers';
import { encryptStream } from '../sse/package-format';
import { customerEtag } from '../sse/customer-keys';
import { renewalPeriod, renewWhileProgressing } from '../limits/intent-renewal';
import type { S3ApiDeps, S3Request } from '../types';

export interface IngestOptions {
  /** Largest body accepted (EntityTooLarge beyond). */
  readonly maxSize: number;
  /** Small bodies may be kept inline (PutObject); parts always go to the blob store. */
  readonly allowInline: boolean;
  /** Compute this checksum even when the client sent none (a multipart upload's algorithm). */
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  /** Use these bytes instead of the request body (copies). */
  readonly source?: AsyncIterable<Buffer>;
  /** Declared size of `source`. */
  readonly sourceLength?: number;
  /** The body's length is learned by reading it (a POST form's file): there is no Content-Length to require. */
  readonly lengthFromStream?: boolean;
  /**
   * Store the body encrypted (SSE-S3, SSE-C) with this data key as package stream `stream` (0 for an
   * object, the part number for a part). Hashes, checksums and the size stay those of the plaintext;
   * with `customer` (SSE-C) the ETag is not the plaintext's MD5 (customer-keys.ts).
   */
  readonly encryption?: { readonly dataKey: Buffer; readonly stream: number; readonly customer?: boolean };
}

export interface Ingested {
  readonly data: NewObjectData;
  readonly size: number;
  /** Hex MD5 of the body (checked against Content-MD5). */
  readonly md5: string;
  /** The ETag of a single PUT or a part: `md5`, except under SSE-C (customerEtag). */
  readonly etag: string;
  readonly checksum?: ObjectChecksum;
}

/**
 * Streams a body to storage while hashing it once (MD5 for the ETag, plus the checksum the client
 * asked for), then verifies Content-MD5 / x-amz-checksum-* / trailing checksums. Small bodies are
 * collected inline; larger ones go to the blob store under a write intent recorded first, so a crash
 * or a failed check leaves nothing the janitor cannot reclaim. Nothing is committed here: the caller
 * commits `data` in its metadata transaction, or calls `discard` when it gives up.
 */
export async function ingest(req: S3Request, deps: S3ApiDeps, opts: IngestOptions): Promise<Ingested> {
  const copying = opts.source !== undefined;
  const wanted = copying ? { location: 'none' as const } : parseRequestChecksum(req.headers);
  const md5Header = copying ? undefined : header(req.headers, 'content-md5');
  const expectedMd5 = md5Header !== undefined ? parseContentMd5(md5Header) : undefined;
  const length = copying ? opts.sourceLength : req.body.length;
  if (length !== undefined && length > opts.maxSize) throw new S3Error('EntityTooLarge', undefined, { ProposedSize: String(length), MaxSizeAllowed: String(opts.maxSize) });
  // A plain `Transfer-Encoding: chunked` body (not aws-chunked with its decoded length) has no length
  // to check before storing: S3 refuses it with 501 NotImplemented naming the header, and so do we. (A
  // browser POST's file part has no length of its own either: its form is bounded by the policy instead.)
  if (!copying && !opts.lengthFromStream && length === undefined && req.body.framed) throw new S3Error('NotImplemented', undefined, { Header: 'Transfer-Encoding' });
  // Neither Content-Length nor Transfer-Encoding means no body by HTTP's rules, not an empty object.
  if (!copying && !opts.lengthFromStream && (length === undefined || !req.body.framed)) throw new S3Error('MissingContentLength');
  const algorithm = wanted.location !== 'none' ? wanted.algorithm : opts.checksumAlgorithm;
  if (wanted.location !== 'none' && opts.checksumAlgorithm && wanted.algorithm !== opts.checksumAlgorithm) {
    throw new S3Error('InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${opts.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${wanted.algorithm.toLowerCase()}`);
  }
  let size = 0;
  let received = false;
  const max = opts.maxSize;
  // MD5 (the ETag), SHA-1/SHA-256 checksums and the signed payload's SHA-256 are computed by one hash
  // job (on a hashing thread for large bodies: hashing/hash-pool.ts), a digest both need computed once;
  // CRC checksums are cheap and stay here.
  const shaChecksum = algorithm === 'SHA1' ? 'sha1' : algorithm === 'SHA256' ? 'sha256' : undefined;
  const crc: ChecksumHasher | undefined = algorithm && !shaChecksum ? createChecksumHasher(algorithm) : undefined;
  const own: HashName[] = shaChecksum ? ['md5', shaChecksum] : ['md5'];
  let job: HashJob | undefined;
  async function* hashed(j: HashJob): AsyncGenerator<Buffer> {
    const source = opts.source ? fedTo(opts.source, j) : req.body.stream(j);
    for await (const b of source) {
      size += b.length;
      if (size > max) throw new S3Error('EntityTooLarge');
      crc?.update(b);
      yield b;
    }
    received = true;
  }

  let data: NewObjectData;
  if (opts.allowInline && length !== undefined && length <= deps.config.inlineThreshold) {
    // Small body: one buffer, each hash in one pass over it.
    let bytes: Buffer;
    if (opts.source) {
      const parts: Buffer[] = [];
      for await (const b of opts.source) parts.push(b);
      bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    } else {
      bytes = await req.body.collect(Math.min(max, deps.config.inlineThreshold));
    }
    size = bytes.length;
    job = inlineHashing.open(own, size);
    // `collect` checked the signed payload's SHA-256 itself.
    job.update(bytes);
    crc?.update(bytes);
    data = { kind: 'inline', bytes: opts.encryption ? await sealed(bytes, opts.encryption) : bytes };
  } else {
    const intent = deps.intents ? await deps.intents.take(req.ctx) : await deps.metadata.createWriteIntent({ ttlMs: deps.config.intentTtlMs }, req.ctx);
    // Renewed only while bytes arrive (then until the last chunk is written): a stalled writer's intent
    // lapses and the janitor reclaims it.
    const stopRenewing = renewWhileProgressing({
      everyMs: renewalPeriod(deps.config.intentTtlMs),
      progress: () => size,
      received: () => received,
      renew: () => deps.metadata.renewWriteIntent({ intentId: intent.intentId, ttlMs: deps.config.intentTtlMs }, req.ctx),
    });
    // The streamed body checks its signed SHA-256 with the same job (RequestBody.selfHashes).
    const names = copying ? own : [...own, ...req.body.selfHashes];
    const j = (job = (deps.hashing ?? inlineHashing).open(names, length));
    try {
      const plain = hashed(j);
      const stored = opts.encryption ? encryptStream(plain, opts.encryption.dataKey, opts.encryption.stream) : plain;
      const manifest = await deps.blob.write(stored, { intentId: intent.intentId }, req.ctx);
      data = { kind: 'chunks', manifest, intentId: intent.intentId };
    } catch (e) {
      j.abort();
      await discardIntent(intent.intentId, req, deps);
      throw e;
    } finally {
      stopRenewing();
    }
  }

  try {
    const digests = await job.digests();
    const md5Digest = need(digests.md5);
    if (expectedMd5) verifyContentMd5(expectedMd5, md5Digest);
    let checksum: ObjectChecksum | undefined;
    if (algorithm) {
      const computed = shaChecksum ? need(digests[shaChecksum]) : await (crc as ChecksumHasher).digest();
      if (wanted.location === 'header') verifyChecksum(algorithm, wanted.value, computed);
      if (wanted.location === 'trailer') verifyChecksum(algorithm, parseTrailerChecksum(algorithm, req.body.trailers()[wanted.trailerName]), computed);
      checksum = { algorithm, value: computed.toString('base64'), type: 'FULL_OBJECT' };
    }
    if (length !== undefined && size !== length) throw new S3Error('IncompleteBody');
    const md5 = md5Digest.toString('hex');
    const etag = opts.encryption?.customer ? customerEtag(opts.encryption.dataKey, md5) : md5;
    return { data, size, md5, etag, checksum };
  } catch (e) {
    await discard(data, req, deps);
    throw e;
  }
}

/** A small body's packages, in one buffer. */
async function sealed(bytes: Buffer, enc: { readonly dataKey: Buffer; readonly stream: number }): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of encryptStream(once(bytes), enc.dataKey, enc.stream)) out.push(b);
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

function need(digest: Buffer | undefined): Buffer {
  if (!digest) throw new Error('hash job did not compute a digest it was asked for');
  return digest;
}

/** Gives up an ingested body that will not be committed: its chunks go to the janitor now. */
export async function discard(data: NewObjectData, req: S3Request, deps: S3ApiDeps): Promise<void> {
  if (data.kind === 'chunks') await discardIntent(data.intentId, req, deps);
}

async function discardIntent(intentId: string, req: S3Request, deps: S3ApiDeps): Promise<void> {
  // Best effort: if this fails the intent simply expires and the janitor reclaims it later.
  await deps.metadata.abandonWriteIntent({ intentId }, { requestId: req.requestId }).catch(() => undefined);
}

/** Response headers echoing a stored checksum. */
export function checksumHeaders(c: ObjectChecksum | undefined): Record<string, string> {
  if (!c) return {};
  return { [`x-amz-checksum-${c.algorithm.toLowerCase()}`]: c.value, 'x-amz-checksum-type': c.type };
}
