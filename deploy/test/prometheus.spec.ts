// Operators' tools, for real: Debian's `promtool` checks the alert rules (and their unit tests) and every
// service's /metrics output, and Debian's `prometheus` scrapes the three services of
// `npm run start:distributed` (on the TiKV and SeaweedFS fakes, so their clients' series exist) while S3
// traffic runs, plus a local-mode gateway (`npm start`: the chunk store's disk gauges need a local disk,
// which the SeaweedFS-backed blob service has not); then every PromQL expression of the Grafana
// dashboard must return data, and every series the dashboard and the alert rules select must exist
// with the labels they use. Needs the bundles
// (`npm run build`). Off CI a machine without prometheus skips the live part; in CI (.ci/run installs
// it) a missing binary fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import YAML from 'yaml';

const REPO = resolve(__dirname, '../..');
const SCRIPT = join(REPO, 'tools/start-distributed.mjs');
const GATEWAY = join(REPO, 'dist/apps/gateway/main.js');
const RULES = join(REPO, 'deploy/prometheus/alerts.yaml');
const RULE_TESTS = join(REPO, 'deploy/prometheus/alerts.test.yaml');
const OPERATOR_RULE = join(REPO, 'deploy/k8s/base/monitoring/prometheusrule.yaml');
const DASHBOARD = join(REPO, 'deploy/grafana/massive-storage.json');
const CREDS = { accessKeyId: 'AKIDPROMETHEUS', secretAccessKey: 'prometheus-secret' };
const NAMESPACE = 'massive-storage';

const has = (bin: string): boolean => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0;
const tools = has('prometheus') && has('promtool');
const withTools: (name: string, fn: () => Promise<void>, timeout?: number) => void = tools
  ? (name, fn, timeout) => it(name, fn, timeout)
  : process.env.CI
    ? (name) =>
        it(name, () => {
          throw new Error('prometheus/promtool are not installed: CI must run them (.ci/run installs Debian’s prometheus)');
        })
    : (name, fn, timeout) => it.skip(name, fn, timeout);

/**
 * Series that exist only once their event happened (a counter labelled by operation that no fixed set
 * of values can pre-create): the dashboard falls back to 0 for them (`or ... * 0`), and the check below
 * accepts their absence. Every other series must be there.
 */
const EVENT_ONLY: Readonly<Record<string, string>> = {
  metadata_txn_restarts_total: 'labelled by operation, created on the first conflict of that operation',
};

function promtool(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', input });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The metric names a PromQL expression selects, with the label names its matchers use. */
export function selectors(expr: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\}|\[)/g;
  for (const m of expr.matchAll(re)) {
    const name = m[1];
    if (['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(name)) continue;
    const labels = out.get(name) ?? new Set<string>();
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) labels.add(l[1]);
    out.set(name, labels);
  }
  return out;
}

function dashboardExprs(): string[] {
  const exprs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'expr' && typeof x === 'string') exprs.push(x);
        else walk(x);
      }
    }
  };
  walk(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
  return exprs;
}

function ruleExprs(): { alert: string; expr: string }[] {
  const doc = YAML.parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ alert: r.alert, expr: r.expr })));
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

describe('alert rules', () => {
  withTools('promtool check rules and promtool test rules pass', async () => {
    const check = promtool(['check', 'rules', RULES]);
    expect(check.out).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const test = promtool(['test', 'rules', RULE_TESTS]);
    expect(test.out).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  withTools('promtool test rules fails on a rule that would not fire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'massive-rules-'));
    try {
      const broken = readFileSync(RULES, 'utf8').replace('> 3600', '> 360000');
      writeFileSync(join(dir, 'alerts.yaml'), broken);
      writeFileSync(join(dir, 'alerts.test.yaml'), readFileSync(RULE_TESTS, 'utf8'));
      const test = promtool(['test', 'rules', join(dir, 'alerts.test.yaml')]);
      expect(test.status).not.toBe(0);
      expect(test.out).toContain('MassiveGcBacklogOld');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the PrometheusRule for the Operator carries exactly the groups of alerts.yaml', () => {
    const rule = YAML.parse(readFileSync(OPERATOR_RULE, 'utf8'));
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.spec.groups).toEqual(YAML.parse(readFileSync(RULES, 'utf8')).groups);
  });

  it('finds the series an expression selects', () => {
    const s = selectors('sum by (le, operation) (rate(s3_request_duration_seconds_bucket{namespace=~"$ns",operation!="X"}[5m])) or up * 0 + foo[1m]');
    expect([...s.keys()].sort()).toEqual(['foo', 's3_request_duration_seconds_bucket']);
    expect([...s.get('s3_request_duration_seconds_bucket')!].sort()).toEqual(['namespace', 'operation']);
  });
});

describe('Prometheus against the three services', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'massive-prom-'));
  let services: ChildProcess | undefined;
  let local: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let out = '';
  let endpoint = '';
  let admins: Record<string, string> = {};
  let promUrl = '';
  let localEndpoint = '';
  let localAdmin = '';

  async function startServices(): Promise<void> {
    services = spawn(process.execPath, [SCRIPT, '--no-build'], {
      env: {
        ...process.env,
        MASSIVE_PORT: '0',
        MASSIVE_HOST: '127.0.0.1',
        MASSIVE_DATA_DIR: join(dataDir, 'data'),
        MASSIVE_ACCESS_KEY: CREDS.accessKeyId,
        MASSIVE_SECRET_KEY: CREDS.secretAccessKey,
        MASSIVE_LOG_LEVEL: 'warn',
        MASSIVE_METADATA_BACKEND: 'tikv',
        MASSIVE_BLOB_BACKEND: 'seaweedfs',
        MASSIVE_CHUNK_SIZE: '1048576',
        // The GC leader refreshes its gauges (backlog, per-bucket usage) each pass: often enough for the test.
        MASSIVE_GC_INTERVAL_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    services.stderr!.resume();
    endpoint = await new Promise<string>((res, rej) => {
      services!.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) res(m[1]);
      });
      services!.once('exit', (code) => rej(new Error(`start-distributed exited (${code}): ${out}`)));
    });
    admins = Object.fromEntries([...out.matchAll(/^\s+(gateway|metadata|blob)\s+\S+\s+admin (http:\/\/\S+)/gm)].map((m) => [m[1], m[2]]));
  }

  /** One local-mode process (gateway + metadata + blob on local disk), with its admin port for /metrics. */
  async function startLocal(): Promise<{ endpoint: string; admin: string }> {
    local = spawn(process.execPath, [GATEWAY], {
      env: { ...process.env, MASSIVE_MODE: 'local', MASSIVE_PORT: '0', MASSIVE_ADMIN_PORT: '0', MASSIVE_HOST: '127.0.0.1', MASSIVE_DATA_DIR: join(dataDir, 'local'), MASSIVE_ACCESS_KEY: CREDS.accessKeyId, MASSIVE_SECRET_KEY: CREDS.secretAccessKey, MASSIVE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    local.stderr!.resume();
    let text = '';
    return new Promise((res, rej) => {
      local!.stdout!.on('data', (d) => {
        text += d;
        const m = /listening on (http:\/\/\S+) \(admin (http:\/\/[^\s)]+)\)/.exec(text);
        if (m) res({ endpoint: m[1], admin: m[2] });
      });
      local!.once('exit', (code) => rej(new Error(`local gateway exited (${code}): ${text}`)));
    });
  }

  async function startPrometheus(): Promise<void> {
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES],
      scrape_configs: Object.entries({ ...admins, local: localAdmin }).map(([name, base]) => ({
        job_name: `massive-${name}`,
        metrics_path: '/metrics',
        static_configs: [{ targets: [new URL(base).host], labels: { namespace: NAMESPACE, pod: `massive-${name}-0` } }],
      })),
    };
    const file = join(dataDir, 'prometheus.yml');
    writeFileSync(file, YAML.stringify(config));
    prometheus = spawn(
      'prometheus',
      [`--config.file=${file}`, `--storage.tsdb.path=${join(dataDir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    prometheus.stderr!.on('data', (d) => (err += d));
    prometheus.once('exit', (code) => {
      if (code) process.stderr.write(`prometheus exited ${code}: ${err}\n`);
    });
    await waitFor('prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`)).ok);
  }

  async function traffic(): Promise<void> {
    await trafficTo(endpoint);
    await trafficTo(localEndpoint);
  }

  async function trafficTo(endpoint: string): Promise<void> {
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'prom' }));
    const big = Buffer.alloc(1536 * 1024, 7); // past the inline threshold: chunks through blob and SeaweedFS
    for (let i = 0; i < 3; i++) {
      await s3.send(new PutObjectCommand({ Bucket: 'prom', Key: `small-${i}`, Body: `small ${i}` }));
      await s3.send(new PutObjectCommand({ Bucket: 'prom', Key: `big-${i}`, Body: big }));
      await (await s3.send(new GetObjectCommand({ Bucket: 'prom', Key: `big-${i}` }))).Body!.transformToByteArray();
      await s3.send(new GetObjectCommand({ Bucket: 'prom', Key: 'missing' })).catch(() => undefined); // a 404
      await s3.send(new ListObjectsV2Command({ Bucket: 'prom' }));
    }
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'prom', Key: 'mp' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'prom', Key: 'mp', UploadId, PartNumber: 1, Body: big }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'prom', Key: 'mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'prom', Key: 'big-0' }));
    s3.destroy();
  }

  async function query(expr: string): Promise<unknown[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
    if (body.status !== 'success') throw new Error(`query failed (${body.error}): ${expr}`);
    return body.data!.result;
  }

  async function labelNamesOf(metric: string): Promise<Set<string> | undefined> {
    const res = await fetch(`${promUrl}/api/v1/series?match[]=${encodeURIComponent(metric)}`);
    const body = (await res.json()) as { data: Record<string, string>[] };
    if (body.data.length === 0) return undefined;
    return new Set(body.data.flatMap((s) => Object.keys(s)));
  }

  if (tools) {
    beforeAll(async () => {
      await startServices();
      ({ endpoint: localEndpoint, admin: localAdmin } = await startLocal());
      await startPrometheus();
      await traffic();
      // Every target up, and two scrapes after the traffic so rate() over the window has samples.
      await waitFor('every target to be scraped', async () => (await query('up == 1')).length === 4);
      await new Promise((r) => setTimeout(r, 3_000));
    }, 120_000);
    afterAll(async () => {
      await stop(prometheus);
      await stop(services);
      await stop(local);
      rmSync(dataDir, { recursive: true, force: true });
    }, 30_000);
  }

  withTools('promtool check metrics passes on every service’s /metrics', async () => {
    expect(Object.keys(admins).sort()).toEqual(['blob', 'gateway', 'metadata']);
    for (const [name, base] of Object.entries({ ...admins, local: localAdmin })) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const r = promtool(['check', 'metrics'], text);
      expect({ name, problems: r.out.trim() }).toEqual({ name, problems: '' });
      expect(r.status).toBe(0);
      expect(text).not.toMatch(/[{,]service="/); // no label the Prometheus Operator would rename
    }
  });

  withTools('every dashboard expression returns data from the live Prometheus', async () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(20);
    const empty: string[] = [];
    for (const e of exprs) {
      const q = e.replaceAll('$namespace', NAMESPACE).replaceAll('$__rate_interval', '1m');
      if ((await query(q)).length === 0) empty.push(e);
    }
    expect(empty).toEqual([]);
  });

  withTools('every series the dashboard and the alert rules select exists, with the labels they match on', async () => {
    const wanted = new Map<string, Set<string>>();
    for (const e of [...dashboardExprs(), ...ruleExprs().map((r) => r.expr)]) {
      for (const [name, labels] of selectors(e)) wanted.set(name, new Set([...(wanted.get(name) ?? []), ...labels]));
    }
    const missing: string[] = [];
    for (const [name, labels] of wanted) {
      const have = await labelNamesOf(name);
      if (!have) {
        if (!(name in EVENT_ONLY)) missing.push(name);
        continue;
      }
      for (const l of labels) if (!have.has(l)) missing.push(`${name}{${l}}`);
    }
    expect(missing).toEqual([]);
    expect(wanted.size).toBeGreaterThan(15);
  });

  withTools('every alert rule evaluates without error, and none fires on a healthy system', async () => {
    for (const { expr } of ruleExprs()) await query(expr); // throws on a bad expression
    const res = await fetch(`${promUrl}/api/v1/rules?type=alert`);
    const body = (await res.json()) as { data: { groups: { rules: { name: string; health: string; state: string }[] }[] } };
    const rules = body.data.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name).sort()).toEqual(ruleExprs().map((r) => r.alert).sort());
    expect(rules.filter((r) => r.health !== 'ok' && r.health !== 'unknown')).toEqual([]);
    expect(rules.filter((r) => r.state === 'firing')).toEqual([]);
  });
});
