// Static checks over the deploy/ tree: Kubernetes manifests (as kustomize trees and as rendered output),
// the Grafana dashboard and the Dockerfiles. Every check returns a list of human-readable errors, so the
// spec can assert "no errors" on the real files and "this error" on broken fixtures.
// No imports from libs/: this project only reads files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';
import { parseAllDocuments } from 'yaml';

type Obj = any;

export interface Doc {
  readonly file: string;
  readonly index: number;
  readonly obj: Obj;
}

const REPO = path.resolve(__dirname, '..', '..');

/**
 * The MASSIVE_* variables an app reads: every quoted `'MASSIVE_…'` in apps/<app>/src (specs excluded),
 * i.e. its settings table. A manifest may set nothing else, so a renamed or misspelt setting fails here.
 */
export function envReadBy(app: string, repo = REPO): Set<string> {
  const out = new Set<string>();
  for (const f of listFiles(path.join(repo, 'apps', app, 'src'), (x) => x.endsWith('.ts') && !x.endsWith('.spec.ts'))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/'(MASSIVE_[A-Z0-9_]+)'/g)) out.add(m[1]);
  }
  // Service trust (token / mutual TLS) is read by libs/rpc for every app that calls rpcSecurityFromEnv.
  const appSources = listFiles(path.join(repo, 'apps', app, 'src'), (x) => x.endsWith('.ts') && !x.endsWith('.spec.ts')).map((f) => fs.readFileSync(f, 'utf8'));
  if (appSources.some((t) => t.includes('rpcSecurityFromEnv('))) {
    const trust = fs.readFileSync(path.join(repo, 'libs/rpc/src/security/from-env.ts'), 'utf8');
    for (const m of trust.matchAll(/'(MASSIVE_[A-Z0-9_]+)'/g)) out.add(m[1]);
  }
  // Settings tables may splice in rows from libraries (e.g. SEAWEED_SETTINGS): ask the app's own table.
  const config = path.join(repo, 'apps', app, 'src', 'config.ts');
  if (fs.existsSync(config)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const table = (require(config) as { SETTINGS?: readonly { env?: string }[] }).SETTINGS ?? [];
    for (const row of table) if (row.env?.startsWith('MASSIVE_')) out.add(row.env);
  }
  return out;
}

/** Required settings: name → exact value, or null for "any value". */
type Required = Readonly<Record<string, string | null>>;

/**
 * Our images, the app each runs, and what it must be given in the cluster (distributed mode). Blob has
 * one set per backend, chosen by MASSIVE_BLOB_BACKEND: stateless on SeaweedFS, or replicas owning disks.
 */
export const SERVICES: Readonly<Record<string, { app: string; required: Required; byBackend?: Readonly<Record<string, Required>> }>> = {
  'massive-storage/gateway': {
    app: 'gateway',
    required: {
      MASSIVE_MODE: 'distributed',
      MASSIVE_PORT: null,
      MASSIVE_ADMIN_PORT: null,
      MASSIVE_METADATA_ENDPOINTS: null,
      MASSIVE_BLOB_ENDPOINTS: null,
      MASSIVE_ACCESS_KEY: null,
      MASSIVE_SECRET_KEY: null,
      MASSIVE_MASTER_KEY: null,
    },
  },
  'massive-storage/metadata': {
    app: 'metadata',
    required: {
      MASSIVE_GRPC_PORT: null,
      MASSIVE_ADMIN_PORT: null,
      MASSIVE_METADATA_BACKEND: 'tikv',
      MASSIVE_PD_ENDPOINTS: null,
      MASSIVE_BLOB_ENDPOINTS: null,
    },
  },
  'massive-storage/blob': {
    app: 'blob',
    required: { MASSIVE_GRPC_PORT: null, MASSIVE_ADMIN_PORT: null, MASSIVE_BLOB_BACKEND: null },
    byBackend: {
      // The SeaweedFS store records fids in metadata write intents before uploading.
      seaweedfs: { MASSIVE_SEAWEED_MASTERS: null, MASSIVE_METADATA_ENDPOINTS: null },
      local: { MASSIVE_DATA_DIR: null, MASSIVE_BLOB_REPLICA_ID: null },
    },
  },
};

/**
 * HTTP paths each server really answers, read from the code: the admin listener of our services
 * (libs/observability admin-server.ts), the gateway's S3 port (`/-/…` in libs/s3-api server.ts), and
 * the SeaweedFS handlers probes may use (reference/seaweedfs-protocol.md: master and volume server).
 */
export function servedPaths(repo = REPO): { admin: Set<string>; s3: Set<string> } {
  const grab = (file: string, re: RegExp) => new Set([...fs.readFileSync(path.join(repo, file), 'utf8').matchAll(re)].map((m) => m[1]));
  return {
    admin: grab('libs/observability/src/admin-server.ts', /path === '(\/[^']*)'/g),
    s3: grab('libs/s3-api/src/server.ts', /app\.get\('(\/-\/[^']*)'/g),
  };
}
export const SEAWEEDFS_PROBE_PATHS: Readonly<Record<string, ReadonlySet<string>>> = {
  master: new Set(['/cluster/healthz', '/cluster/status']),
  volume: new Set(['/healthz', '/status']),
};

/** Env vars that name other services, and the image the pods behind each address must run. */
const ENDPOINT_ENV: Readonly<Record<string, string>> = {
  MASSIVE_METADATA_ENDPOINTS: 'massive-storage/metadata',
  MASSIVE_BLOB_ENDPOINTS: 'massive-storage/blob',
  MASSIVE_PD_ENDPOINTS: 'pingcap/pd',
  MASSIVE_SEAWEED_MASTERS: 'chrislusf/seaweedfs',
};

/** Env vars whose (inline) value must be a port the container declares. */
const PORT_ENV = ['MASSIVE_PORT', 'MASSIVE_ADMIN_PORT', 'MASSIVE_GRPC_PORT', 'MASSIVE_DATA_PORT', 'MASSIVE_WEBSITE_PORT'];

/** Metric names the services export (issue 4); the dashboard may use these and nothing else. */
export const ALLOWED_METRICS: ReadonlySet<string> = new Set([
  's3_requests_total',
  's3_request_duration_seconds_bucket',
  's3_request_body_bytes_total',
  's3_response_body_bytes_total',
  's3_requests_in_flight',
  'grpc_server_handled_total',
  'grpc_server_handling_seconds_bucket',
  'grpc_client_handled_total',
  'blob_data_server_requests_total',
  'blob_data_client_requests_total',
  'metadata_txn_total',
  'metadata_txn_restarts_total',
  'metadata_txn_duration_seconds_bucket',
  'metadata_gc_chunks_deleted_total',
  'metadata_gc_intents_reclaimed_total',
  'blob_chunks_written_total',
  'blob_bytes_written_total',
  'blob_bytes_read_total',
  'blob_chunk_corruptions_total',
  'blob_chunk_write_seconds_bucket',
  'blob_store_free_bytes',
  'blob_store_size_bytes',
  'space_reserve_bytes',
  'space_reserve_low',
  'metadata_bucket_objects',
  'metadata_bucket_bytes',
  'tikv_region_errors_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
]);

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

// ---------------------------------------------------------------------------------------------------
// YAML loading and kustomize trees

export function parseYaml(text: string, file: string): { docs: Doc[]; errors: string[] } {
  const docs: Doc[] = [];
  const errors: string[] = [];
  parseAllDocuments(text).forEach((d, index) => {
    for (const e of d.errors) errors.push(`${file} [doc ${index}]: ${e.message}`);
    const obj = d.toJS();
    if (obj !== null && obj !== undefined) docs.push({ file, index, obj });
  });
  return { docs, errors };
}

export function parseYamlFile(file: string): { docs: Doc[]; errors: string[] } {
  return parseYaml(fs.readFileSync(file, 'utf8'), file);
}

export function listFiles(dir: string, pred: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out.sort();
}

export const isYaml = (f: string): boolean => /\.ya?ml$/.test(f);
export const isKustomization = (f: string): boolean => /^(kustomization\.ya?ml|Kustomization)$/.test(path.basename(f));

export function kustomizationFile(dir: string): string | undefined {
  return ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
}

export interface Patch {
  readonly from: string;
  readonly docs: Doc[];
  readonly target?: Obj;
}

export interface Tree {
  readonly dir: string;
  /** Resources of this kustomization and everything below it, unpatched. */
  readonly docs: Doc[];
  /** Patches declared anywhere in the tree, with the resources they must find. */
  readonly patches: Patch[];
  readonly replicas: { from: string; name: string }[];
  /** Every file the tree reads (to find orphans). */
  readonly files: Set<string>;
  readonly errors: string[];
}

/** Follows a kustomization's resources/components/patches like kustomize does (local paths only). */
export function loadTree(dir: string, seen: Set<string> = new Set()): Tree {
  const tree: Tree = { dir, docs: [], patches: [], replicas: [], files: new Set(), errors: [] };
  const kfile = kustomizationFile(dir);
  if (!kfile) {
    tree.errors.push(`${dir}: no kustomization.yaml`);
    return tree;
  }
  if (seen.has(kfile)) {
    tree.errors.push(`${kfile}: included twice (cycle or duplicate)`);
    return tree;
  }
  seen.add(kfile);
  tree.files.add(kfile);
  const parsed = parseYamlFile(kfile);
  tree.errors.push(...parsed.errors);
  const k: Obj = parsed.docs[0]?.obj ?? {};
  if (k.kind !== 'Kustomization' && k.kind !== 'Component') tree.errors.push(`${kfile}: kind must be Kustomization or Component`);
  if (typeof k.apiVersion !== 'string' || !k.apiVersion.startsWith('kustomize.config.k8s.io/')) tree.errors.push(`${kfile}: apiVersion must be kustomize.config.k8s.io/*`);

  const include = (entry: unknown, field: string): void => {
    if (typeof entry !== 'string') return void tree.errors.push(`${kfile}: ${field} entry must be a path`);
    if (/^[a-z]+:\/\//.test(entry) || entry.startsWith('github.com/')) return void tree.errors.push(`${kfile}: ${field} '${entry}' is remote; keep the tree self-contained`);
    const p = path.resolve(dir, entry);
    if (!fs.existsSync(p)) return void tree.errors.push(`${kfile}: ${field} '${entry}' does not exist`);
    if (fs.statSync(p).isDirectory()) {
      const sub = loadTree(p, seen);
      tree.docs.push(...sub.docs);
      tree.patches.push(...sub.patches);
      tree.replicas.push(...sub.replicas);
      sub.files.forEach((f) => tree.files.add(f));
      tree.errors.push(...sub.errors);
    } else {
      const r = parseYamlFile(p);
      tree.files.add(p);
      tree.docs.push(...r.docs);
      tree.errors.push(...r.errors);
    }
  };
  for (const r of k.resources ?? []) include(r, 'resources');
  for (const c of k.components ?? []) include(c, 'components');

  const patchEntries: Obj[] = [...(k.patches ?? []), ...(k.patchesStrategicMerge ?? []).map((p: unknown) => (typeof p === 'string' && !p.includes('\n') ? { path: p } : { patch: p }))];
  for (const p of patchEntries) {
    if (typeof p?.path === 'string') {
      const file = path.resolve(dir, p.path);
      if (!fs.existsSync(file)) {
        tree.errors.push(`${kfile}: patch '${p.path}' does not exist`);
        continue;
      }
      tree.files.add(file);
      const r = parseYamlFile(file);
      tree.errors.push(...r.errors);
      tree.patches.push({ from: file, docs: r.docs.filter((d) => !Array.isArray(d.obj)), target: p.target });
    } else if (typeof p?.patch === 'string') {
      const r = parseYaml(p.patch, `${kfile} (inline patch)`);
      tree.errors.push(...r.errors);
      tree.patches.push({ from: kfile, docs: r.docs.filter((d) => !Array.isArray(d.obj)), target: p.target });
    } else {
      tree.errors.push(`${kfile}: a patch needs 'path' or 'patch'`);
    }
  }
  for (const r of k.replicas ?? []) tree.replicas.push({ from: kfile, name: r?.name });

  // Generated ConfigMaps/Secrets (names as written; the hash suffix is applied to references too).
  for (const [kind, gens] of [['ConfigMap', k.configMapGenerator], ['Secret', k.secretGenerator]] as const) {
    for (const g of gens ?? []) {
      const data: Record<string, string> = {};
      for (const l of g.literals ?? []) {
        const i = String(l).indexOf('=');
        data[String(l).slice(0, i)] = String(l).slice(i + 1);
      }
      for (const f of g.files ?? []) {
        const [key, rel] = String(f).includes('=') ? String(f).split('=', 2) : [path.basename(String(f)), String(f)];
        const file = path.resolve(dir, rel);
        if (!fs.existsSync(file)) tree.errors.push(`${kfile}: generator file '${rel}' does not exist`);
        else tree.files.add(file);
        data[key] = '';
      }
      for (const e of g.envs ?? []) {
        const file = path.resolve(dir, String(e));
        if (!fs.existsSync(file)) {
          tree.errors.push(`${kfile}: generator env file '${e}' does not exist`);
          continue;
        }
        tree.files.add(file);
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          const m = /^\s*([^#=\s][^=]*)=(.*)$/.exec(line);
          if (m) data[m[1].trim()] = m[2];
        }
      }
      tree.docs.push({ file: kfile, index: -1, obj: { apiVersion: 'v1', kind, metadata: { name: g.name, namespace: g.namespace }, data } });
    }
  }
  // The namespace transformer applies to everything below this kustomization.
  if (typeof k.namespace === 'string') {
    for (const d of tree.docs) if (d.obj?.kind !== 'Namespace' && d.obj?.metadata) d.obj.metadata.namespace = k.namespace;
  }
  return tree;
}

/** Patches and `replicas` entries must each find a resource in the tree they patch. */
export function checkPatchTargets(tree: Tree): string[] {
  const errors: string[] = [];
  const has = (kind: string | undefined, name: string | undefined): boolean =>
    tree.docs.some((d) => (kind === undefined || d.obj?.kind === kind) && (name === undefined || d.obj?.metadata?.name === name));
  for (const p of tree.patches) {
    if (p.target) {
      if (!has(p.target.kind, p.target.name)) errors.push(`${p.from}: patch target ${p.target.kind}/${p.target.name} matches no resource`);
      continue;
    }
    for (const d of p.docs) {
      const kind = d.obj?.kind;
      const name = d.obj?.metadata?.name;
      if (typeof kind !== 'string' || typeof name !== 'string') errors.push(`${p.from} [doc ${d.index}]: a strategic-merge patch needs kind and metadata.name`);
      else if (!has(kind, name)) errors.push(`${p.from} [doc ${d.index}]: patch for ${kind}/${name} matches no resource`);
    }
  }
  for (const r of tree.replicas) {
    if (!tree.docs.some((d) => (d.obj?.kind === 'Deployment' || d.obj?.kind === 'StatefulSet') && d.obj?.metadata?.name === r.name)) {
      errors.push(`${r.from}: replicas entry '${r.name}' matches no Deployment or StatefulSet`);
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------
// Resource checks (on a tree's documents or on `kubectl kustomize` output)

const where = (d: Doc): string => `${path.relative(process.cwd(), d.file) || d.file}: ${d.obj?.kind ?? '?'}/${d.obj?.metadata?.name ?? '?'}`;
const ns = (o: Obj): string => o?.metadata?.namespace ?? '';
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

interface Workload {
  readonly doc: Doc;
  readonly podLabels: Record<string, string>;
  readonly pod: Obj;
}

function workloads(docs: Doc[]): Workload[] {
  return docs
    .filter((d) => WORKLOAD_KINDS.has(d.obj?.kind))
    .map((d) => ({ doc: d, podLabels: d.obj.spec?.template?.metadata?.labels ?? {}, pod: d.obj.spec?.template?.spec ?? {} }));
}

const containersOf = (pod: Obj): Obj[] => [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
const imageRepo = (image: unknown): string => String(image ?? '').replace(/@.*$/, '').replace(/:[^/:]*$/, '');
const hasPort = (c: Obj, port: unknown): boolean =>
  (c?.ports ?? []).some((p: Obj) => (typeof port === 'number' ? p.containerPort === port : typeof port === 'string' && (p.name === port || String(p.containerPort) === port)));
const podHasPort = (pod: Obj, port: unknown): boolean => containersOf(pod).some((c) => hasPort(c, port));

/** StatefulSets running the blob image with MASSIVE_BLOB_BACKEND=local (from their ConfigMaps or env). */
function localBlobSets(docs: Doc[]): Obj[] {
  return docs
    .filter((d) => d.obj?.kind === 'StatefulSet')
    .map((d) => d.obj)
    .filter((o) =>
      containersOf(o.spec?.template?.spec).some((c) => {
        if (imageRepo(c.image) !== 'massive-storage/blob') return false;
        if ((c.env ?? []).some((e: Obj) => e.name === 'MASSIVE_BLOB_BACKEND' && e.value === 'local')) return true;
        return (c.envFrom ?? []).some((e: Obj) =>
          docs.some((x) => x.obj?.kind === 'ConfigMap' && x.obj?.metadata?.name === e.configMapRef?.name && ns(x.obj) === ns(o) && x.obj?.data?.MASSIVE_BLOB_BACKEND === 'local'),
        );
      }),
    );
}

/** Every check on a set of documents that together make one deployable tree. */
export function checkResources(docs: Doc[]): string[] {
  const errors: string[] = [];
  const err = (d: Doc, msg: string): void => void errors.push(`${where(d)}: ${msg}`);
  const wls = workloads(docs);
  const byKind = (kind: string): Doc[] => docs.filter((d) => d.obj?.kind === kind);
  const find = (kind: string, name: string, namespace: string): Doc | undefined =>
    docs.find((d) => d.obj?.kind === kind && d.obj?.metadata?.name === name && ns(d.obj) === namespace);

  // Identity and uniqueness.
  const ids = new Map<string, Doc>();
  for (const d of docs) {
    const o = d.obj;
    if (typeof o !== 'object' || Array.isArray(o)) {
      errors.push(`${d.file} [doc ${d.index}]: not a mapping`);
      continue;
    }
    if (typeof o.apiVersion !== 'string' || !o.apiVersion) errors.push(`${d.file} [doc ${d.index}]: missing apiVersion`);
    if (typeof o.kind !== 'string' || !o.kind) errors.push(`${d.file} [doc ${d.index}]: missing kind`);
    if (typeof o.metadata?.name !== 'string' || !o.metadata.name) errors.push(`${d.file} [doc ${d.index}]: missing metadata.name`);
    const id = `${o.kind}/${ns(o)}/${o.metadata?.name}`;
    if (ids.has(id)) err(d, `defined twice (also in ${ids.get(id)!.file})`);
    ids.set(id, d);
  }

  const serviceSelecting = (svc: Obj): Workload[] => wls.filter((w) => ns(w.doc.obj) === ns(svc) && matches(svc.spec?.selector, w.podLabels));

  // Workloads: selectors, containers, probes, references, volumes, security, resources.
  for (const w of wls) {
    const d = w.doc;
    const o = d.obj;
    const namespace = ns(o);
    if (!matches(o.spec?.selector?.matchLabels, w.podLabels)) err(d, 'spec.selector.matchLabels does not match the pod template labels');
    const containers = containersOf(w.pod);
    if ((w.pod.containers ?? []).length === 0) err(d, 'no containers');
    const volumeNames = new Set<string>([
      ...(w.pod.volumes ?? []).map((v: Obj) => v.name),
      ...(o.spec?.volumeClaimTemplates ?? []).map((v: Obj) => v.metadata?.name),
    ]);

    for (const t of w.pod.topologySpreadConstraints ?? []) {
      if (!matches(t.labelSelector?.matchLabels, w.podLabels)) err(d, 'a topologySpreadConstraint does not select this workload\'s own pods');
    }
    const podSc = w.pod.securityContext ?? {};

    for (const c of containers) {
      const cn = `container ${c.name}`;
      // Probes name ports this container declares.
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const p = c[probe];
        if (!p) continue;
        const port = p.httpGet?.port ?? p.tcpSocket?.port;
        if (p.httpGet || p.tcpSocket) {
          if (!hasPort(c, port)) err(d, `${cn} ${probe} port '${port}' is not a declared container port`);
        } else if (p.grpc) {
          if (typeof p.grpc.port !== 'number') err(d, `${cn} ${probe} grpc.port must be a number`);
          else if (!hasPort(c, p.grpc.port)) err(d, `${cn} ${probe} grpc port ${p.grpc.port} is not a declared container port`);
        } else if (!p.exec) err(d, `${cn} ${probe} has no handler`);
      }
      // Volume mounts name volumes of this pod.
      for (const m of c.volumeMounts ?? []) if (!volumeNames.has(m.name)) err(d, `${cn} mounts unknown volume '${m.name}'`);
      // Resources: requests and limits, so the scheduler and the HPA can work.
      const r = c.resources ?? {};
      if (!r.requests?.cpu || !r.requests?.memory) err(d, `${cn} needs resources.requests.cpu and .memory`);
      if (!r.limits?.memory) err(d, `${cn} needs resources.limits.memory`);
      // Security: nobody escalates, nobody runs as root.
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) err(d, `${cn} must set securityContext.allowPrivilegeEscalation: false`);
      if (sc.privileged) err(d, `${cn} must not be privileged`);
      const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      const runAsUser = sc.runAsUser ?? podSc.runAsUser;
      if (runAsNonRoot !== true || runAsUser === 0) err(d, `${cn} must run as non-root (runAsNonRoot: true, runAsUser != 0)`);

      // Env references resolve within the tree.
      const env = new Map<string, string | undefined>();
      for (const e of c.envFrom ?? []) {
        const ref = e.configMapRef ?? e.secretRef;
        const kind = e.configMapRef ? 'ConfigMap' : 'Secret';
        const src = ref && find(kind, ref.name, namespace);
        if (!src) {
          err(d, `${cn} envFrom ${kind} '${ref?.name}' is not defined in this tree`);
          continue;
        }
        for (const [k, v] of Object.entries({ ...(src.obj.data ?? {}), ...(src.obj.stringData ?? {}) })) env.set(`${e.prefix ?? ''}${k}`, kind === 'ConfigMap' ? String(v) : undefined);
      }
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        const sk = e.valueFrom?.secretKeyRef;
        if (cm) {
          const src = find('ConfigMap', cm.name, namespace);
          if (!src) err(d, `${cn} env ${e.name}: ConfigMap '${cm.name}' is not defined in this tree`);
          // An `optional` key may be absent (Kubernetes leaves the variable unset).
          else if (!(cm.key in (src.obj.data ?? {})) && cm.optional !== true) err(d, `${cn} env ${e.name}: ConfigMap '${cm.name}' has no key '${cm.key}'`);
          env.set(e.name, src?.obj.data?.[cm.key]);
        } else if (sk) {
          const src = find('Secret', sk.name, namespace);
          if (!src) err(d, `${cn} env ${e.name}: Secret '${sk.name}' is not defined in this tree`);
          else if (!(sk.key in { ...(src.obj.data ?? {}), ...(src.obj.stringData ?? {}) }) && sk.optional !== true) err(d, `${cn} env ${e.name}: Secret '${sk.name}' has no key '${sk.key}'`);
          env.set(e.name, undefined);
        } else {
          env.set(e.name, e.value === undefined ? undefined : String(e.value));
        }
      }

      // Our own services: documented settings only, the required ones present, ports consistent,
      // endpoints pointing at Services that select the right pods.
      const service = SERVICES[imageRepo(c.image)];
      if (service) {
        const reads = envReadBy(service.app);
        for (const name of env.keys()) if (!reads.has(name)) err(d, `${cn} env ${name} is not read by apps/${service.app} (its settings: ${[...reads].sort().join(', ')})`);
        const backend = env.get('MASSIVE_BLOB_BACKEND');
        const perBackend = service.byBackend && backend !== undefined ? service.byBackend[backend] : undefined;
        if (service.byBackend && backend !== undefined && !perBackend) err(d, `${cn} MASSIVE_BLOB_BACKEND '${backend}' is not one of ${Object.keys(service.byBackend).join(', ')}`);
        if (backend === 'local') errors.push(...checkLocalBlob(w, c, env).map((m) => `${where(d)}: ${cn} ${m}`));
        for (const [name, want] of Object.entries({ ...service.required, ...perBackend })) {
          if (!env.has(name)) err(d, `${cn} must set ${name}`);
          else if (want !== null && env.get(name) !== want) err(d, `${cn} ${name} must be '${want}' (got '${env.get(name)}')`);
        }
        for (const name of PORT_ENV) {
          const v = env.get(name);
          if (v !== undefined && !hasPort(c, Number(v))) err(d, `${cn} ${name}=${v} is not a declared container port`);
        }
        for (const [name, image] of Object.entries(ENDPOINT_ENV)) {
          const v = env.get(name);
          if (v !== undefined) errors.push(...checkEndpoints(docs, wls, namespace, v, image).map((m) => `${where(d)}: ${cn} ${name}: ${m}`));
        }
        const blobEndpoints = env.get('MASSIVE_BLOB_ENDPOINTS');
        if (blobEndpoints !== undefined) errors.push(...checkBlobMembersListed(docs, namespace, blobEndpoints, localBlobSets(docs)).map((m) => `${where(d)}: ${cn} MASSIVE_BLOB_ENDPOINTS ${m}`));
        // HTTP probes hit a path the app answers on that port: admin endpoints on MASSIVE_ADMIN_PORT,
        // `/-/…` on the gateway's S3 port.
        const paths = servedPaths();
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          const g = c[probe]?.httpGet;
          if (!g) continue;
          const port = (c.ports ?? []).find((p: Obj) => p.name === g.port || p.containerPort === g.port)?.containerPort;
          const served = String(port) === env.get('MASSIVE_ADMIN_PORT') ? paths.admin : String(port) === env.get('MASSIVE_PORT') ? paths.s3 : new Set<string>();
          if (!served.has(g.path)) err(d, `${cn} ${probe} GET ${g.path} on port ${g.port}: apps/${service.app} serves [${[...served].sort().join(', ')}] there`);
        }
        if (sc.readOnlyRootFilesystem !== true) err(d, `${cn} must set securityContext.readOnlyRootFilesystem: true`);
        if (!/^massive-storage\/(gateway|metadata|blob)(:[\w.-]+)?$/.test(String(c.image))) err(d, `${cn} image '${c.image}' is not one of massive-storage/{gateway,metadata,blob}`);
      }

      // SeaweedFS probes use handlers the master / volume server has.
      if (imageRepo(c.image) === 'chrislusf/seaweedfs') {
        const role = (c.args ?? []).find((a: unknown) => a === 'master' || a === 'volume');
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          const g = c[probe]?.httpGet;
          if (g && role && !SEAWEEDFS_PROBE_PATHS[role].has(g.path)) err(d, `${cn} ${probe} GET ${g.path}: weed ${role} answers ${[...SEAWEEDFS_PROBE_PATHS[role]].join(', ')}`);
        }
      }

      // StatefulSet member addresses (<sts>-<ordinal>.<service>) in args exist at this replica count.
      for (const token of [...(c.command ?? []), ...(c.args ?? [])]) {
        for (const m of String(token).matchAll(/([a-z0-9]([-a-z0-9]*[a-z0-9])?)-(\d+)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)/g)) {
          errors.push(...checkMemberAddress(docs, namespace, m[1], Number(m[3]), m[4]).map((msg) => `${where(d)}: ${cn} arg '${token}': ${msg}`));
        }
      }
    }

    // Volumes from ConfigMaps/Secrets resolve, with their items' keys.
    for (const v of w.pod.volumes ?? []) {
      const sources: [string, Obj][] = [];
      if (v.configMap) sources.push(['ConfigMap', v.configMap]);
      if (v.secret) sources.push(['Secret', { ...v.secret, name: v.secret.secretName }]);
      for (const s of v.projected?.sources ?? []) {
        if (s.configMap) sources.push(['ConfigMap', s.configMap]);
        if (s.secret) sources.push(['Secret', s.secret]);
      }
      for (const [kind, ref] of sources) {
        const src = find(kind, ref.name, namespace);
        if (!src) {
          err(d, `volume ${v.name}: ${kind} '${ref.name}' is not defined in this tree`);
          continue;
        }
        const keys = { ...(src.obj.data ?? {}), ...(src.obj.stringData ?? {}), ...(src.obj.binaryData ?? {}) };
        for (const it of ref.items ?? []) if (!(it.key in keys)) err(d, `volume ${v.name}: ${kind} '${ref.name}' has no key '${it.key}'`);
      }
    }

    if (o.kind === 'StatefulSet') {
      const svc = find('Service', o.spec?.serviceName, namespace);
      if (!svc) err(d, `serviceName '${o.spec?.serviceName}' is not a Service in this tree`);
      else {
        if (svc.obj.spec?.clusterIP !== 'None') err(d, `serviceName '${o.spec.serviceName}' must be a headless Service (clusterIP: None)`);
        if (!matches(svc.obj.spec?.selector, w.podLabels)) err(d, `Service '${o.spec.serviceName}' does not select this StatefulSet's pods`);
      }
    }
  }

  // Services select pods, and every port lands on a declared container port of each selected pod.
  for (const d of byKind('Service')) {
    const svc = d.obj;
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) {
      err(d, 'has no selector');
      continue;
    }
    const selected = serviceSelecting(svc);
    if (selected.length === 0) err(d, `selector ${JSON.stringify(svc.spec.selector)} matches no workload's pod labels`);
    for (const p of svc.spec?.ports ?? []) {
      const target = p.targetPort ?? p.port;
      for (const w of selected) if (!podHasPort(w.pod, target)) err(d, `port ${p.name ?? p.port}: targetPort '${target}' is not a container port of ${w.doc.obj.kind}/${w.doc.obj.metadata.name}`);
      if (p.nodePort !== undefined && svc.spec.type !== 'NodePort' && svc.spec.type !== 'LoadBalancer') err(d, `port ${p.name}: nodePort needs type NodePort or LoadBalancer`);
    }
  }

  // ServiceMonitors select Services, name their ports, scrape /metrics.
  for (const d of byKind('ServiceMonitor')) {
    const sm = d.obj;
    if (sm.apiVersion !== 'monitoring.coreos.com/v1') err(d, 'apiVersion must be monitoring.coreos.com/v1');
    const namespaces: string[] | undefined = sm.spec?.namespaceSelector?.matchNames;
    const svcs = byKind('Service').filter(
      (s) => (namespaces ? namespaces.includes(ns(s.obj)) : ns(s.obj) === ns(sm)) && matches(sm.spec?.selector?.matchLabels, s.obj.metadata?.labels),
    );
    if (svcs.length === 0) err(d, `selector ${JSON.stringify(sm.spec?.selector?.matchLabels)} matches no Service's labels`);
    if (!(sm.spec?.endpoints ?? []).length) err(d, 'has no endpoints');
    for (const ep of sm.spec?.endpoints ?? []) {
      if (ep.path !== '/metrics') err(d, `endpoint path must be /metrics (got '${ep.path}')`);
      for (const s of svcs) {
        if (ep.port !== undefined && !(s.obj.spec?.ports ?? []).some((p: Obj) => p.name === ep.port)) err(d, `endpoint port '${ep.port}' is not a named port of Service ${s.obj.metadata.name}`);
        if (ep.targetPort !== undefined) for (const w of serviceSelecting(s.obj)) if (!podHasPort(w.pod, ep.targetPort)) err(d, `endpoint targetPort '${ep.targetPort}' is not a container port of ${w.doc.obj.metadata.name}`);
      }
    }
  }

  // PodDisruptionBudgets select pods; HPAs target a workload that can be scaled on what they measure.
  for (const d of byKind('PodDisruptionBudget')) {
    const sel = d.obj.spec?.selector?.matchLabels;
    if (!wls.some((w) => ns(w.doc.obj) === ns(d.obj) && matches(sel, w.podLabels))) err(d, `selector ${JSON.stringify(sel)} matches no workload's pods`);
    if ((d.obj.spec?.minAvailable === undefined) === (d.obj.spec?.maxUnavailable === undefined)) err(d, 'set exactly one of minAvailable / maxUnavailable');
  }
  for (const d of byKind('HorizontalPodAutoscaler')) {
    const ref = d.obj.spec?.scaleTargetRef ?? {};
    const target = find(ref.kind, ref.name, ns(d.obj));
    if (!target || !WORKLOAD_KINDS.has(ref.kind)) {
      err(d, `scaleTargetRef ${ref.kind}/${ref.name} is not a workload in this tree`);
      continue;
    }
    if (target.obj.spec?.replicas !== undefined) err(d, `target ${ref.kind}/${ref.name} sets spec.replicas, which fights the autoscaler on every apply`);
    for (const m of d.obj.spec?.metrics ?? []) {
      const res = m.resource?.name;
      if (m.type === 'Resource' && res) {
        for (const c of target.obj.spec?.template?.spec?.containers ?? []) if (!c.resources?.requests?.[res]) err(d, `utilization of ${res} needs resources.requests.${res} on container ${c.name}`);
      }
    }
    if (!((d.obj.spec?.minReplicas ?? 1) <= d.obj.spec?.maxReplicas)) err(d, 'minReplicas must be <= maxReplicas');
  }
  return errors;
}

/**
 * A blob replica on local disk must be a StatefulSet member: its replica id is its pod name (from
 * metadata.name) and its data directory sits on a volume claim, so a restart keeps both.
 */
function checkLocalBlob(w: Workload, c: Obj, env: Map<string, string | undefined>): string[] {
  const out: string[] = [];
  if (w.doc.obj.kind !== 'StatefulSet') out.push(`MASSIVE_BLOB_BACKEND=local needs a StatefulSet (each replica owns its disk), not a ${w.doc.obj.kind}`);
  const claims = (w.doc.obj.spec?.volumeClaimTemplates ?? []).map((v: Obj) => v.metadata?.name);
  const dir = env.get('MASSIVE_DATA_DIR');
  const mount = (c.volumeMounts ?? []).find((m: Obj) => dir !== undefined && (dir === m.mountPath || dir.startsWith(`${m.mountPath}/`)));
  if (!mount || !claims.includes(mount.name)) out.push(`MASSIVE_DATA_DIR=${dir} is not on a volumeClaimTemplate (chunks would be lost with the pod)`);
  const idFrom = (c.env ?? []).find((e: Obj) => e.name === 'MASSIVE_BLOB_REPLICA_ID')?.valueFrom?.fieldRef?.fieldPath;
  if (idFrom !== 'metadata.name') out.push('MASSIVE_BLOB_REPLICA_ID must come from metadata.name (the stable pod name)');
  return out;
}

/**
 * Clients of replica-owned blob pods must list every member by name (one target per replica), not a
 * Service name spread over all of them: chunk ids name the replica, and the client maps names to targets.
 */
function checkBlobMembersListed(docs: Doc[], namespace: string, value: string, localSets: Obj[]): string[] {
  const out: string[] = [];
  const entries = value.split(',').map((s) => s.trim());
  for (const sts of localSets.filter((o) => ns(o) === namespace)) {
    const svc = sts.spec?.serviceName;
    for (let i = 0; i < (sts.spec?.replicas ?? 1); i++) {
      const host = `${sts.metadata.name}-${i}.${svc}`;
      if (!entries.some((e) => e.startsWith(`${host}:`) || e.startsWith(`${host}.`))) out.push(`does not list blob replica ${host} (replica-owned chunks need one target per replica)`);
    }
    for (const e of entries) if (!/^[a-z0-9-]+-\d+\./.test(e)) out.push(`'${e}' is not one blob replica (use <pod>.${svc}:port per replica)`);
  }
  return out;
}

/** `<sts>-<ordinal>.<service>`: the StatefulSet exists, is governed by that Service and has that many pods. */
function checkMemberAddress(docs: Doc[], namespace: string, sts: string, ordinal: number, service: string): string[] {
  const set = docs.find((d) => d.obj?.kind === 'StatefulSet' && d.obj?.metadata?.name === sts && ns(d.obj) === namespace);
  if (!set) {
    // Not a member address of ours unless it names one of our headless Services.
    const svc = docs.find((d) => d.obj?.kind === 'Service' && d.obj?.metadata?.name === service && ns(d.obj) === namespace);
    return svc ? [`no StatefulSet '${sts}' behind Service '${service}'`] : [];
  }
  const out: string[] = [];
  if (set.obj.spec?.serviceName !== service) out.push(`StatefulSet '${sts}' is governed by Service '${set.obj.spec?.serviceName}', not '${service}'`);
  const replicas = set.obj.spec?.replicas ?? 1;
  if (ordinal >= replicas) out.push(`${sts}-${ordinal} does not exist: StatefulSet '${sts}' has ${replicas} replica(s)`);
  return out;
}

/** Comma-separated `[dns:///|http://]host:port` entries name Services (or StatefulSet members) in the tree. */
export function checkEndpoints(docs: Doc[], wls: Workload[], namespace: string, value: string, image: string): string[] {
  const out: string[] = [];
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) return ['is empty'];
  for (const entry of entries) {
    const m = /^(?:dns:\/\/\/|https?:\/\/)?([a-z0-9.-]+):(\d+)$/.exec(entry);
    if (!m) {
      out.push(`'${entry}' is not [dns:///]host:port`);
      continue;
    }
    const [, host, portStr] = m;
    const labels = host.split('.');
    // <svc>, <svc>.<ns>[.svc[.cluster.local]], or <pod>.<svc>[.<ns>...] for a StatefulSet member.
    const member = /^(.+)-(\d+)$/.exec(labels[0]);
    let svcName = labels[0];
    let svcNs = labels[1] && labels[1] !== 'svc' ? labels[1] : namespace;
    const asMember = member && labels.length >= 2 && docs.some((d) => d.obj?.kind === 'Service' && d.obj?.metadata?.name === labels[1]);
    if (asMember) {
      svcName = labels[1];
      svcNs = labels[2] && labels[2] !== 'svc' ? labels[2] : namespace;
      out.push(...checkMemberAddress(docs, svcNs, member![1], Number(member![2]), svcName).map((msg) => `'${entry}': ${msg}`));
    }
    const svc = docs.find((d) => d.obj?.kind === 'Service' && d.obj?.metadata?.name === svcName && ns(d.obj) === svcNs);
    if (!svc) {
      out.push(`'${entry}': no Service '${svcName}' in this tree`);
      continue;
    }
    if (!(svc.obj.spec?.ports ?? []).some((p: Obj) => p.port === Number(portStr))) out.push(`'${entry}': Service '${svcName}' has no port ${portStr}`);
    if (entry.startsWith('dns:///') && svc.obj.spec?.clusterIP !== 'None') out.push(`'${entry}': dns:/// balancing needs a headless Service (clusterIP: None)`);
    const selected = wls.filter((w) => ns(w.doc.obj) === svcNs && matches(svc.obj.spec?.selector, w.podLabels));
    if (!selected.some((w) => containersOf(w.pod).some((c) => imageRepo(c.image) === image))) out.push(`'${entry}': Service '${svcName}' does not select ${image} pods`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Grafana

const PROMQL_WORDS = new Set(
  (
    'sum min max avg count stddev stdvar topk bottomk quantile count_values group limitk limit_ratio ' +
    'rate irate increase delta idelta deriv predict_linear changes resets histogram_quantile histogram_count histogram_sum ' +
    'histogram_fraction histogram_avg clamp clamp_min clamp_max abs ceil floor round sqrt exp ln log2 log10 sgn ' +
    'label_replace label_join vector scalar time timestamp sort sort_desc sort_by_label sort_by_label_desc absent absent_over_time ' +
    'avg_over_time min_over_time max_over_time sum_over_time count_over_time last_over_time quantile_over_time stddev_over_time ' +
    'stdvar_over_time present_over_time day_of_month day_of_week day_of_year days_in_month hour minute month year ' +
    'and or unless bool by without on ignoring group_left group_right offset inf nan Inf NaN'
  ).split(' '),
);

/** Metric names a PromQL expression reads (label matchers, ranges, strings and groupings removed). */
export function metricsOf(expr: string): string[] {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/`[^`]*`/g, '');
  s = s.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  s = s.replace(/\boffset\s+-?[\w$]+/g, ' ').replace(/@\s*[\w$().]+/g, ' ');
  s = s.replace(/(^|[^\w:$])\d+(\.\d+)?([eE][+-]?\d+)?/g, '$1 ').replace(/\$\{?\w+\}?/g, ' ');
  const ids = s.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(ids.filter((id) => !PROMQL_WORDS.has(id)))];
}

export function checkDashboard(text: string, file = 'dashboard'): { errors: string[]; used: Set<string> } {
  const errors: string[] = [];
  const used = new Set<string>();
  let dash: Obj;
  try {
    dash = JSON.parse(text);
  } catch (e) {
    return { errors: [`${file}: not valid JSON (${(e as Error).message})`], used };
  }
  if (typeof dash.title !== 'string' || typeof dash.uid !== 'string') errors.push(`${file}: needs title and uid`);
  const vars = new Set<string>((dash.templating?.list ?? []).map((v: Obj) => v.name));
  const flat: Obj[] = [];
  for (const p of dash.panels ?? []) {
    flat.push(p);
    for (const q of p.panels ?? []) flat.push(q);
  }
  if (flat.filter((p) => p.type !== 'row').length === 0) errors.push(`${file}: no panels`);
  const ids = new Set<number>();
  for (const p of flat) {
    const name = `${file}: panel '${p.title ?? p.id}'`;
    if (ids.has(p.id)) errors.push(`${name}: duplicate id ${p.id}`);
    ids.add(p.id);
    if (!p.gridPos) errors.push(`${name}: no gridPos`);
    if (p.type === 'row') continue; // a row only groups panels: no query of its own
    const ds = p.datasource;
    if (!ds || (typeof ds === 'object' && !ds.uid && !ds.type)) errors.push(`${name}: no datasource`);
    const dsUid = typeof ds === 'string' ? ds : ds?.uid;
    const ref = /^\$\{?(\w+)\}?$/.exec(String(dsUid ?? ''));
    if (ref && !vars.has(ref[1])) errors.push(`${name}: datasource variable '${ref[1]}' is not defined in templating`);
    const targets: Obj[] = p.targets ?? [];
    if (targets.length === 0) errors.push(`${name}: no targets`);
    for (const t of targets) {
      if (typeof t.expr !== 'string' || !t.expr.trim()) {
        errors.push(`${name}: target ${t.refId} has no expr`);
        continue;
      }
      const metrics = metricsOf(t.expr);
      if (metrics.length === 0) errors.push(`${name}: target ${t.refId} names no metric`);
      for (const m of metrics) {
        if (ALLOWED_METRICS.has(m)) used.add(m);
        else errors.push(`${name}: target ${t.refId} uses unknown metric '${m}'`);
      }
    }
  }
  return { errors, used };
}

// ---------------------------------------------------------------------------------------------------
// Dockerfiles

export interface DockerExpect {
  readonly app: string;
  readonly ports: readonly number[];
}

export function checkDockerfile(text: string, expect: DockerExpect, file = 'Dockerfile'): string[] {
  const errors: string[] = [];
  // Join continuation lines, drop comments.
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: { base: string; alias?: string; lines: string[] }[] = [];
  for (const l of lines) {
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) stages.push({ base: from[1], alias: from[2]?.toLowerCase(), lines: [] });
    else if (stages.length) stages[stages.length - 1].lines.push(l);
    else if (!/^ARG\s/i.test(l)) errors.push(`${file}: '${l}' before the first FROM`);
  }
  if (stages.length < 2) errors.push(`${file}: needs a multi-stage build (found ${stages.length} stage)`);
  const aliases = new Set<string>();
  for (const s of stages) {
    if (!aliases.has(s.base.toLowerCase()) && s.base !== 'node:20-bookworm-slim') errors.push(`${file}: stage base '${s.base}' is neither node:20-bookworm-slim nor an earlier stage`);
    for (const l of s.lines) {
      const m = /--from=(\S+)/.exec(l);
      if (m && !aliases.has(m[1].toLowerCase())) errors.push(`${file}: '${l}' copies from unknown stage '${m[1]}'`);
    }
    if (s.alias) aliases.add(s.alias);
  }
  const all = stages.flatMap((s) => s.lines);
  if (!all.some((l) => /^RUN\b.*\bnpm ci\b(?!.*--omit=dev)/.test(l))) errors.push(`${file}: a build stage must run 'npm ci' (with dev dependencies)`);
  if (!all.some((l) => /^RUN\b.*\bnpm run build\b/.test(l))) errors.push(`${file}: a build stage must run 'npm run build'`);
  if (!all.some((l) => /^RUN\b.*\bnpm ci\b.*--omit=dev/.test(l))) errors.push(`${file}: production node_modules need 'npm ci --omit=dev'`);
  const final = stages[stages.length - 1];
  if (final) {
    const users = final.lines.filter((l) => /^USER\s/i.test(l));
    const user = users.length ? users[users.length - 1].split(/\s+/)[1] : undefined;
    const name = user?.split(':')[0];
    if (!user) errors.push(`${file}: the final stage has no USER (it would run as root)`);
    else if (name === 'root' || name === '0') errors.push(`${file}: the final stage runs as root (USER ${user})`);
    else if (/^\d+$/.test(name!) && name !== '10001') errors.push(`${file}: USER uid must be 10001 (got ${name})`);
    if (final.lines.some((l) => /^RUN\b.*npm (ci|install)\b(?!.*--omit=dev)/.test(l))) errors.push(`${file}: the final stage must not install dev dependencies`);
    const cmd = final.lines.filter((l) => /^(CMD|ENTRYPOINT)\s/i.test(l)).join(' ');
    if (!cmd.includes(`dist/apps/${expect.app}/main.js`) || !/\bnode\b/.test(cmd)) errors.push(`${file}: the final stage must run node dist/apps/${expect.app}/main.js`);
    const exposed = new Set(final.lines.filter((l) => /^EXPOSE\s/i.test(l)).flatMap((l) => l.split(/\s+/).slice(1).map((p) => Number(p.split('/')[0]))));
    for (const p of expect.ports) if (!exposed.has(p)) errors.push(`${file}: EXPOSE ${p} is missing`);
    if (!final.lines.some((l) => new RegExp(`^COPY\\s+--from=\\S+\\s+\\S*dist/apps/${expect.app}\\b`).test(l))) errors.push(`${file}: the final stage must copy dist/apps/${expect.app} from a build stage`);
    if (!final.lines.some((l) => /^COPY\s+--from=\S+\s+\S*node_modules/.test(l))) errors.push(`${file}: the final stage must copy production node_modules`);
  }
  return errors;
}

/** Every package a bundle requires at run time is a Node built-in or a production dependency. */
export function checkBundleRequires(bundle: string, dependencies: Record<string, string>, file = 'bundle'): string[] {
  const builtins = new Set(builtinModules);
  const errors: string[] = [];
  for (const m of bundle.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
    const spec = m[1];
    if (spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0])) continue;
    const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (!(pkg in dependencies)) errors.push(`${file}: requires '${pkg}', which is not in package.json dependencies (npm ci --omit=dev leaves it out of the image)`);
  }
  return [...new Set(errors)];
}

// ---------------------------------------------------------------------------------------------------
// Patches really applied: kustomize drops a strategic-merge entry silently when it does not match the
// list's merge key (Service ports merge on port+protocol, for one), so compare patch and result.

const MERGE_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'key'];

function contains(patch: Obj, actual: Obj, at: string, out: string[]): void {
  if (Array.isArray(patch)) {
    if (!Array.isArray(actual)) return void out.push(`${at}: expected a list`);
    if (patch.every((p) => typeof p !== 'object' || p === null)) {
      if (JSON.stringify(patch) !== JSON.stringify(actual)) out.push(`${at}: expected ${JSON.stringify(patch)}, rendered ${JSON.stringify(actual)}`);
      return;
    }
    patch.forEach((item: Obj, i: number) => {
      const keys = MERGE_KEYS.filter((k) => item?.[k] !== undefined);
      const found = keys.length
        ? actual.find((a: Obj) => keys.every((k) => a?.[k] === item[k]))
        : item?.metadata?.name !== undefined
          ? actual.find((a: Obj) => a?.metadata?.name === item.metadata.name)
          : actual[i];
      if (found === undefined) out.push(`${at}[${i}]: no rendered element matches ${JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])))}`);
      else contains(item, found, `${at}[${i}]`, out);
    });
    return;
  }
  if (typeof patch === 'object' && patch !== null) {
    if (typeof actual !== 'object' || actual === null) return void out.push(`${at}: expected a mapping`);
    for (const [k, v] of Object.entries(patch)) {
      if (k.startsWith('$')) continue;
      if (v === null) {
        if (actual[k] !== undefined) out.push(`${at}.${k}: should have been removed`);
        continue;
      }
      if (!(k in actual)) out.push(`${at}.${k}: missing after the patch`);
      else contains(v, actual[k], `${at}.${k}`, out);
    }
    return;
  }
  if (String(patch) !== String(actual)) out.push(`${at}: expected ${JSON.stringify(patch)}, rendered ${JSON.stringify(actual)}`);
}

/** Every strategic-merge patch of the tree shows up in the rendered documents (deletions: gone). */
export function checkPatchesApplied(tree: Tree, renderedDocs: Doc[]): string[] {
  const out: string[] = [];
  for (const p of tree.patches) {
    if (p.target) continue; // JSON 6902 or targeted patches: covered by the resource checks only
    for (const d of p.docs) {
      const kind = d.obj?.kind;
      const name = d.obj?.metadata?.name;
      const res = renderedDocs.filter((r) => r.obj?.kind === kind && r.obj?.metadata?.name === name);
      const label = `${path.relative(process.cwd(), p.from)} [doc ${d.index}] ${kind}/${name}`;
      if (d.obj?.$patch === 'delete') {
        if (res.length) out.push(`${label}: should have been deleted`);
        continue;
      }
      if (res.length !== 1) {
        out.push(`${label}: ${res.length} rendered resources`);
        continue;
      }
      const errs: string[] = [];
      const { apiVersion: _a, kind: _k, metadata, ...rest } = d.obj;
      const { name: _n, ...meta } = metadata ?? {};
      contains({ ...rest, ...(Object.keys(meta).length ? { metadata: meta } : {}) }, res[0].obj, '', errs);
      out.push(...errs.map((e) => `${label}: ${e.replace(/^\./, '')} (patch not applied)`));
    }
  }
  return out;
}
