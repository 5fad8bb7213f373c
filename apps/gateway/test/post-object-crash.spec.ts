import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { LocalServer, slowBody, waitFor } from './local-server';

const MiB = 1024 * 1024;
const BOUNDARY = 'massivecrashboundary';

/** The multipart form: fields, then the file part whose bytes come from `file`, then the closing boundary. */
async function* formBody(fields: Record<string, string>, file: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let head = '';
  for (const [k, v] of Object.entries(fields)) head += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  head += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  yield Buffer.from(head);
  for await (const b of file) yield b;
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

/** The bytes of `formBody` around a file of `fileSize` bytes. */
function formOverhead(fields: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(fields)) n += Buffer.byteLength(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  n += Buffer.byteLength(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  return n + Buffer.byteLength(`\r\n--${BOUNDARY}--\r\n`);
}

/**
 * POSTs the form (with Content-Length when given, as browsers send it; else chunked); resolves with the
 * status, or 'failed' when the connection dies first.
 */
function postForm(endpoint: string, path: string, body: AsyncIterable<Buffer>, length?: number): Promise<number | 'failed'> {
  const u = new URL(endpoint);
  const headers: Record<string, string | number> = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  if (length !== undefined) headers['content-length'] = length;
  return new Promise((resolve) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve('failed'));
    });
    req.on('error', () => resolve('failed'));
    Readable.from(body).on('error', () => req.destroy()).pipe(req);
  });
}

/**
 * DESIGN §2 for browser POST uploads: the file streams into the same write path as a PUT (chunks under a
 * write intent recorded first), so a killed or refused upload leaves no object and, after the janitor,
 * no chunk.
 */
describe('PostObject crash safety (SIGKILL mid-file, refused mid-file, janitor)', () => {
  const server = new LocalServer({
    MASSIVE_CHUNK_SIZE: String(MiB),
    MASSIVE_INTENT_TTL_MS: '1500',
    MASSIVE_GC_INTERVAL_MS: '100',
    MASSIVE_GC_GRACE_MS: '0',
  });

  beforeAll(async () => {
    await server.start();
    await server.client().send(new CreateBucketCommand({ Bucket: 'postcrash' }));
  });
  afterAll(() => server.dispose());

  it('a POST killed mid-file leaves no object and, after the janitor, no chunk', async () => {
    const { fields } = await createPresignedPost(server.client(), { Bucket: 'postcrash', Key: 'killed' });
    const posted = postForm(server.endpoint, '/postcrash', formBody(fields, slowBody(24 * MiB, () => void server.kill())));
    await waitFor(() => server.chunkFiles().length > 0, 20_000, 'chunks of the interrupted upload on disk').catch(() => undefined);
    expect(await posted).toBe('failed');
    await server.start();
    await expect(server.client().send(new HeadObjectCommand({ Bucket: 'postcrash', Key: 'killed' }))).rejects.toMatchObject({ name: 'NotFound' });
    await waitFor(() => server.chunkFiles().length === 0, 15_000, 'janitor to reclaim the chunk files');
  });

  it('a POST refused mid-file (past content-length-range) answers EntityTooLarge and leaves no chunk', async () => {
    const { fields } = await createPresignedPost(server.client(), { Bucket: 'postcrash', Key: 'too-big', Conditions: [['content-length-range', 0, 5 * MiB]] });
    async function* file(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 8; i++) yield randomBytes(MiB);
    }
    expect(await postForm(server.endpoint, '/postcrash', formBody(fields, file()), formOverhead(fields) + 8 * MiB)).toBe(400);
    await expect(server.client().send(new HeadObjectCommand({ Bucket: 'postcrash', Key: 'too-big' }))).rejects.toMatchObject({ name: 'NotFound' });
    await waitFor(() => server.chunkFiles().length === 0, 15_000, 'the abandoned intent to be reclaimed');
  });
});
