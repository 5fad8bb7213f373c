import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { LocalServer } from './local-server';

/** Bit rot on disk is an S3 error, never wrong bytes and never a 200 cut short. */
describe('corrupt chunk on disk', () => {
  const server = new LocalServer({ MASSIVE_CHUNK_SIZE: String(1024 * 1024) });
  beforeAll(async () => {
    await server.start();
    await server.client().send(new CreateBucketCommand({ Bucket: 'rot' }));
  });
  afterAll(() => server.dispose());

  it('answers 500 InternalError for an object whose first chunk was damaged', async () => {
    const s3 = server.client();
    const body = randomBytes(512 * 1024); // above the inline threshold: stored as a chunk
    await s3.send(new PutObjectCommand({ Bucket: 'rot', Key: 'k', Body: body }));
    const [file] = server.chunkFiles();
    const bytes = readFileSync(file);
    bytes[1000] ^= 0xff;
    writeFileSync(file, bytes);
    const err = await s3.send(new GetObjectCommand({ Bucket: 'rot', Key: 'k' })).then(
      () => undefined,
      (e: { name: string; $metadata: { httpStatusCode?: number } }) => e,
    );
    expect(err?.$metadata.httpStatusCode).toBe(500);
    expect(err?.name).toBe('InternalError');
  });
});
