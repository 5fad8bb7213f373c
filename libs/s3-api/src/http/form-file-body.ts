import { S3Error } from '@massive/s3-protocol';
import type { LengthRange } from '@massive/s3-protocol';
import type { RequestBody } from '../types';
import { fedTo, type HashJob } from './hashing/hash-job';

/**
 * A POST form's file as a request body for `ingest`. Up to `peekBytes` are read ahead: a file that ends
 * within them has a known length (and can be stored inline, as a small PUT is); a longer one streams on
 * with its length learned at the end. `range` (the policy's content-length-range) is enforced while
 * streaming: EntityTooLarge as soon as the file passes its maximum. Its minimum is the caller's to check.
 */
export async function formFileBody(file: AsyncIterable<Buffer>, peekBytes: number, range?: LengthRange): Promise<RequestBody> {
  const it = limited(file, range?.max)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let seen = 0;
  let ended = false;
  while (seen <= peekBytes) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(r.value);
    seen += r.value.length;
  }
  let consumed = false;
  const take = (): void => {
    if (consumed) throw new Error('form file consumed twice');
    consumed = true;
  };
  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    if (ended) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return {
    length: ended ? seen : undefined,
    framed: true,
    selfHashes: [],
    trailers: () => ({}),
    stream(job?: HashJob) {
      take();
      return job ? fedTo(all(), job) : all();
    },
    async collect(limit: number) {
      take();
      if (!ended || seen > limit) throw new S3Error('EntityTooLarge');
      return head.length === 1 ? head[0] : Buffer.concat(head, seen);
    },
  };
}

async function* limited(file: AsyncIterable<Buffer>, max: number | undefined): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const b of file) {
    n += b.length;
    if (max !== undefined && n > max) throw new S3Error('EntityTooLarge', undefined, { MaxSizeAllowed: String(max) });
    yield b;
  }
}
