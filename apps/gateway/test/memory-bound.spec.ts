import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CREDS, LocalServer } from './local-server';

const GiB = 1024 ** 3;
const SIZE = 2 * GiB;
const PIECE = Buffer.alloc(1024 * 1024);
for (let i = 0; i < PIECE.length; i++) PIECE[i] = (i * 131 + 7) & 0xff;

function pattern(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(PIECE.length, total - sent);
      sent += n;
      this.push(n === PIECE.length ? PIECE : PIECE.subarray(0, n));
    },
  });
}

function rssPeakMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function signed(method: string, url: URL, headers: Record<string, string>) {
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: CREDS, sha256: Sha256, uriEscapePath: false });
  return signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, ...headers } });
}

/** Issue: a 2 GiB upload and download keep the server under 300 MiB RSS (bodies stream end to end). */
describe('bounded memory', () => {
  const server = new LocalServer();
  beforeAll(async () => {
    await server.start();
    await server.client().send(new CreateBucketCommand({ Bucket: 'mem' }));
  });
  afterAll(() => server.dispose());

  it('streams a 2 GiB PUT and GET in under 300 MiB of server RSS', async () => {
    const url = new URL(`${server.endpoint}/mem/two-gib`);
    const put = await signed('PUT', url, { 'content-length': String(SIZE), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    const md5 = createHash('md5');
    const src = pattern(SIZE);
    src.on('data', (b: Buffer) => md5.update(b));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'PUT', headers: put.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      src.pipe(req);
    });
    expect(status).toBe(200);
    const want = md5.digest('hex');

    const get = await signed('GET', url, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    const got = createHash('md5');
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      request(url, { method: 'GET', headers: get.headers }, (res) => {
        expect(res.statusCode).toBe(200);
        res.on('data', (b: Buffer) => {
          n += b.length;
          got.update(b);
        });
        res.on('end', resolve);
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    expect(n).toBe(SIZE);
    expect(got.digest('hex')).toBe(want);
    const peak = rssPeakMiB(server.pid());
    expect(peak).toBeLessThan(300);
  });
});
