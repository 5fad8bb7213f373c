// The Nx workspace is the architecture of DESIGN.md / STYLE.md 5.2, and its task runner is usable:
// `nx graph` shows every project with one scope and one type tag and only the dependencies the layering
// allows (and the ones the design needs); `nx run-many -t build test lint` has a cached target per
// project; `nx affected` picks exactly the projects a change reaches. Runs the real nx CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const NX = join(REPO, 'node_modules', '.bin', 'nx');

function nx(args: string[]): string {
  const r = spawnSync(NX, args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface Target {
  cache?: boolean;
  dependsOn?: unknown[];
  outputs?: string[];
}
interface Graph {
  nodes: Record<string, { type: string; data: { root: string; tags?: string[]; targets: Record<string, Target> } }>;
  dependencies: Record<string, { source: string; target: string; type: string }[]>;
}

/** STYLE.md 5.2: the type each project must have. */
const TYPES: Record<string, string> = {
  contracts: 'port',
  kv: 'port',
  's3-protocol': 'protocol',
  observability: 'util',
  's3-api': 'feature',
  'metadata-core': 'feature',
  'blob-core': 'feature',
  'kv-embedded': 'adapter',
  'kv-tikv': 'adapter',
  'blob-seaweedfs': 'adapter',
  rpc: 'adapter',
  gateway: 'app',
  metadata: 'app',
  blob: 'app',
  'gateway-e2e': 'app',
  deploy: 'app',
  workspace: 'util',
};
/** STYLE.md 5.2: which types a type may depend on. */
const MAY_USE: Record<string, string[]> = {
  util: ['util'],
  protocol: ['util'],
  port: ['util'],
  feature: ['port', 'protocol', 'util'],
  adapter: ['port', 'util'],
  app: ['app', 'feature', 'adapter', 'port', 'protocol', 'util'],
};

/** A service's libraries never reach into another service's (the gateway and tooling may use all). */
const SCOPES_MAY_USE: Record<string, string[]> = {
  shared: ['shared'],
  metadata: ['metadata', 'shared'],
  blob: ['blob', 'shared'],
};

describe('the Nx workspace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nx-graph-'));
  let graph: Graph;
  beforeAll(() => {
    nx(['graph', `--file=${join(dir, 'graph.json')}`]);
    graph = (JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')) as { graph: Graph }).graph;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tag = (p: string, kind: 'scope' | 'type'): string[] => (graph.nodes[p].data.tags ?? []).filter((t) => t.startsWith(`${kind}:`)).map((t) => t.slice(kind.length + 1));
  const deps = (p: string): string[] => (graph.dependencies[p] ?? []).map((d) => d.target).sort();

  it('has every Jest project as an Nx project, and nothing else', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jest = require(join(REPO, 'jest.config.js')) as { projects: { displayName: string }[] };
    expect(Object.keys(graph.nodes).sort()).toEqual(jest.projects.map((p) => p.displayName).sort());
    expect(Object.keys(graph.nodes).sort()).toEqual(Object.keys(TYPES).sort());
  });

  it('tags every project with one scope and the type STYLE.md gives it', () => {
    for (const p of Object.keys(graph.nodes)) {
      expect({ p, scopes: tag(p, 'scope').length, type: tag(p, 'type') }).toEqual({ p, scopes: 1, type: [TYPES[p]] });
    }
  });

  it('has only the dependencies the layering allows', () => {
    const bad: string[] = [];
    for (const [p, list] of Object.entries(graph.dependencies)) {
      for (const d of list) {
        const [from, to] = [tag(p, 'type')[0], tag(d.target, 'type')[0]];
        if (!MAY_USE[from].includes(to)) bad.push(`${p} (${from}) -> ${d.target} (${to})`);
        const [scope, toScope] = [tag(p, 'scope')[0], tag(d.target, 'scope')[0]];
        if (SCOPES_MAY_USE[scope] && !SCOPES_MAY_USE[scope].includes(toScope)) bad.push(`${p} (scope:${scope}) -> ${d.target} (scope:${toScope})`);
      }
    }
    expect(bad).toEqual([]);
    // The edges DESIGN.md is about.
    for (const never of ['metadata-core', 'blob-core', 'rpc', 'kv', 'kv-tikv', 'kv-embedded']) expect({ never, in: deps('s3-api').includes(never) }).toEqual({ never, in: false });
    for (const never of ['kv-tikv', 'kv-embedded', 'rpc']) expect({ never, in: deps('metadata-core').includes(never) }).toEqual({ never, in: false });
    expect(deps('gateway')).toEqual(expect.arrayContaining(['s3-api', 'rpc', 'metadata-core', 'blob-core', 'kv-embedded'])); // local and distributed wiring
    expect(deps('metadata')).toEqual(expect.arrayContaining(['metadata-core', 'rpc', 'kv-tikv', 'kv-embedded']));
    expect(deps('blob')).toEqual(expect.arrayContaining(['blob-core', 'blob-seaweedfs', 'rpc']));
    // The end-to-end suites and the deploy checks run the bundles: they depend on what they boot.
    for (const p of ['gateway-e2e', 'deploy']) expect(deps(p)).toEqual(expect.arrayContaining(['gateway', 'metadata', 'blob', 'kv-tikv', 'blob-seaweedfs']));
  });

  it('gives every project a cached test target, and the bundles a cached build with outputs that tests wait for', () => {
    for (const [p, n] of Object.entries(graph.nodes)) {
      expect({ p, test: n.data.targets.test?.cache }).toEqual({ p, test: true });
      if (n.data.targets.lint) expect({ p, lint: n.data.targets.lint.cache }).toEqual({ p, lint: true });
      expect({ p, dependsOn: n.data.targets.test.dependsOn }).toEqual({ p, dependsOn: expect.arrayContaining(['build', '^build']) });
    }
    for (const p of ['gateway', 'metadata', 'blob', 'kv-tikv', 'blob-seaweedfs']) {
      const b = graph.nodes[p].data.targets.build;
      expect({ p, cache: b?.cache, outputs: b?.outputs?.every((o) => o.startsWith('{workspaceRoot}/dist/')) }).toEqual({ p, cache: true, outputs: true });
    }
  });

  it('nx affected runs only what a change reaches', () => {
    const affected = (file: string): string[] => nx(['show', 'projects', '--affected', `--files=${file}`]).split('\n').filter(Boolean).sort();
    expect(affected('libs/kv-tikv/src/index.ts')).toEqual(['deploy', 'gateway', 'gateway-e2e', 'kv-tikv', 'metadata']);
    expect(affected('libs/blob-core/src/index.ts')).toEqual(['blob', 'blob-core', 'deploy', 'gateway', 'gateway-e2e']);
    expect(affected('deploy/k8s/base/kustomization.yaml')).toEqual(['deploy']);
    expect(affected('README.md')).toEqual([]);
  }, 60_000);
});
