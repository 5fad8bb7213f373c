import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(ROOT, 'tools/start-distributed.mjs');
const CREDS = { accessKeyId: 'AKIDPORTS', secretAccessKey: 'start-distributed-ports-secret' };

// With the SeaweedFS backend, blob is told metadata's gRPC endpoint before metadata starts, so on
// ephemeral ports (MASSIVE_PORT=0, as every test harness runs) the launcher reserves that port up front.
// It once took a port with bind(0)-then-close: inside the kernel's ephemeral range, where the blob's own
// outgoing connections could be handed it before metadata bound it (EADDRINUSE, a whole e2e suite lost).
describe('start:distributed: the metadata port blob must know first', () => {
  it('is reserved below the kernel ephemeral range, and is free', () => {
    const code = `import { reservePort } from ${JSON.stringify(SCRIPT)}; const ps = []; for (let i = 0; i < 20; i++) ps.push(Number(await reservePort())); process.stdout.write(JSON.stringify(ps));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const ports = JSON.parse(r.stdout) as number[];
    const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10_000);
      expect(p).toBeLessThan(ephemeralLow);
    }
    expect(new Set(ports).size).toBeGreaterThan(1); // random, not one fixed port every harness would share
  });

  it('when something binds the reserved port first, blob and metadata start again on another and S3 works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'massive-dist-ports-'));
    // The child holds a listener on the first port it hands the launcher, as a stranger would.
    const code = `
      import { createServer } from 'node:net';
      import { reservePort, startDistributed } from ${JSON.stringify(SCRIPT)};
      const squatter = createServer();
      await new Promise((r) => squatter.listen(0, '127.0.0.1', r));
      const taken = String(squatter.address().port);
      const picks = [];
      const pickPort = async () => { const p = picks.length === 0 ? taken : await reservePort(); picks.push(p); return p; };
      const log = (line) => process.stderr.write(line + '\\n');
      const cluster = await startDistributed({ env: process.env, log, pickPort });
      const { readFileSync } = await import('node:fs');
      const gatewayArgs = readFileSync('/proc/' + cluster.services.find((s) => s.name === 'gateway').pid + '/cmdline', 'utf8').split('\\0');
      process.stdout.write(JSON.stringify({ endpoint: cluster.endpoint, taken, picks, services: cluster.services.map((s) => s.name), gatewayArgs }) + '\\n');
      process.stdin.resume();
      process.stdin.once('end', async () => { await cluster.stop(); squatter.close(); process.exit(0); });
    `;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MASSIVE_PORT: '0',
      MASSIVE_HOST: '127.0.0.1',
      MASSIVE_DATA_DIR: dataDir,
      MASSIVE_ACCESS_KEY: CREDS.accessKeyId,
      MASSIVE_SECRET_KEY: CREDS.secretAccessKey,
      MASSIVE_LOG_LEVEL: 'warn',
      MASSIVE_BLOB_BACKEND: 'seaweedfs',
      MASSIVE_CHUNK_SIZE: '1048576',
    };
    for (const k of ['MASSIVE_SEAWEED_MASTERS', 'MASSIVE_METADATA_BACKEND', 'MASSIVE_METADATA_GRPC_PORT']) delete env[k];
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      const started = await new Promise<{ endpoint: string; taken: string; picks: string[]; services: string[]; gatewayArgs: string[] }>((res, rej) => {
        child.stdout.on('data', (d) => {
          out += d;
          const nl = out.indexOf('\n');
          if (nl >= 0) res(JSON.parse(out.slice(0, nl)));
        });
        void exited.then((c) => rej(new Error(`launcher exited (${c}): ${err}`)));
      });
      expect(started.picks).toHaveLength(2);
      expect(started.picks[0]).toBe(started.taken);
      expect(started.picks[1]).not.toBe(started.taken);
      expect(err).toContain(`port ${started.taken} was taken before metadata bound it: starting blob and metadata again on another`);
      // One of each: the first blob was stopped, the failed metadata is not listed.
      expect(started.services.filter((s) => s === 'blob')).toHaveLength(1);
      expect(started.services.filter((s) => s === 'metadata')).toHaveLength(1);
      // The gateway runs with its node flags (apps/gateway/node-flags.json), before its script.
      const flags = JSON.parse(readFileSync(join(ROOT, 'apps/gateway/node-flags.json'), 'utf8')) as string[];
      const main = started.gatewayArgs.findIndex((a) => a.endsWith('dist/apps/gateway/main.js'));
      expect(main).toBeGreaterThan(0);
      expect(started.gatewayArgs.slice(1, main)).toEqual(expect.arrayContaining(flags));

      const s3 = new S3Client({ endpoint: started.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
      await s3.send(new CreateBucketCommand({ Bucket: 'ports' }));
      const body = Buffer.alloc(2 * 1024 * 1024 + 17, 7); // three chunks in the SeaweedFS fake, fids recorded in metadata
      await s3.send(new PutObjectCommand({ Bucket: 'ports', Key: 'k', Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'ports', Key: 'k' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
      s3.destroy();
    } finally {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(child.exitCode).toBe(0);
  }, 120_000);
});
