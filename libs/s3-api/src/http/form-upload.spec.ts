import { S3Error } from '@massive/s3-protocol';
import type { RequestBody } from '../types';
import { readFormUpload } from './form-upload';
import { fedTo, type HashJob } from './hashing/hash-job';

const BOUNDARY = '----massive9431149156168';
const CT = `multipart/form-data; boundary=${BOUNDARY}`;

type Part = { name: string; value: string | Buffer; filename?: string };

function form(parts: Part[], end = true): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disp}\r\n${p.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`));
    out.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value));
    out.push(Buffer.from('\r\n'));
  }
  if (end) out.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(out);
}

/** A request body fed in pieces of `piece` bytes, counting how far the reader has pulled. */
function body(bytes: Buffer, piece = 1000, failWith?: Error): RequestBody & { pulled(): number } {
  let pulled = 0;
  async function* pieces(): AsyncGenerator<Buffer> {
    for (let i = 0; i < bytes.length; i += piece) {
      pulled = Math.min(bytes.length, i + piece);
      yield bytes.subarray(i, i + piece);
    }
    if (failWith) throw failWith;
  }
  return {
    length: bytes.length,
    framed: true,
    selfHashes: [],
    trailers: () => ({}),
    pulled: () => pulled,
    stream(job?: HashJob) {
      return job ? fedTo(pieces(), job) : pieces();
    },
    collect: () => Promise.reject(new Error('unused')),
  };
}

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(S3Error);
    return (e as S3Error).code;
  }
  return 'ok';
}

describe('readFormUpload', () => {
  it('gives the fields before the file, then streams the file; fields after it are ignored', async () => {
    const data = Buffer.alloc(50_000, 7);
    const f = await readFormUpload(
      body(form([{ name: 'key', value: 'a/${filename}' }, { name: 'X-Amz-Meta-Note', value: 'é' }, { name: 'file', value: data, filename: 'dir\\photo.png' }, { name: 'after', value: 'x' }])),
      CT,
    );
    expect(f.fields.names()).toEqual(['key', 'x-amz-meta-note']);
    expect(f.fields.get('x-amz-meta-note')).toBe('é');
    expect(f.filename).toBe('photo.png');
    expect((await readAll(f.file)).equals(data)).toBe(true);
    await f.finished();
    expect(f.fields.has('after')).toBe(false);
  });

  it('does not read the body far past the file part until the file is consumed (backpressure)', async () => {
    const data = Buffer.alloc(4 * 1024 * 1024, 1);
    const b = body(form([{ name: 'key', value: 'k' }, { name: 'file', value: data, filename: 'f' }]), 16 * 1024);
    const f = await readFormUpload(b, CT);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.pulled()).toBeLessThan(1024 * 1024);
    expect((await readAll(f.file)).length).toBe(data.length);
    await f.finished();
    expect(b.pulled()).toBe(b.length ?? -1);
  });

  it('takes a `file` field without a file name as the file', async () => {
    const f = await readFormUpload(body(form([{ name: 'key', value: 'k' }, { name: 'file', value: 'hello' }])), CT);
    expect(f.filename).toBe('');
    expect((await readAll(f.file)).toString()).toBe('hello');
  });

  it('answers IncorrectNumberOfFilesInPostRequest for a form without a file', async () => {
    expect(await code(readFormUpload(body(form([{ name: 'key', value: 'k' }])), CT))).toBe('IncorrectNumberOfFilesInPostRequest');
  });

  it('answers MaxPostPreDataLengthExceededError past 20 KiB of fields before the file', async () => {
    const big = [{ name: 'x-amz-meta-a', value: 'a'.repeat(15_000) }, { name: 'x-amz-meta-b', value: 'b'.repeat(6_000) }, { name: 'file', value: 'x', filename: 'f' }];
    expect(await code(readFormUpload(body(form(big)), CT))).toBe('MaxPostPreDataLengthExceededError');
    expect(await code(readFormUpload(body(form([{ name: 'key', value: 'k'.repeat(30_000) }])), CT))).toBe('MaxPostPreDataLengthExceededError');
  });

  it('answers MalformedPOSTRequest for a body that is not multipart or a form cut short in the file', async () => {
    expect(await code(readFormUpload(body(Buffer.from('key=k&file=x')), 'multipart/form-data'))).toBe('MalformedPOSTRequest');
    const f = await readFormUpload(body(form([{ name: 'key', value: 'k' }, { name: 'file', value: Buffer.alloc(5000), filename: 'f' }], false).subarray(0, 3000)), CT);
    expect(await code(readAll(f.file))).toBe('MalformedPOSTRequest');
    expect(await code(f.finished())).toBe('MalformedPOSTRequest');
  });

  it("fails the file with the body's own error (a client that stalls or hangs up)", async () => {
    const bytes = form([{ name: 'key', value: 'k' }, { name: 'file', value: Buffer.alloc(5000), filename: 'f' }]);
    const f = await readFormUpload(body(bytes.subarray(0, 3000), 1000, new S3Error('RequestTimeout')), CT);
    expect(await code(readAll(f.file))).toBe('RequestTimeout');
  });

  it('refuses a field given twice', async () => {
    expect(await code(readFormUpload(body(form([{ name: 'key', value: 'a' }, { name: 'Key', value: 'b' }, { name: 'file', value: 'x', filename: 'f' }])), CT))).toBe('InvalidArgument');
  });

  it('keeps reading (and discarding) the body after being abandoned, so the client can be answered', async () => {
    const b = body(form([{ name: 'key', value: 'k' }, { name: 'file', value: Buffer.alloc(2 * 1024 * 1024), filename: 'f' }]), 16 * 1024);
    const f = await readFormUpload(b, CT);
    f.abandon();
    for (let i = 0; i < 100 && b.pulled() < (b.length ?? 0); i++) await new Promise((r) => setTimeout(r, 5));
    expect(b.pulled()).toBe(b.length ?? -1);
  });
});
