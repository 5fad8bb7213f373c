// A gateway whose virtual memory is capped (`ulimit -v`, as some container hosts and valgrind impose)
// cannot reserve the metadata store's default 64 GiB map: lmdb-js crashed the process at start (seen:
// SIGSEGV under a 20 GB cap). --metadata-map-bytes lowers the up-front reservation; the store maps more
// as it grows. Runs the built bundle (`npm run build`).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const MAIN = join(resolve(__dirname, '../../..'), 'dist/apps/gateway/main.js');
const ACCESS = 'ADDRSPACEKEY00000001';
const SECRET = 'addrspacesecret0000000000000000000000001';
/** Address space allowed, in KiB (ulimit -v): room for Node and V8, not for a 64 GiB map. */
const CAP_KIB = 20_000_000;

describe('a gateway under a virtual memory cap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'massive-addrspace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts and serves with --metadata-map-bytes, its store growing past the map it started with', async () => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MASSIVE_')));
    const p = spawn('/bin/sh', ['-c', `ulimit -v ${CAP_KIB} && exec "$0" "$1"`, process.execPath, MAIN], {
      env: {
        ...inherited,
        MASSIVE_PORT: '0',
        MASSIVE_HOST: '127.0.0.1',
        MASSIVE_DATA_DIR: join(dir, 'data'),
        MASSIVE_ACCESS_KEY: ACCESS,
        MASSIVE_SECRET_KEY: SECRET,
        MASSIVE_LOG_LEVEL: 'warn',
        MASSIVE_METADATA_MAP_BYTES: String(1024 * 1024),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((r) => p.once('exit', r));
    try {
      const endpoint = await new Promise<string>((res, rej) => {
        let out = '';
        p.stdout.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) res(m[1]);
        });
        p.once('exit', (code, signal) => rej(new Error(`gateway exited (${code ?? signal}) before listening:\n${out}\n${stderr}`)));
      });
      const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET }, maxAttempts: 1 });
      try {
        await s3.send(new CreateBucketCommand({ Bucket: 'capped' }));
        // 4 MiB of inline objects (64 KiB each, under the inline threshold) into a store mapped at 1 MiB.
        const bodies = Array.from({ length: 64 }, () => randomBytes(64 * 1024));
        for (const [i, body] of bodies.entries()) await s3.send(new PutObjectCommand({ Bucket: 'capped', Key: `k${i}`, Body: body }));
        for (const [i, body] of bodies.entries()) {
          const got = await s3.send(new GetObjectCommand({ Bucket: 'capped', Key: `k${i}` }));
          expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
        }
      } finally {
        s3.destroy();
      }
    } finally {
      p.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
