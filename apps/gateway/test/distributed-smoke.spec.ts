import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const SCRIPT = resolve(__dirname, '../../../tools/start-distributed.mjs');
const CREDS = { accessKeyId: 'AKIDDISTRIBUTED', secretAccessKey: 'distributed-secret' };

/** Prometheus text → sample lines (name{labels} value), asserting every line parses. */
function samples(text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  for (const l of lines) expect(l).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/);
  return lines;
}

// The three services as separate processes (npm run start:distributed), driven over S3, scraped on
// their admin ports, and stopped with SIGTERM. Needs the bundles (`npm run build`).
describe('start:distributed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'massive-dist-'));
  let proc: ChildProcess;
  let out = '';
  let endpoint = '';

  beforeAll(async () => {
    proc = spawn(process.execPath, [SCRIPT, '--no-build'], {
      env: { ...process.env, MASSIVE_PORT: '0', MASSIVE_HOST: '127.0.0.1', MASSIVE_DATA_DIR: dataDir, MASSIVE_ACCESS_KEY: CREDS.accessKeyId, MASSIVE_SECRET_KEY: CREDS.secretAccessKey, MASSIVE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stderr!.resume();
    endpoint = await new Promise<string>((res, rej) => {
      proc.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) res(m[1]);
      });
      proc.once('exit', (code) => rej(new Error(`start-distributed exited (${code}): ${out}`)));
    });
  });
  afterAll(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves S3 through the gRPC services, exposes /metrics and health on each, and stops cleanly', async () => {
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'dist' }));
    const big = Buffer.alloc(300 * 1024, 3); // above the inline threshold: goes through the blob service
    await s3.send(new PutObjectCommand({ Bucket: 'dist', Key: 'big', Body: big }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'dist', Key: 'big', Range: 'bytes=1000-1999' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(big.subarray(1000, 2000));
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'dist', Key: 'nope' })).catch((e: { name: string }) => e.name);
    expect(missing).toBe('NoSuchKey');
    s3.destroy();

    const admins = Object.fromEntries([...out.matchAll(/^\s+(\w+)\s+\S+\s+admin (http:\/\/\S+)/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(admins).sort()).toEqual(['blob', 'gateway', 'metadata']);
    for (const [name, base] of Object.entries(admins)) {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      const text = samples(await (await fetch(`${base}/metrics`)).text());
      expect(text.some((l) => l.startsWith('process_cpu_seconds_total'))).toBe(true);
      if (name === 'gateway') {
        // Bodies take blob's HTTP data path (learnt through the gRPC Describe), not gRPC Write/Read.
        expect(text).toContainEqual(expect.stringMatching(/^grpc_client_handled_total\{grpc_service="massive.blob.v1.Blob",grpc_method="Describe",grpc_code="OK"/));
        expect(text).toContainEqual(expect.stringMatching(/^blob_data_client_requests_total\{method="Write",code="OK"\} 1$/));
        expect(text).toContainEqual(expect.stringMatching(/^blob_data_client_requests_total\{method="Read",code="OK"\} 1$/));
        expect(text).not.toContainEqual(expect.stringMatching(/^grpc_client_handled_total\{grpc_service="massive.blob.v1.Blob",grpc_method="(Write|Read)"/));
        expect(text).toContainEqual(expect.stringMatching(/^s3_requests_total\{operation="PutObject",code="200"/));
        // Its metadata calls' Mux streams took the direct connections the metadata service offered.
        expect(text).toContainEqual(expect.stringMatching(/^grpc_client_mux_direct_total\{outcome="taken"\} [1-9]/));
        expect(text).not.toContainEqual(expect.stringMatching(/^grpc_client_mux_direct_total\{outcome="(failed|lost)"\}/));
      } else {
        const service = name === 'blob' ? 'massive.blob.v1.Blob' : 'massive.metadata.v1.Metadata';
        expect(text).toContainEqual(expect.stringMatching(new RegExp(`^grpc_server_handled_total\\{grpc_service="${service}"`)));
        if (name === 'blob') expect(text).toContainEqual(expect.stringMatching(/^blob_data_server_requests_total\{method="Write",code="OK"\} 1$/));
        if (name === 'metadata') expect(text).toContainEqual(expect.stringMatching(/^grpc_server_mux_direct_connections [1-9]/));
      }
    }

    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
