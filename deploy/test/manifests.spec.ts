// Validates deploy/: every manifest parses and references only names that exist (ports, services, config
// keys, secrets, workloads), the Grafana dashboard queries only metrics the services export, and each
// Dockerfile is a multi-stage, non-root build. The last block feeds the checker broken input to prove it
// fails when it should.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ALLOWED_METRICS,
  checkBundleRequires,
  checkDashboard,
  checkDockerfile,
  checkPatchTargets,
  checkPatchesApplied,
  checkResources,
  type Doc,
  isKustomization,
  isYaml,
  kustomizationFile,
  listFiles,
  loadTree,
  metricsOf,
  parseYaml,
  parseYamlFile,
} from './checks';
import { DEPLOY, K8S, REPO, ROOTS, rel, render, withKubectl } from './render';
import { ingressTo } from './security-checks';

const of = (docs: Doc[], kind: string, name?: string): Doc[] => docs.filter((d) => d.obj?.kind === kind && (name === undefined || d.obj?.metadata?.name === name));
const one = (docs: Doc[], kind: string, name: string): any => {
  const found = of(docs, kind, name);
  expect({ resource: `${kind}/${name}`, count: found.length }).toEqual({ resource: `${kind}/${name}`, count: 1 });
  return found[0].obj;
};
const args = (sts: any): string[] => sts.spec.template.spec.containers[0].args;
const flag = (list: string[], name: string): string | undefined => list.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const named = (list: any[] | undefined, name: string): any[] => (list ?? []).filter((x) => x.name === name);

describe('deploy/k8s: files and kustomizations', () => {
  const files = listFiles(K8S, isYaml);

  it('has the expected layout', () => {
    for (const c of ['gateway', 'metadata', 'blob', 'tikv', 'seaweedfs']) expect(kustomizationFile(path.join(K8S, 'base', c))).toBeDefined();
    expect(kustomizationFile(path.join(K8S, 'overlays', 'local'))).toBeDefined();
  });

  it('every YAML document parses and has apiVersion, kind and metadata.name', () => {
    const errors: string[] = [];
    for (const f of files) {
      const { docs, errors: parseErrors } = parseYamlFile(f);
      errors.push(...parseErrors);
      if (docs.length === 0) errors.push(`${rel(f)}: no documents`);
      for (const d of docs) {
        const o = d.obj;
        if (typeof o !== 'object' || Array.isArray(o)) {
          errors.push(`${rel(f)} [doc ${d.index}]: not a mapping`);
          continue;
        }
        if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') errors.push(`${rel(f)} [doc ${d.index}]: missing apiVersion or kind`);
        if (!isKustomization(f) && typeof o.metadata?.name !== 'string') errors.push(`${rel(f)} [doc ${d.index}]: missing metadata.name`);
      }
    }
    expect(errors).toEqual([]);
  });

  it("every kustomization's resources, components and patches exist", () => {
    const errors = new Set<string>();
    for (const k of files.filter(isKustomization)) loadTree(path.dirname(k)).errors.forEach((e) => errors.add(e));
    expect([...errors]).toEqual([]);
  });

  it('every file under deploy/k8s is read by some kustomization (no orphans)', () => {
    const used = new Set<string>();
    for (const root of ROOTS) loadTree(root).files.forEach((f) => used.add(f));
    expect(files.filter((f) => !used.has(f)).map(rel)).toEqual([]);
  });
});

describe.each(ROOTS.map((r) => [rel(r), r]))('%s', (_name, root) => {
  it('patches and replicas entries find their targets', () => {
    const tree = loadTree(root);
    expect(tree.errors).toEqual([]);
    expect(checkPatchTargets(tree)).toEqual([]);
  });

  it('names resolve in the kustomize tree: selectors, ports, probes, config keys, secrets, endpoints, PDB/HPA targets', () => {
    expect(checkResources(loadTree(root).docs)).toEqual([]);
  });

  withKubectl('rendered by kubectl kustomize, every check still holds (patches applied)', () => {
    expect(checkResources(render(root))).toEqual([]);
  });

  withKubectl('every strategic-merge patch shows up in the rendered output', () => {
    expect(checkPatchesApplied(loadTree(root), render(root))).toEqual([]);
  });

  withKubectl('backend clusters are consistent with their replica counts', () => {
    const docs = render(root);
    const pd = one(docs, 'StatefulSet', 'pd');
    const pdArgs = args(pd);
    for (const f of ['--name', '--data-dir', '--client-urls', '--advertise-client-urls', '--peer-urls', '--advertise-peer-urls', '--initial-cluster']) {
      expect({ flag: f, set: flag(pdArgs, f) !== undefined }).toEqual({ flag: f, set: true });
    }
    const members = flag(pdArgs, '--initial-cluster')!.split(',');
    expect(members.map((m) => m.split('=')[0])).toEqual([...Array(pd.spec.replicas).keys()].map((i) => `pd-${i}`));

    const tikv = one(docs, 'StatefulSet', 'tikv');
    for (const f of ['--pd', '--addr', '--advertise-addr', '--status-addr', '--data-dir']) expect({ flag: f, set: flag(args(tikv), f) !== undefined }).toEqual({ flag: f, set: true });
    const maxReplicas = /max-replicas\s*=\s*(\d+)/.exec(one(docs, 'ConfigMap', 'pd-config').data['pd.toml']);
    expect(Number(maxReplicas?.[1])).toBeLessThanOrEqual(tikv.spec.replicas);

    if (of(docs, 'StatefulSet', 'seaweedfs-master').length === 0) {
      // Only the blob-on-local-disk overlay runs without SeaweedFS: no blob pod may then want it.
      expect(JSON.stringify(docs.map((d) => d.obj))).not.toMatch(/seaweedfs-(master|volume)/);
      return;
    }
    const master = one(docs, 'StatefulSet', 'seaweedfs-master');
    expect(args(master)).toContain('master');
    const peers = flag(args(master), '-peers')!.split(',');
    expect(peers.map((p) => p.split('.')[0])).toEqual([...Array(master.spec.replicas).keys()].map((i) => `seaweedfs-master-${i}`));
    expect(flag(args(master), '-mdir')).toBeDefined();
    const volume = one(docs, 'StatefulSet', 'seaweedfs-volume');
    expect(args(volume)).toContain('volume');
    expect(flag(args(volume), '-mserver')!.split(',')).toHaveLength(master.spec.replicas);
    expect(flag(args(volume), '-dir')).toBeDefined();
    // -defaultReplication=XYZ needs 1+Z servers in a rack (we use one rack, one data center).
    const replication = flag(args(master), '-defaultReplication') ?? '000';
    expect(1 + Number(replication[2])).toBeLessThanOrEqual(volume.spec.replicas);

    // Data directories live on the StatefulSets' persistent volumes.
    for (const [sts, dir] of [[pd, flag(pdArgs, '--data-dir')], [tikv, flag(args(tikv), '--data-dir')], [master, flag(args(master), '-mdir')], [volume, flag(args(volume), '-dir')]] as const) {
      const claims = sts.spec.volumeClaimTemplates.map((v: any) => v.metadata.name);
      const mount = sts.spec.template.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === dir);
      expect({ sts: sts.metadata.name, dir, onClaim: claims.includes(mount?.name) }).toEqual({ sts: sts.metadata.name, dir, onClaim: true });
    }
  });

  withKubectl('every workload has a PodDisruptionBudget; the gateway has a CPU HPA', () => {
    const docs = render(root);
    const pdbs = of(docs, 'PodDisruptionBudget');
    for (const w of [...of(docs, 'Deployment'), ...of(docs, 'StatefulSet')]) {
      const labels = w.obj.spec.template.metadata.labels;
      const covered = pdbs.some((p) => Object.entries(p.obj.spec.selector.matchLabels).every(([k, v]) => labels[k] === v));
      expect({ workload: w.obj.metadata.name, covered }).toEqual({ workload: w.obj.metadata.name, covered: true });
    }
    const hpa = one(docs, 'HorizontalPodAutoscaler', 'massive-gateway');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'massive-gateway' });
    expect(hpa.spec.metrics.some((m: any) => m.resource?.name === 'cpu')).toBe(true);
  });

  withKubectl('the gateway serves static websites on its website port: declared, configured, on the Service, open like S3', () => {
    const docs = render(root);
    const gateway = one(docs, 'Deployment', 'massive-gateway').spec.template.spec.containers.find((c: any) => c.name === 'gateway');
    const port = named(gateway.ports, 'website');
    expect(port).toEqual([{ name: 'website', containerPort: 8081, protocol: 'TCP' }]);
    // Set inline next to the containerPort it must match (like MASSIVE_PORT), not in the ConfigMap.
    expect(named(gateway.env, 'MASSIVE_WEBSITE_PORT')).toEqual([{ name: 'MASSIVE_WEBSITE_PORT', value: String(port[0]?.containerPort) }]);
    const config = one(docs, 'ConfigMap', 'massive-gateway-config').data;
    expect(config.MASSIVE_WEBSITE_PORT).toBeUndefined();
    // The root domains of <bucket>.<domain> requests: a comma-separated list of DNS names.
    expect(config.MASSIVE_WEBSITE_DOMAINS).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+(,[a-z0-9-]+(\.[a-z0-9-]+)+)*$/);
    expect(named(one(docs, 'Service', 'massive-gateway').spec.ports, 'website')).toEqual([expect.objectContaining({ port: 8081, targetPort: 'website', protocol: 'TCP' })]);
    // Whatever the NetworkPolicies let reach the S3 port (the load balancer, anyone) reaches the website port.
    const reach = (p: string) => {
      const a = ingressTo(docs, 'massive-gateway', p);
      return { isolated: a.isolated, anywhere: a.anywhere, workloads: [...a.workloads].sort(), namespaces: [...a.namespaces].sort() };
    };
    expect(reach('website')).toEqual(reach('s3'));
    expect(reach('website')).toMatchObject({ isolated: true, anywhere: true });
  });
});

describe('deploy/k8s/base specifics', () => {
  const docs = loadTree(path.join(K8S, 'base')).docs;

  it('runs 3-member backend clusters and 2+ replicas of metadata and blob', () => {
    for (const n of ['pd', 'tikv', 'seaweedfs-master', 'seaweedfs-volume']) expect({ n, replicas: one(docs, 'StatefulSet', n).spec.replicas }).toEqual({ n, replicas: 3 });
    for (const n of ['massive-metadata', 'massive-blob']) expect(one(docs, 'Deployment', n).spec.replicas).toBeGreaterThanOrEqual(2);
    expect(one(docs, 'StatefulSet', 'pd').spec.template.spec.containers[0].image).toMatch(/^pingcap\/pd:/);
    expect(one(docs, 'StatefulSet', 'tikv').spec.template.spec.containers[0].image).toMatch(/^pingcap\/tikv:/);
    expect(one(docs, 'StatefulSet', 'seaweedfs-master').spec.template.spec.containers[0].image).toMatch(/^chrislusf\/seaweedfs:/);
  });

  it("scrapes the three services' admin ports with ServiceMonitors", () => {
    for (const n of ['massive-gateway', 'massive-metadata', 'massive-blob']) {
      const sm = one(docs, 'ServiceMonitor', n);
      expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'admin', path: '/metrics' })]);
    }
  });

  it('keeps credentials in a Secret with clearly marked placeholder values', () => {
    const secret = one(docs, 'Secret', 'massive-credentials');
    for (const v of Object.values(secret.stringData)) expect(v).toMatch(/CHANGE-ME/);
    expect(JSON.stringify(of(docs, 'ConfigMap').map((d) => d.obj.data))).not.toMatch(/SECRET_KEY|ACCESS_KEY/);
  });
});

describe('deploy/k8s/overlays/local specifics', () => {
  const root = path.join(K8S, 'overlays', 'local');

  withKubectl('puts the S3 and website ports on NodePorts 30080 and 30081, websites under s3-website.localhost', () => {
    const docs = render(root);
    const service = one(docs, 'Service', 'massive-gateway');
    expect(service.spec.type).toBe('NodePort');
    expect(named(service.spec.ports, 's3')).toEqual([{ name: 's3', port: 8080, targetPort: 's3', protocol: 'TCP', nodePort: 30080 }]);
    expect(named(service.spec.ports, 'website')).toEqual([{ name: 'website', port: 8081, targetPort: 'website', protocol: 'TCP', nodePort: 30081 }]);
    // *.localhost resolves to 127.0.0.1: http://<bucket>.s3-website.localhost:8081 through a port-forward.
    expect(one(docs, 'ConfigMap', 'massive-gateway-config').data.MASSIVE_WEBSITE_DOMAINS).toBe('s3-website.localhost');
  });
});

describe('deploy/grafana/massive-storage.json', () => {
  const file = path.join(DEPLOY, 'grafana', 'massive-storage.json');
  const { errors, used } = checkDashboard(fs.readFileSync(file, 'utf8'), rel(file));

  it('parses; every panel has a datasource and targets over known metrics only', () => {
    expect(errors).toEqual([]);
  });

  it('charts every metric the services export', () => {
    expect([...ALLOWED_METRICS].filter((m) => !used.has(m))).toEqual([]);
  });
});

describe('Dockerfiles', () => {
  const apps = { gateway: [8080, 8081, 9100], metadata: [7070, 7073], blob: [7071, 7072] } as const;
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

  it.each(Object.entries(apps))('apps/%s/Dockerfile is multi-stage, non-root and runs the bundle', (app, ports) => {
    const file = path.join(REPO, 'apps', app, 'Dockerfile');
    expect(checkDockerfile(fs.readFileSync(file, 'utf8'), { app, ports }, rel(file))).toEqual([]);
  });

  it('.dockerignore keeps node_modules, dist and .git out of the build context', () => {
    const lines = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['.git', 'dist']) expect(lines).toContain(p);
    expect(lines.some((l) => /^(\*\*\/)?node_modules\/?$/.test(l))).toBe(true);
  });

  it.each(Object.keys(apps))('the %s bundle (when built) needs only production dependencies', (app) => {
    const bundle = path.join(REPO, 'dist', 'apps', app, 'main.js');
    if (!fs.existsSync(bundle)) return; // `npm run build` has not produced it (yet)
    expect(checkBundleRequires(fs.readFileSync(bundle, 'utf8'), pkg.dependencies ?? {}, rel(bundle))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The checker itself: a small valid tree passes, and each kind of broken reference is reported.

const FIXTURE = `
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg }
data: { MASSIVE_METADATA_BACKEND: tikv, MASSIVE_PD_ENDPOINTS: "pd-0.pd:2379", MASSIVE_BLOB_ENDPOINTS: "dns:///blob:7071" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: meta }
spec:
  replicas: 2
  selector: { matchLabels: { app: meta } }
  template:
    metadata: { labels: { app: meta } }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 10001 }
      containers:
        - name: metadata
          image: massive-storage/metadata:1
          ports: [{ name: grpc, containerPort: 7070 }, { name: admin, containerPort: 9100 }]
          env:
            - { name: MASSIVE_GRPC_PORT, value: "7070" }
            - { name: MASSIVE_ADMIN_PORT, value: "9100" }
            - { name: MASSIVE_LOG_LEVEL, valueFrom: { configMapKeyRef: { name: cfg, key: MASSIVE_METADATA_BACKEND } } }
          envFrom: [{ configMapRef: { name: cfg } }]
          readinessProbe: { httpGet: { path: /health/ready, port: admin } }
          startupProbe: { grpc: { port: 7070 } }
          resources: { requests: { cpu: 10m, memory: 10Mi }, limits: { memory: 20Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }
---
apiVersion: v1
kind: Service
metadata: { name: meta, labels: { app: meta } }
spec:
  selector: { app: meta }
  ports: [{ name: grpc, port: 7070, targetPort: grpc }, { name: admin, port: 9100, targetPort: admin }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: blob }
spec:
  selector: { matchLabels: { app: blob } }
  template:
    metadata: { labels: { app: blob } }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 10001 }
      containers:
        - name: blob
          image: massive-storage/blob:1
          ports: [{ name: grpc, containerPort: 7071 }]
          env:
            - { name: MASSIVE_GRPC_PORT, value: "7071" }
            - { name: MASSIVE_ADMIN_PORT, value: "7071" }
            - { name: MASSIVE_BLOB_BACKEND, value: seaweedfs }
            - { name: MASSIVE_SEAWEED_MASTERS, value: "master-0.master:9333" }
            - { name: MASSIVE_METADATA_ENDPOINTS, value: "meta:7070" }
          resources: { requests: { cpu: 10m, memory: 10Mi }, limits: { memory: 20Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }
---
apiVersion: v1
kind: Service
metadata: { name: blob }
spec: { clusterIP: None, selector: { app: blob }, ports: [{ name: grpc, port: 7071 }] }
---
apiVersion: v1
kind: Service
metadata: { name: pd }
spec: { clusterIP: None, selector: { app: pd }, ports: [{ name: client, port: 2379, targetPort: client }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: pd }
spec:
  serviceName: pd
  replicas: 1
  selector: { matchLabels: { app: pd } }
  template:
    metadata: { labels: { app: pd } }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 1000 }
      containers:
        - name: pd
          image: pingcap/pd:v1
          args: ["--initial-cluster=pd-0=http://pd-0.pd:2380"]
          ports: [{ name: client, containerPort: 2379 }]
          volumeMounts: [{ name: data, mountPath: /data }]
          resources: { requests: { cpu: 10m, memory: 10Mi }, limits: { memory: 20Mi } }
          securityContext: { allowPrivilegeEscalation: false }
  volumeClaimTemplates: [{ metadata: { name: data } }]
---
apiVersion: v1
kind: Service
metadata: { name: master }
spec: { clusterIP: None, selector: { app: master }, ports: [{ name: http, port: 9333, targetPort: http }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: master }
spec:
  serviceName: master
  selector: { matchLabels: { app: master } }
  template:
    metadata: { labels: { app: master } }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 1000 }
      containers:
        - name: master
          image: chrislusf/seaweedfs:1
          ports: [{ name: http, containerPort: 9333 }]
          resources: { requests: { cpu: 10m, memory: 10Mi }, limits: { memory: 20Mi } }
          securityContext: { allowPrivilegeEscalation: false }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: meta }
spec: { maxUnavailable: 1, selector: { matchLabels: { app: meta } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: blob }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: blob }
  minReplicas: 1
  maxReplicas: 3
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: meta }
spec:
  selector: { matchLabels: { app: meta } }
  endpoints: [{ port: admin, path: /metrics }]
`;

describe('the checker catches broken manifests', () => {
  const valid = (): Doc[] => parseYaml(FIXTURE, 'fixture.yaml').docs;
  const get = (docs: Doc[], kind: string, name: string): any => docs.find((d) => d.obj.kind === kind && d.obj.metadata.name === name)!.obj;
  const container = (docs: Doc[], kind: string, name: string): any => get(docs, kind, name).spec.template.spec.containers[0];
  const errorsAfter = (mutate: (docs: Doc[]) => void, base = valid): string[] => {
    const docs = base();
    mutate(docs);
    return checkResources(docs);
  };

  it('accepts the valid fixture', () => {
    expect(checkResources(valid())).toEqual([]);
  });

  it('accepts a missing key that the reference marks optional (Kubernetes leaves the variable unset)', () => {
    const docs = valid();
    const ref = container(docs, 'Deployment', 'meta').env[2].valueFrom.configMapKeyRef;
    ref.key = 'NOPE';
    ref.optional = true;
    expect(checkResources(docs)).toEqual([]);
  });

  const cases: [string, (docs: Doc[]) => void, RegExp][] = [
    ['a Service targetPort the pods do not declare', (d) => (get(d, 'Service', 'meta').spec.ports[1].targetPort = 'metrics'), /targetPort 'metrics' is not a container port/],
    ['a Service selector matching no pods', (d) => (get(d, 'Service', 'meta').spec.selector = { app: 'nope' }), /matches no workload's pod labels/],
    ['a probe on an undeclared port', (d) => (container(d, 'Deployment', 'meta').readinessProbe.httpGet.port = 'http'), /readinessProbe port 'http' is not a declared container port/],
    ['a gRPC probe on an undeclared port', (d) => (container(d, 'Deployment', 'meta').startupProbe.grpc.port = 7071), /grpc port 7071 is not a declared/],
    ['a missing ConfigMap key', (d) => (container(d, 'Deployment', 'meta').env[2].valueFrom.configMapKeyRef.key = 'NOPE'), /has no key 'NOPE'/],
    ['a missing envFrom ConfigMap', (d) => (container(d, 'Deployment', 'meta').envFrom[0].configMapRef.name = 'other'), /envFrom ConfigMap 'other' is not defined/],
    ['a missing Secret', (d) => container(d, 'Deployment', 'meta').env.push({ name: 'MASSIVE_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }), /Secret 'creds' is not defined/],
    ['an undocumented env var', (d) => container(d, 'Deployment', 'meta').env.push({ name: 'MASSIVE_TYPO', value: '1' }), /MASSIVE_TYPO is not read by apps\/metadata/],
    ['a required setting left out', (d) => (container(d, 'Deployment', 'meta').env = container(d, 'Deployment', 'meta').env.filter((e: any) => e.name !== 'MASSIVE_GRPC_PORT')), /must set MASSIVE_GRPC_PORT/],
    ['a port env var that is not a container port', (d) => (container(d, 'Deployment', 'meta').env[0].value = '7000'), /MASSIVE_GRPC_PORT=7000 is not a declared container port/],
    ['an endpoint naming no Service', (d) => (get(d, 'ConfigMap', 'cfg').data.MASSIVE_BLOB_ENDPOINTS = 'dns:///blobs:7071'), /no Service 'blobs'/],
    ['an endpoint on the wrong port', (d) => (get(d, 'ConfigMap', 'cfg').data.MASSIVE_BLOB_ENDPOINTS = 'dns:///blob:7072'), /has no port 7072/],
    ['an endpoint served by the wrong pods', (d) => (container(d, 'Deployment', 'blob').env[3].value = 'pd-0.pd:2379'), /Service 'pd' does not select chrislusf\/seaweedfs pods/],
    ['a StatefulSet member beyond the replica count', (d) => (get(d, 'ConfigMap', 'cfg').data.MASSIVE_PD_ENDPOINTS = 'pd-0.pd:2379,pd-1.pd:2379'), /pd-1 does not exist: StatefulSet 'pd' has 1 replica/],
    ['peers in args beyond the replica count', (d) => (container(d, 'StatefulSet', 'pd').args = ['--initial-cluster=pd-0=http://pd-0.pd:2380,pd-1=http://pd-1.pd:2380']), /pd-1 does not exist/],
    ['a PDB selecting nothing', (d) => (get(d, 'PodDisruptionBudget', 'meta').spec.selector.matchLabels = { app: 'x' }), /PodDisruptionBudget\/meta: selector .* matches no workload/],
    ['an HPA with a missing target', (d) => (get(d, 'HorizontalPodAutoscaler', 'blob').spec.scaleTargetRef.name = 'blobs'), /scaleTargetRef Deployment\/blobs is not a workload/],
    ['an HPA fighting spec.replicas', (d) => (get(d, 'Deployment', 'blob').spec.replicas = 2), /sets spec.replicas, which fights the autoscaler/],
    ['a ServiceMonitor on an unnamed port', (d) => (get(d, 'ServiceMonitor', 'meta').spec.endpoints[0].port = 'metrics'), /endpoint port 'metrics' is not a named port/],
    ['a ServiceMonitor selecting no Service', (d) => (get(d, 'ServiceMonitor', 'meta').spec.selector.matchLabels = { app: 'x' }), /matches no Service's labels/],
    ['a StatefulSet governed by a missing Service', (d) => (get(d, 'StatefulSet', 'pd').spec.serviceName = 'pd-peer'), /serviceName 'pd-peer' is not a Service/],
    ['a mount of an unknown volume', (d) => container(d, 'StatefulSet', 'pd').volumeMounts.push({ name: 'config', mountPath: '/etc' }), /mounts unknown volume 'config'/],
    ['a container running as root', (d) => (get(d, 'Deployment', 'meta').spec.template.spec.securityContext = { runAsUser: 0 }), /must run as non-root/],
    ['a writable root filesystem on a service', (d) => (container(d, 'Deployment', 'meta').securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem/],
    ['missing resources', (d) => delete container(d, 'Deployment', 'meta').resources, /needs resources.requests/],
    ['a duplicate resource', (d) => d.push({ ...d[0] }), /defined twice/],
    ['a SeaweedFS blob without metadata endpoints', (d) => container(d, 'Deployment', 'blob').env.splice(4, 1), /must set MASSIVE_METADATA_ENDPOINTS/],
    ['a local-disk blob as a Deployment', (d) => (container(d, 'Deployment', 'blob').env = localBlobEnv()), /MASSIVE_BLOB_BACKEND=local needs a StatefulSet/],
    ['a local-disk blob whose data dir is not on a claim', (d) => toLocalBlobSet(d, false), /MASSIVE_DATA_DIR=\/data is not on a volumeClaimTemplate/],
    ['clients of local-disk blob replicas on one DNS name', (d) => toLocalBlobSet(d, true), /MASSIVE_BLOB_ENDPOINTS does not list blob replica blob-0.blob/],
    ['a probe on a path the app does not serve', (d) => (container(d, 'Deployment', 'meta').readinessProbe.httpGet.path = '/ready'), /readinessProbe GET \/ready on port admin: apps\/metadata serves \[\/health\/live, \/health\/ready, \/metrics\]/],
    [
      'a SeaweedFS master probe on a path weed does not serve',
      (d) => Object.assign(container(d, 'StatefulSet', 'master'), { args: ['master'], readinessProbe: { httpGet: { path: '/ready', port: 'http' } } }),
      /readinessProbe GET \/ready: weed master answers \/cluster\/healthz, \/cluster\/status/,
    ],
    ['an unknown blob backend', (d) => (container(d, 'Deployment', 'blob').env[2].value = 's3'), /MASSIVE_BLOB_BACKEND 's3' is not one of seaweedfs, local/],
  ];
  function localBlobEnv(): any[] {
    return [
      { name: 'MASSIVE_GRPC_PORT', value: '7071' },
      { name: 'MASSIVE_ADMIN_PORT', value: '7071' },
      { name: 'MASSIVE_BLOB_BACKEND', value: 'local' },
      { name: 'MASSIVE_DATA_DIR', value: '/data' },
      { name: 'MASSIVE_BLOB_REPLICA_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
  }
  /** The fixture's blob as a replica-owned StatefulSet (data on a claim or not); clients still use dns:///blob. */
  function toLocalBlobSet(d: Doc[], onClaim: boolean): void {
    const set = get(d, 'Deployment', 'blob');
    set.kind = 'StatefulSet';
    set.spec.serviceName = 'blob';
    delete set.spec.replicas;
    d.splice(d.findIndex((x) => x.obj.kind === 'HorizontalPodAutoscaler'), 1);
    const c = set.spec.template.spec.containers[0];
    c.env = localBlobEnv();
    c.volumeMounts = [{ name: 'data', mountPath: '/data' }];
    if (onClaim) set.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
    else set.spec.template.spec.volumes = [{ name: 'data', emptyDir: {} }];
  }
  it.each(cases)('reports %s', (_what, mutate, message) => {
    expect(errorsAfter(mutate).join('\n')).toMatch(message);
  });

  it('reports patches and replicas entries that match nothing', () => {
    const tree = { dir: 'x', docs: valid(), files: new Set<string>(), errors: [], replicas: [{ from: 'k.yaml', name: 'metadata' }], patches: [{ from: 'p.yaml', docs: parseYaml('kind: Service\nmetadata: { name: gateway }', 'p.yaml').docs }] };
    expect(checkPatchTargets(tree)).toEqual([expect.stringMatching(/patch for Service\/gateway matches no resource/), expect.stringMatching(/replicas entry 'metadata' matches no/)]);
  });

  it('reports strategic-merge patches that did not take effect', () => {
    const tree = { dir: 'x', docs: [], files: new Set<string>(), errors: [], replicas: [], patches: [{ from: 'p.yaml', docs: parseYaml('apiVersion: v1\nkind: Service\nmetadata: { name: meta }\nspec: { ports: [{ name: grpc, port: 7070, nodePort: 30070 }] }', 'p.yaml').docs }] };
    expect(checkPatchesApplied(tree, valid()).join()).toMatch(/spec.ports\[0\].nodePort: missing after the patch/);
    const deletion = parseYaml('$patch: delete\napiVersion: v1\nkind: Service\nmetadata: { name: meta }', 'd.yaml').docs;
    expect(checkPatchesApplied({ ...tree, patches: [{ from: 'd.yaml', docs: deletion }] }, valid()).join()).toMatch(/should have been deleted/);
  });

  it('reads metric names out of PromQL', () => {
    expect(metricsOf('histogram_quantile(0.99, sum by (le, op) (rate(metadata_txn_duration_seconds_bucket{namespace=~"$ns",op!="x"}[$__rate_interval])))')).toEqual(['metadata_txn_duration_seconds_bucket']);
    expect(metricsOf('sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total[5m] offset 1h)), 1e-9) > bool 0')).toEqual(['a_total', 'b_total']);
  });

  it('reports dashboard panels without a datasource, without targets or over unknown metrics', () => {
    const dash = (panel: object): string => JSON.stringify({ title: 't', uid: 'u', templating: { list: [{ name: 'ds' }] }, panels: [{ id: 1, type: 'timeseries', gridPos: {}, ...panel }] });
    expect(checkDashboard('{', 'd').errors[0]).toMatch(/not valid JSON/);
    expect(checkDashboard(dash({ targets: [{ refId: 'A', expr: 's3_requests_total' }] })).errors.join()).toMatch(/no datasource/);
    expect(checkDashboard(dash({ datasource: { uid: '${ds}' }, targets: [] })).errors.join()).toMatch(/no targets/);
    expect(checkDashboard(dash({ datasource: { uid: '${other}' }, targets: [{ refId: 'A', expr: 'up' }] })).errors.join()).toMatch(/variable 'other' is not defined[\s\S]*unknown metric 'up'/);
    expect(checkDashboard(dash({ datasource: { uid: '${ds}' }, targets: [{ refId: 'A', expr: 'rate(s3_requests_total[1m])' }] })).errors).toEqual([]);
  });

  it('reports single-stage, root or incomplete Dockerfiles', () => {
    const good = fs.readFileSync(path.join(REPO, 'apps', 'blob', 'Dockerfile'), 'utf8');
    expect(checkDockerfile(good, { app: 'blob', ports: [7071] })).toEqual([]);
    expect(checkDockerfile(good.replace(/^USER .*$/m, 'USER root'), { app: 'blob', ports: [7071] }).join()).toMatch(/runs as root/);
    expect(checkDockerfile(good.replace(/^USER .*$/m, ''), { app: 'blob', ports: [7071] }).join()).toMatch(/has no USER/);
    expect(checkDockerfile('FROM node:20-bookworm-slim\nRUN npm ci && npm run build\nUSER 10001\nCMD ["node", "dist/apps/blob/main.js"]', { app: 'blob', ports: [] }).join()).toMatch(/multi-stage/);
    expect(checkDockerfile(good, { app: 'blob', ports: [7071, 9999] }).join()).toMatch(/EXPOSE 9999 is missing/);
    expect(checkDockerfile(good.replace('--omit=dev', ''), { app: 'blob', ports: [7071] }).join()).toMatch(/npm ci --omit=dev/);
  });

  it('reports bundles that need dev dependencies at run time', () => {
    expect(checkBundleRequires('require("node:fs"); require("lmdb"); require("@grpc/grpc-js/build/x"); require("./local")', { lmdb: '1', '@grpc/grpc-js': '1' })).toEqual([]);
    expect(checkBundleRequires('require("yaml")', { lmdb: '1' }).join()).toMatch(/requires 'yaml'/);
  });
});
