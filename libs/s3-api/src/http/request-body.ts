import type { IncomingMessage } from 'node:http';
import type { ChecksumAlgorithm } from '@massive/contracts';
import { algorithmOfHeader, decodeAwsChunked, isStreamingMode, S3Error, verifyPayloadSha256 } from '@massive/s3-protocol';
import type { Authenticated } from './auth';
import type { RequestBody, S3ApiConfig } from '../types';

/**
 * The request body as the handlers see it: aws-chunked decoded, signatures and payload hash checked
 * while streaming (each byte hashed once), lengths enforced. Nothing is read until `stream()` is
 * iterated, so requests without a body cost nothing here.
 */
export function openRequestBody(req: IncomingMessage, auth: Authenticated, _config: S3ApiConfig, onBytes: (n: number) => void): RequestBody {
  const a = auth.sigv4;
  const streaming = isStreamingMode(a.payloadMode);
  const contentLength = parseLength(req.headers['content-length']);
  const chunkedTransfer = req.headers['transfer-encoding'] !== undefined;
  let length: number | undefined;
  if (streaming) length = a.decodedContentLength;
  else if (contentLength !== undefined) length = contentLength;
  else if (!chunkedTransfer) length = 0;
  let trailers: Readonly<Record<string, string>> = {};
  const trailerChecksum = a.trailers?.map(algorithmOfHeader).find((x): x is ChecksumAlgorithm => x !== undefined);
  let consumed = false;

  return {
    length,
    trailerChecksum,
    trailers: () => trailers,
    stream(): AsyncIterable<Buffer> {
      if (consumed) throw new Error('request body consumed twice');
      consumed = true;
      const raw = counted(req, onBytes);
      switch (a.payloadMode) {
        case 'unsigned':
          return raw;
        case 'sha256':
          return verifyPayloadSha256(raw, a.payloadSha256 ?? '');
        default:
          return decodeAwsChunked(raw, {
            mode: a.payloadMode,
            signing: a.signing,
            decodedContentLength: a.decodedContentLength,
            expectedTrailers: a.trailers,
            onTrailers: (t) => {
              trailers = Object.fromEntries(t);
            },
          });
      }
    },
  };
}

async function* counted(req: IncomingMessage, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of req) {
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
