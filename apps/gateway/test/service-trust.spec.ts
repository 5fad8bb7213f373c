import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bearer, loadProtos } from '@massive/rpc';
import { createTestPki } from '@massive/rpc/testing';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(ROOT, 'tools/start-distributed.mjs');
const CREDS = { accessKeyId: 'AKIDTRUST', secretAccessKey: 'service-trust-secret' };
const protos = loadProtos();

function call(target: string, def: grpc.MethodDefinition<object, object>, req: object, auth?: string): Promise<{ code: number; res?: object }> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  if (auth !== undefined) md.set('authorization', auth);
  return new Promise((resolve) =>
    client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, md, { deadline: Date.now() + 5000 }, (err, res) => {
      client.close();
      resolve(err ? { code: err.code } : { code: grpc.status.OK, res: res as object });
    }),
  );
}

// Services started apart trust only each other: a service without a shared secret does not start, and
// `start:distributed` makes one (<data dir>/service-token, 0600) that its three services require.
describe('service trust in distributed mode', () => {
  it.each(['gateway', 'metadata', 'blob'])('%s refuses to start with neither token nor certificates', (app) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'massive-trust-'));
    const env: NodeJS.ProcessEnv = { ...process.env, MASSIVE_HOST: '127.0.0.1', MASSIVE_DATA_DIR: dataDir, MASSIVE_GRPC_PORT: '0', MASSIVE_ADMIN_PORT: '0', MASSIVE_PORT: '0' };
    for (const k of ['MASSIVE_SERVICE_TOKEN', 'MASSIVE_SERVICE_TOKEN_FILE', 'MASSIVE_TLS_CA', 'MASSIVE_TLS_CERT', 'MASSIVE_TLS_KEY', 'MASSIVE_INSECURE_RPC']) delete env[k];
    if (app !== 'blob') Object.assign(env, { MASSIVE_BLOB_ENDPOINTS: '127.0.0.1:1', MASSIVE_METADATA_ENDPOINTS: '127.0.0.1:1' });
    if (app === 'gateway') Object.assign(env, { MASSIVE_ACCESS_KEY: CREDS.accessKeyId, MASSIVE_SECRET_KEY: CREDS.secretAccessKey });
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/apps', app, 'main.js')], { env, encoding: 'utf8', timeout: 20_000 });
    rmSync(dataDir, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`massive-${app}: the gRPC services need a shared secret: set MASSIVE_SERVICE_TOKEN`));
    expect(r.stdout).not.toMatch(/listening/);
  });

  it('a placeholder token from an example Secret is refused', () => {
    const env = { ...process.env, MASSIVE_HOST: '127.0.0.1', MASSIVE_GRPC_PORT: '0', MASSIVE_ADMIN_PORT: '0', MASSIVE_SERVICE_TOKEN: 'CHANGE-ME-service-token-placeholder' };
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/apps/blob/main.js')], { env, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/placeholder CHANGE-ME/);
  });

  it('start:distributed keeps its token: reused on restart, tightened to 0600, none when trust is configured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'massive-trust-token-'));
    const run = (env: Record<string, string>) => {
      const code = `import { ensureServiceToken } from ${JSON.stringify(SCRIPT)}; process.stdout.write(String(ensureServiceToken(${JSON.stringify(dir)}, ${JSON.stringify(env)})));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout;
    };
    try {
      const path = join(dir, 'service-token');
      expect(run({})).toBe(path);
      const first = readFileSync(path, 'utf8');
      chmodSync(path, 0o644);
      expect(run({})).toBe(path);
      expect(readFileSync(path, 'utf8')).toBe(first);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const configured: Record<string, string>[] = [{ MASSIVE_SERVICE_TOKEN: 'x'.repeat(40) }, { MASSIVE_TLS_CA: '/ca.pem' }, { MASSIVE_INSECURE_RPC: 'true' }];
      for (const env of configured) expect(run(env)).toBe('undefined');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('npm run start:distributed', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'massive-trust-dist-'));
    let proc: ChildProcess;
    let out = '';
    let err = '';
    let endpoint = '';

    beforeAll(async () => {
      // info: every service logs its start and each request, so the grep for the token below means something.
      const env: NodeJS.ProcessEnv = { ...process.env, MASSIVE_PORT: '0', MASSIVE_HOST: '127.0.0.1', MASSIVE_DATA_DIR: dataDir, MASSIVE_ACCESS_KEY: CREDS.accessKeyId, MASSIVE_SECRET_KEY: CREDS.secretAccessKey, MASSIVE_LOG_LEVEL: 'info' };
      for (const k of ['MASSIVE_SERVICE_TOKEN', 'MASSIVE_SERVICE_TOKEN_FILE', 'MASSIVE_INSECURE_RPC', 'MASSIVE_BLOB_BACKEND', 'MASSIVE_METADATA_BACKEND']) delete env[k];
      proc = spawn(process.execPath, [SCRIPT, '--no-build'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stderr!.on('data', (d) => (err += d));
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
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('generates <data dir>/service-token (0600) and says where it is', () => {
      const path = join(dataDir, 'service-token');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(out).toContain(`service token in ${path}`);
      expect(out).not.toContain(readFileSync(path, 'utf8').trim());
    });

    it('the services talk to each other with it; S3 works end to end', async () => {
      const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
      await s3.send(new CreateBucketCommand({ Bucket: 'trusted' }));
      const big = Buffer.alloc(300 * 1024, 7); // above the inline threshold: through the blob service
      await s3.send(new PutObjectCommand({ Bucket: 'trusted', Key: 'big', Body: big }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'trusted', Key: 'big' }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(big);
      s3.destroy();
    });

    it('the metadata and blob gRPC ports refuse a caller without the token, answer one with it, and keep health open', async () => {
      const grpcOf = (name: string) => new RegExp(`^\\s+${name}\\s+grpc://(\\S+)`, 'm').exec(out)?.[1];
      const metadata = grpcOf('metadata')!;
      const blob = grpcOf('blob')!;
      expect(metadata).toBeDefined();
      expect(blob).toBeDefined();
      const token = readFileSync(join(dataDir, 'service-token'), 'utf8').trim();
      const listBuckets = protos.metadata.ListBuckets as unknown as grpc.MethodDefinition<object, object>;
      expect((await call(metadata, listBuckets, {})).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await call(metadata, listBuckets, {}, bearer('a-guess-0123456789abcdef0123456789abcdef'))).code).toBe(grpc.status.UNAUTHENTICATED);
      const ok = await call(metadata, listBuckets, {}, bearer(token));
      expect(ok.code).toBe(grpc.status.OK);
      expect(JSON.stringify(ok.res)).toContain('trusted');
      const describe = protos.blob.Describe as unknown as grpc.MethodDefinition<object, object>;
      expect((await call(blob, describe, {})).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await call(blob, describe, {}, bearer(token))).code).toBe(grpc.status.OK);
      const check = healthService['Check'] as unknown as grpc.MethodDefinition<object, object>;
      for (const target of [metadata, blob]) expect(await call(target, check, { service: '' })).toEqual({ code: grpc.status.OK, res: { status: 'SERVING' } });
    });

    it('never prints or logs the token (stdout and every service\'s log)', async () => {
      const token = readFileSync(join(dataDir, 'service-token'), 'utf8').trim();
      const metadata = new RegExp('^\\s+metadata\\s+grpc://(\\S+)', 'm').exec(out)![1];
      await call(metadata, protos.metadata.ListBuckets as unknown as grpc.MethodDefinition<object, object>, {}, bearer(`${token}x`));
      await new Promise((r) => setTimeout(r, 300)); // let the services' log lines reach us
      const logs = out + err; // the services' JSON logs, relayed by start-distributed
      expect(logs).toMatch(/gRPC call refused: missing or wrong service token/);
      expect(logs).toMatch(/"rpcSecurity":"service token"/);
      expect(logs).not.toContain(token);
    });
  });

  describe('start:distributed with mutual TLS (MASSIVE_TLS_CA/CERT/KEY, no token)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'massive-trust-mtls-'));
    const pki = createTestPki('massive-trust-ca', { service: 'DNS:localhost,IP:127.0.0.1' });
    let proc: ChildProcess;
    let out = '';

    beforeAll(async () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        MASSIVE_PORT: '0',
        MASSIVE_HOST: '127.0.0.1',
        MASSIVE_DATA_DIR: dataDir,
        MASSIVE_ACCESS_KEY: CREDS.accessKeyId,
        MASSIVE_SECRET_KEY: CREDS.secretAccessKey,
        MASSIVE_LOG_LEVEL: 'warn',
        MASSIVE_TLS_CA: pki.path('ca', 'crt'),
        MASSIVE_TLS_CERT: pki.path('service', 'crt'),
        MASSIVE_TLS_KEY: pki.path('service', 'key'),
      };
      for (const k of ['MASSIVE_SERVICE_TOKEN', 'MASSIVE_SERVICE_TOKEN_FILE', 'MASSIVE_INSECURE_RPC', 'MASSIVE_BLOB_BACKEND', 'MASSIVE_METADATA_BACKEND']) delete env[k];
      proc = spawn(process.execPath, [SCRIPT, '--no-build'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stderr!.resume();
      await new Promise<string>((res, rej) => {
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
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(pki.dir, { recursive: true, force: true });
    });

    it('generates no token, and the services serve S3 over mTLS; a plaintext caller is refused', async () => {
      expect(() => statSync(join(dataDir, 'service-token'))).toThrow();
      const endpoint = /listening on (http:\/\/[^\s]+)/.exec(out)![1];
      const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
      await s3.send(new CreateBucketCommand({ Bucket: 'mtls' }));
      const big = Buffer.alloc(300 * 1024, 9);
      await s3.send(new PutObjectCommand({ Bucket: 'mtls', Key: 'big', Body: big }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'mtls', Key: 'big' }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(big);
      s3.destroy();
      const metadata = /^\s+metadata\s+grpc:\/\/(\S+)/m.exec(out)![1];
      const listBuckets = protos.metadata.ListBuckets as unknown as grpc.MethodDefinition<object, object>;
      expect((await call(metadata, listBuckets, {})).code).toBe(grpc.status.UNAVAILABLE);
    });
  });
});
