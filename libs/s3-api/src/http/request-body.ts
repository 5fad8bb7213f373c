import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ChecksumAlgorithm } from '@massive/contracts';
import { algorithmOfHeader, checkPayloadSha256, decodeAwsChunked, isStreamingMode, S3Error, verifyPayloadSha256 } from '@massive/s3-protocol';
import type { PayloadAuth } from './auth';
import { fedTo, type HashJob, type HashName } from './hashing/hash-job';
import { bodyTimeout, idleTimeout } from '../limits/idle-timeout';
import type { RequestBody, S3ApiConfig } from '../types';

export interface BodyHooks {
  /** Called with each piece's size as it arrives (metrics). */
  readonly onBytes: (n: number) => void;
  /** Called once, just before the first read (e.g. to send `100 Continue` to a client waiting for it). */
  readonly onFirstRead?: () => void;
}

/**
 * The request body as the handlers see it: aws-chunked decoded, signatures and payload hash checked
 * while streaming (each byte hashed once), lengths enforced. Nothing is read until `stream()` is
 * iterated, so requests without a body cost nothing here. A client that sends nothing for
 * `bodyIdleTimeoutMs` while the body is being read fails it with RequestTimeout.
 */
export function openRequestBody(req: IncomingMessage, auth: { readonly sigv4: PayloadAuth }, config: Pick<S3ApiConfig, 'bodyIdleTimeoutMs'>, hooks: BodyHooks): RequestBody {
  const { onBytes } = hooks;
  const idleMs = config.bodyIdleTimeoutMs;
  const a = auth.sigv4;
  const streaming = isStreamingMode(a.payloadMode);
  const contentLength = parseLength(req.headers['content-length']);
  const chunkedTransfer = req.headers['transfer-encoding'] !== undefined;
  // By HTTP's rules a request with neither header has no body; an upload must say how long it is.
  const framed = contentLength !== undefined || chunkedTransfer;
  let length: number | undefined;
  if (streaming) length = a.decodedContentLength;
  else if (contentLength !== undefined) length = contentLength;
  else if (!chunkedTransfer) length = 0;
  let trailers: Readonly<Record<string, string>> = {};
  const trailerChecksum = a.trailers?.map(algorithmOfHeader).find((x): x is ChecksumAlgorithm => x !== undefined);
  let consumed = false;

  const take = () => {
    if (consumed) throw new Error('request body consumed twice');
    consumed = true;
    hooks.onFirstRead?.();
  };
  const selfHashes: readonly HashName[] = a.payloadMode === 'sha256' ? ['sha256'] : [];
  const body: RequestBody = {
    length,
    framed,
    selfHashes,
    trailerChecksum,
    trailers: () => trailers,
    async collect(limit: number): Promise<Buffer> {
      if (streaming) return gather(body.stream(), limit);
      take();
      const bytes = await readPlain(req, limit, onBytes, idleMs);
      if (a.payloadMode === 'sha256') checkSha256(bytes, a.payloadSha256 ?? '');
      return bytes;
    },
    stream(job?: HashJob): AsyncIterable<Buffer> {
      take();
      const raw = counted(req, onBytes, idleMs);
      switch (a.payloadMode) {
        case 'unsigned':
          return job ? fedTo(raw, job) : raw;
        case 'sha256':
          return job ? verifiedBy(job, raw, a.payloadSha256 ?? '') : verifyPayloadSha256(raw, a.payloadSha256 ?? '');
        default: {
          const decoded = decodeAwsChunked(raw, {
            mode: a.payloadMode,
            signing: a.signing,
            decodedContentLength: a.decodedContentLength,
            expectedTrailers: a.trailers,
            onTrailers: (t) => {
              trailers = Object.fromEntries(t);
            },
          });
          return job ? fedTo(decoded, job) : decoded;
        }
      }
    },
  };
  return body;
}

/** As verifyPayloadSha256, with the SHA-256 computed by `job` (which the caller also reads). */
async function* verifiedBy(job: HashJob, source: AsyncIterable<Buffer>, expectedHex: string): AsyncGenerator<Buffer> {
  if (!job.names.has('sha256')) throw new Error('a signed payload needs a hash job computing sha256 (RequestBody.selfHashes)');
  yield* fedTo(source, job);
  checkPayloadSha256(expectedHex, (await job.digests()).sha256?.toString('hex') ?? '');
}

async function gather(source: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of source) {
    n += b.length;
    if (n > limit) throw new S3Error('EntityTooLarge');
    parts.push(b);
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
}

/** A small plain body through 'data' events: no async iterator, one concat. */
function readPlain(req: IncomingMessage, limit: number, onBytes: (n: number) => void, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    const idle =
      idleMs > 0
        ? setTimeout(() => {
            // Stop reading, but leave the socket open for the 400.
            req.pause();
            fail(bodyTimeout());
          }, idleMs)
        : undefined;
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onData = (b: Buffer) => {
      idle?.refresh();
      n += b.length;
      onBytes(b.length);
      if (n > limit) return fail(new S3Error('EntityTooLarge'));
      parts.push(b);
    };
    const onEnd = () => {
      cleanup();
      if (!req.complete) return reject(new S3Error('IncompleteBody'));
      resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, n));
    };
    const onClose = () => fail(new S3Error('IncompleteBody'));
    const cleanup = () => {
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onClose);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onClose);
    req.once('close', onClose);
  });
}

function checkSha256(bytes: Buffer, expectedHex: string): void {
  checkPayloadSha256(expectedHex, createHash('sha256').update(bytes).digest('hex'));
}

async function* counted(req: IncomingMessage, onBytes: (n: number) => void, idleMs: number): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of idleTimeout<Buffer>(req, idleMs)) {
      const b = chunk as Buffer;
      onBytes(b.length);
      yield b;
    }
  } catch (e) {
    if (req.destroyed || (e as NodeJS.ErrnoException).code === 'ECONNRESET') throw new S3Error('IncompleteBody');
    throw e;
  }
  if (!req.complete) throw new S3Error('IncompleteBody');
}

function parseLength(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v)) throw new S3Error('InvalidArgument', 'Content-Length is not a valid number', { ArgumentName: 'Content-Length' });
  return Number(v);
}
