import { Readable } from 'node:stream';
import busboy from 'busboy';
import { isS3Error, PostFields, S3Error } from '@massive/s3-protocol';
import type { RequestBody } from '../types';

/** S3 caps the form fields before the file (names and values) at 20 KiB: MaxPostPreDataLengthExceededError. */
export const MAX_FORM_PREAMBLE_BYTES = 20 * 1024;

export interface FormUpload {
  /** The fields before the file, in form order. */
  readonly fields: PostFields;
  /** The `file` part's file name as the client sent it (its base name); '' when it sent none. */
  readonly filename: string;
  /**
   * The file's bytes, streamed from the request with backpressure: nothing after the part header is
   * buffered here. Fails with the body's error (RequestTimeout, IncompleteBody) or MalformedPOSTRequest.
   */
  readonly file: AsyncIterable<Buffer>;
  /** Resolves once the rest of the body has been read and parsed (fields after the file are ignored, as S3 does). */
  finished(): Promise<void>;
  /** Gives up on the form: nothing more is parsed; the rest of the body is read and discarded. */
  abandon(): void;
}

function malformed(): S3Error {
  return new S3Error('MalformedPOSTRequest');
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections nobody awaits (a form given up on) are not unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Parses a multipart/form-data POST upload with busboy, fed from the verified request body with
 * backpressure. Resolves when the `file` part begins, with the fields before it; the caller then
 * checks them (policy, signature) before it reads a byte of the file. A form that ends without a file
 * is IncorrectNumberOfFilesInPostRequest; fields before the file past `maxPreamble` bytes are
 * MaxPostPreDataLengthExceededError; anything busboy cannot parse is MalformedPOSTRequest.
 */
export function readFormUpload(body: RequestBody, contentType: string, maxPreamble = MAX_FORM_PREAMBLE_BYTES): Promise<FormUpload> {
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // One byte over the cap makes busboy flag truncation instead of silently cutting a value.
      limits: { fieldSize: maxPreamble + 1, fieldNameSize: maxPreamble + 1 },
    });
  } catch {
    return Promise.reject(malformed());
  }
  const fields = new PostFields();
  const head = deferred<FormUpload>();
  const done = deferred<void>();
  let preamble = 0;
  let file: Readable | undefined;
  let failure: unknown;
  let abandoned = false;
  let wake: (() => void) | undefined;

  const fail = (e: unknown): void => {
    if (failure !== undefined) return;
    failure = e;
    head.reject(e);
    done.reject(e);
    file?.destroy(e instanceof Error ? e : malformed());
    abandon();
  };
  const abandon = (): void => {
    abandoned = true;
    wake?.();
  };
  const count = (name: string, value: string): boolean => {
    preamble += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (preamble <= maxPreamble) return true;
    fail(new S3Error('MaxPostPreDataLengthExceededError'));
    return false;
  };
  const begin = (stream: Readable, filename: string): void => {
    file = stream;
    head.resolve({ fields, filename, file: fileBytes(stream), finished: () => done.promise, abandon });
  };
  async function* fileBytes(stream: Readable): AsyncGenerator<Buffer> {
    try {
      for await (const b of stream) yield b as Buffer;
    } catch (e) {
      throw failure ?? (isS3Error(e) ? e : malformed());
    }
    if (failure !== undefined) throw failure;
  }

  bb.on('field', (name, value, info) => {
    if (file || failure !== undefined) return;
    if (info.nameTruncated || info.valueTruncated) return fail(new S3Error('MaxPostPreDataLengthExceededError'));
    if (!count(name, value)) return;
    // A `file` part without a file name (a plain text field) is the file all the same.
    if (name.toLowerCase() === 'file') return begin(Readable.from([Buffer.from(value, 'utf8')]), '');
    try {
      fields.add(name, value);
    } catch (e) {
      fail(e);
    }
  });
  bb.on('file', (name, stream, info) => {
    if (file || failure !== undefined || name.toLowerCase() !== 'file') {
      // Another file-like part before the file is a field the policy must allow; its bytes are not kept.
      if (!file && failure === undefined && count(name, '')) {
        try {
          fields.add(name, '');
        } catch (e) {
          fail(e);
        }
      }
      stream.resume();
      return;
    }
    begin(stream, info.filename ?? '');
  });
  bb.on('error', (e) => fail(isS3Error(e) ? e : malformed()));
  bb.on('close', () => {
    if (!file) fail(new S3Error('IncorrectNumberOfFilesInPostRequest'));
    else done.resolve();
  });

  void (async () => {
    try {
      for await (const chunk of body.stream()) {
        // Given up: keep reading so the client can be answered, but parse nothing more.
        if (abandoned) continue;
        if (!bb.write(chunk)) {
          await new Promise<void>((resolve) => {
            const w = (): void => {
              bb.removeListener('drain', w);
              wake = undefined;
              resolve();
            };
            wake = w;
            bb.on('drain', w);
          });
        }
      }
      if (!abandoned) bb.end();
    } catch (e) {
      fail(e);
    }
  })();
  return head.promise;
}
