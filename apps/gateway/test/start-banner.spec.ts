// What a person sees when starting the service: `npm start` (local mode) and `npm run start:distributed`
// print every endpoint, the data directory and where the credentials are, and the printed URLs answer.
// Development credentials: the secret is printed when they are created, never on later starts.
// Runs the built bundles (`npm run build`).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');
const MAIN = join(REPO, 'dist/apps/gateway/main.js');
const START_DISTRIBUTED = join(REPO, 'tools/start-distributed.mjs');

/** Runs a command until `ready` matches its stdout, gives it a moment to print the rest, stops it. */
function runUntil(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ stdout: string; stderr: string; stop: () => Promise<void> }> {
  // Only the settings given here: none inherited from the environment running the tests.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MASSIVE_')));
  const p = spawn(process.execPath, args, { env: { ...inherited, MASSIVE_LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += d));
  return new Promise((res, rej) => {
    p.stdout.on('data', (d) => {
      stdout += d;
      if (ready.test(stdout)) {
        // The caller fetches the printed URLs while the process runs, then stops it.
        res({
          get stdout() {
            return stdout;
          },
          get stderr() {
            return stderr;
          },
          stop: async () => {
            const exited = new Promise((r) => p.once('exit', r));
            p.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    p.once('exit', (code) => rej(new Error(`exited (${code}) before ready:\n${stdout}\n${stderr}`)));
  });
}

const field = (banner: string, name: string): string => {
  const m = new RegExp(`^  ${name} +(.*)$`, 'm').exec(banner);
  if (!m) throw new Error(`no '${name}' line in:\n${banner}`);
  return m[1];
};

describe('the start banner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'massive-banner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('local mode: lists S3, metrics, health, data dir and the key file; the secret only on first start', async () => {
    const dataDir = join(dir, 'local');
    const env = { MASSIVE_PORT: '0', MASSIVE_HOST: '127.0.0.1', MASSIVE_DATA_DIR: dataDir };
    const ready = /listening on http[^\n]*\n(?:.*\n)*  keys .*\n/;

    const first = await runUntil([MAIN], { ...env, MASSIVE_METRICS_PUBLIC: 'true' }, ready);
    try {
      const keyFile = join(dataDir, 'dev-credentials.json');
      const { accessKey, secretKey } = JSON.parse(readFileSync(keyFile, 'utf8')) as { accessKey: string; secretKey: string };
      expect(first.stderr).toContain(`secret key: ${secretKey}`);
      expect(first.stdout).not.toContain(secretKey);
      expect(field(first.stdout, 'data')).toBe(dataDir);
      expect(field(first.stdout, 'keys')).toBe(`access key ${accessKey}; both keys in ${keyFile} (created now)`);
      const s3 = /^  S3 +(http:\/\/\S+)/m.exec(first.stdout)![1];
      expect(first.stdout).toMatch(new RegExp(`^Massive Storage \\(local mode\\) listening on ${s3}\\n`));
      const metrics = await fetch(field(first.stdout, 'metrics'));
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('s3_requests_total');
      for (const url of field(first.stdout, 'health').split(/\s+/)) expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 200 });
      expect((await fetch(s3)).status).toBe(403); // the S3 API itself: an anonymous ListBuckets is refused
    } finally {
      await first.stop();
    }

    const second = await runUntil([MAIN], env, ready);
    await second.stop();
    const { secretKey } = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as { secretKey: string };
    expect(second.stdout + second.stderr).not.toContain(secretKey);
    expect(field(second.stdout, 'keys')).toMatch(/both keys in .*dev-credentials\.json$/);
    // Without MASSIVE_METRICS_PUBLIC or a token, metrics on the S3 port are closed, and the banner says how to open them.
    expect(field(second.stdout, 'metrics')).toMatch(/^closed on the S3 port: set MASSIVE_METRICS_TOKEN/);
  });

  it('start:distributed: every service with its admin port, metrics and health URLs that answer, data dir and keys', async () => {
    const dataDir = join(dir, 'distributed');
    const env = { MASSIVE_PORT: '0', MASSIVE_DATA_DIR: dataDir, MASSIVE_ACCESS_KEY: 'AKIDBANNER', MASSIVE_SECRET_KEY: 'banner-secret-key' };
    const run = await runUntil([START_DISTRIBUTED, '--no-build'], env, /\(distributed mode\) listening on http/);
    try {
      const out = run.stdout;
      for (const s of ['blob', 'metadata', 'gateway']) expect(out).toMatch(new RegExp(`^  ${s} +\\S+ +admin http://127\\.0\\.0\\.1:\\d+  pid \\d+$`, 'm'));
      const metrics = field(out, 'metrics').split(/\s+/);
      expect(metrics).toHaveLength(3);
      for (const url of metrics) expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 200 });
      const health = field(out, 'health').split(/\s+/).filter((u) => u.startsWith('http'));
      for (const url of health) expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 200 });
      expect(field(out, 'data')).toBe(dataDir);
      expect(field(out, 'keys')).toBe('access key AKIDBANNER from MASSIVE_ACCESS_KEY (secret from MASSIVE_SECRET_KEY)');
      expect(out + run.stderr).not.toContain('banner-secret-key');
      // The gateway's own banner lines are replaced by the summary, not repeated.
      expect(out).not.toMatch(/^\[gateway\] {2}\S/m);
    } finally {
      await run.stop();
    }
  });
});
