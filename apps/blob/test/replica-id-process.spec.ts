import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The built blob service (`npm run build`; npm test builds first) on local disk: it binds its data
// directory to its replica id on first start, restarts under the same id, and refuses the disk under
// another id with a clear message and exit code 2 (a configuration error).
const MAIN = resolve(__dirname, '../../../dist/apps/blob/main.js');
jest.setTimeout(30_000);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the service; once it prints its listening line, sends SIGTERM. Resolves when it exits. */
function run(dataDir: string, replicaId: string): Promise<Run> {
  return new Promise((done, fail) => {
    const env = { ...process.env, MASSIVE_DATA_DIR: dataDir, MASSIVE_BLOB_REPLICA_ID: replicaId, MASSIVE_GRPC_PORT: '0', MASSIVE_ADMIN_PORT: '0', MASSIVE_HOST: '127.0.0.1', MASSIVE_LOG_LEVEL: 'silent', MASSIVE_SERVICE_TOKEN: 'replica-id-test-token-0123456789abcdef' };
    const p = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
      // The signal handlers are installed right after the banner: give them a moment.
      if (stdout.includes('listening on')) setTimeout(() => p.kill('SIGTERM'), 200);
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.once('error', fail);
    p.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

// Off CI, a tree that was never built skips this; in CI (npm test builds first) it always runs.
(existsSync(MAIN) || process.env.CI ? describe : describe.skip)('blob service replica id (built bundle)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'blob-replica-proc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('binds the disk on first start, keeps it on restart, refuses it under another id', async () => {
    const first = await run(dir, 'massive-blob-0');
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/listening on grpc:\/\/127\.0\.0\.1:\d+/) });
    expect(JSON.parse(readFileSync(join(dir, 'blobs', 'replica.json'), 'utf8'))).toMatchObject({ replicaId: 'massive-blob-0' });
    expect((await run(dir, 'massive-blob-0')).code).toBe(0);
    const moved = await run(dir, 'massive-blob-1');
    expect(moved.code).toBe(2);
    expect(moved.stderr).toMatch(/belongs to blob replica massive-blob-0, refusing to serve it as massive-blob-1/);
  });

  it('refuses a replica id that is not a DNS label before touching the disk', async () => {
    const bad = await run(dir, 'Blob_0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a DNS label.*MASSIVE_BLOB_REPLICA_ID/);
    expect(existsSync(join(dir, 'blobs'))).toBe(false);
  });
});
