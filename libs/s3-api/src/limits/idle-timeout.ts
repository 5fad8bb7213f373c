import { S3Error } from '@massive/s3-protocol';

/**
 * `source`, failing with 400 RequestTimeout when the reader has waited `ms` for the next piece (AWS's
 * "not read from or written to within the timeout period"). Only time spent waiting on the client
 * counts: while the consumer is busy (storage backpressure) the clock stops. On a timeout the source is
 * left as it is rather than returned: returning a request stream destroys its socket, and the client
 * should still get its 400. The caller closes the connection after answering.
 */
export async function* idleTimeout<T>(source: AsyncIterable<T>, ms: number): AsyncGenerator<T> {
  if (!(ms > 0)) return yield* source;
  const it = source[Symbol.asyncIterator]();
  let fire: ((e: Error) => void) | undefined;
  const timer = setTimeout(() => fire?.(bodyTimeout()), ms);
  timer.unref();
  let timedOut = false;
  try {
    for (;;) {
      const r = await new Promise<IteratorResult<T>>((resolve, reject) => {
        fire = (e) => {
          timedOut = true;
          reject(e);
        };
        timer.refresh();
        it.next().then(resolve, reject);
      });
      fire = undefined;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    clearTimeout(timer);
    fire = undefined;
    // Stopped early by the consumer (an error of its own): release the source as `for await` would.
    if (!timedOut) await it.return?.();
  }
}

export function bodyTimeout(): S3Error {
  return new S3Error('RequestTimeout');
}
