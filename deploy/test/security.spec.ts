// deploy/ and issue 13's "services trust only each other": secrets only through Secrets, the service
// token on every service, and NetworkPolicies that open exactly the paths the services use. Runs on the
// source trees and, with kubectl, on what `kubectl kustomize` renders; the last block proves the checks
// fail on broken input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { kustomizationFile, loadTree, parseYaml, type Doc } from './checks';
import { checkSecretHandling, checkServiceTrust, ingressTo } from './security-checks';

const K8S = path.resolve(__dirname, '..', 'k8s');
const ROOTS = [path.join(K8S, 'base'), ...fs.readdirSync(path.join(K8S, 'overlays')).map((d) => path.join(K8S, 'overlays', d)).filter((d) => kustomizationFile(d))];
const SCRAPERS = JSON.stringify({ 'massive-storage/metrics-scraper': 'true' });

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
function rendered(dir: string): Doc[] {
  if (!kubectl) {
    // CI renders every overlay (.ci/run installs kubectl); elsewhere the source tree is checked alone.
    if (process.env.CI) throw new Error('kubectl is not installed: CI must render every overlay with `kubectl kustomize`');
    return loadTree(dir).docs;
  }
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return parseYaml(r.stdout, `${path.basename(dir)} (rendered)`).docs;
}

const access = (docs: Doc[], workload: string, port: string) => {
  const a = ingressTo(docs, workload, port);
  return { isolated: a.isolated, anywhere: a.anywhere, workloads: [...a.workloads].sort(), namespaces: [...a.namespaces].sort() };
};
const only = (...workloads: string[]) => ({ isolated: true, anywhere: false, workloads: workloads.sort(), namespaces: [] });

describe.each(ROOTS.map((r) => [path.relative(K8S, r), r]))('%s', (_name, root) => {
  let docs: Doc[];
  beforeAll(() => {
    docs = rendered(root);
  });

  it('keeps secrets in Secrets (no literal or ConfigMap value), and ships only placeholders', () => {
    expect(checkSecretHandling(docs)).toEqual([]);
    expect(checkSecretHandling(loadTree(root).docs)).toEqual([]);
  });

  it('gives every service the service token (or mutual TLS), never the insecure opt-out', () => {
    expect(checkServiceTrust(docs)).toEqual([]);
  });

  it('denies ingress by default: every workload is selected by a policy', () => {
    for (const d of docs.filter((x) => ['Deployment', 'StatefulSet'].includes(x.obj?.kind))) {
      const port = d.obj.spec.template.spec.containers[0].ports[0].name;
      expect({ workload: d.obj.metadata.name, isolated: ingressTo(docs, d.obj.metadata.name, port).isolated }).toEqual({ workload: d.obj.metadata.name, isolated: true });
    }
  });

  it('lets the gateway (and each other) reach metadata and blob gRPC, nobody else', () => {
    expect(access(docs, 'massive-metadata', 'grpc')).toEqual(only('massive-gateway', 'massive-blob'));
    // The same clients' Mux streams take their direct connections on metadata's mux port.
    expect(access(docs, 'massive-metadata', 'mux')).toEqual(only('massive-gateway', 'massive-blob'));
    expect(access(docs, 'massive-blob', 'grpc')).toEqual(only('massive-gateway', 'massive-metadata'));
  });

  it('lets only the gateway reach the blob data path (object bodies over HTTP)', () => {
    expect(access(docs, 'massive-blob', 'data')).toEqual(only('massive-gateway'));
  });

  it('lets only metadata (and the cluster itself) reach PD and TiKV', () => {
    expect(access(docs, 'pd', 'client')).toEqual(only('massive-metadata', 'pd', 'tikv'));
    expect(access(docs, 'pd', 'peer')).toEqual(only('pd'));
    expect(access(docs, 'tikv', 'server')).toEqual(only('massive-metadata', 'pd', 'tikv'));
    expect(access(docs, 'tikv', 'status')).toEqual(only('pd', 'tikv'));
  });

  it('lets only blob (and the cluster itself) reach SeaweedFS', () => {
    if (!docs.some((d) => d.obj?.metadata?.name === 'seaweedfs-master' && d.obj.kind === 'StatefulSet')) {
      expect(docs.filter((d) => d.obj?.kind === 'NetworkPolicy' && /seaweedfs/.test(d.obj.metadata.name))).toEqual([]);
      return;
    }
    for (const w of ['seaweedfs-master', 'seaweedfs-volume']) {
      for (const port of ['http', 'grpc']) expect(access(docs, w, port)).toEqual(only('massive-blob', 'seaweedfs-master', 'seaweedfs-volume'));
    }
  });

  it('opens admin ports to Prometheus namespaces only, and the S3 and website ports to the load balancer', () => {
    for (const w of ['massive-gateway', 'massive-metadata', 'massive-blob']) {
      expect(access(docs, w, 'admin')).toEqual({ isolated: true, anywhere: false, workloads: [], namespaces: [SCRAPERS] });
    }
    expect(access(docs, 'massive-gateway', 's3')).toMatchObject({ isolated: true, anywhere: true });
    expect(access(docs, 'massive-gateway', 'website')).toMatchObject({ isolated: true, anywhere: true });
  });
});

const FIXTURE = `
apiVersion: v1
kind: Namespace
metadata: { name: ms }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: ms }
data: { MASSIVE_LOG_LEVEL: info }
---
apiVersion: v1
kind: Secret
metadata: { name: tok, namespace: ms }
stringData: { service-token: CHANGE-ME-token }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: meta, namespace: ms }
spec:
  selector: { matchLabels: { app: meta } }
  template:
    metadata: { labels: { app: meta } }
    spec:
      volumes: [{ name: tls, secret: { secretName: tok } }, { name: tmp, emptyDir: {} }]
      containers:
        - name: metadata
          image: massive-storage/metadata
          ports: [{ name: grpc, containerPort: 7070 }]
          envFrom: [{ configMapRef: { name: cfg } }]
          volumeMounts: [{ name: tls, mountPath: /etc/massive/tls }, { name: tmp, mountPath: /tmp }]
          env:
            - { name: MASSIVE_SERVICE_TOKEN, valueFrom: { secretKeyRef: { name: tok, key: service-token } } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: gw, namespace: ms }
spec:
  selector: { matchLabels: { app: gw } }
  template:
    metadata: { labels: { app: gw } }
    spec:
      containers: [{ name: gateway, image: massive-storage/gateway, ports: [{ name: s3, containerPort: 8080 }], env: [{ name: MASSIVE_SERVICE_TOKEN, valueFrom: { secretKeyRef: { name: tok, key: service-token } } }] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: other, namespace: ms }
spec:
  selector: { matchLabels: { app: other } }
  template:
    metadata: { labels: { app: other } }
    spec:
      containers: [{ name: other, image: busybox, ports: [{ name: http, containerPort: 80 }] }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: ms }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: meta, namespace: ms }
spec:
  podSelector: { matchLabels: { app: meta } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: gw } } }]
      ports: [{ port: grpc, protocol: TCP }]
`;

describe('the security checks catch broken manifests', () => {
  const valid = (): Doc[] => parseYaml(FIXTURE, 'fixture.yaml').docs;
  const get = (docs: Doc[], kind: string, name: string): any => docs.find((d) => d.obj.kind === kind && d.obj.metadata.name === name)!.obj;
  const meta = (docs: Doc[]): any => get(docs, 'Deployment', 'meta').spec.template.spec.containers[0];
  const errorsAfter = (mutate: (docs: Doc[]) => void): string => {
    const docs = valid();
    mutate(docs);
    return [...checkSecretHandling(docs), ...checkServiceTrust(docs)].join('\n');
  };

  it('accepts the valid fixture, and evaluates its policies', () => {
    expect(errorsAfter(() => undefined)).toBe('');
    expect(access(valid(), 'meta', 'grpc')).toEqual(only('gw'));
    expect(access(valid(), 'other', 'http')).toEqual({ isolated: true, anywhere: false, workloads: [], namespaces: [] });
    const open = valid().filter((d) => d.obj.kind !== 'NetworkPolicy');
    expect(access(open, 'meta', 'grpc')).toMatchObject({ isolated: false, anywhere: true });
  });

  it.each<[string, (d: Doc[]) => void, RegExp]>([
    ['a literal token', (d) => (meta(d).env[0] = { name: 'MASSIVE_SERVICE_TOKEN', value: 'a-literal-token-0123456789abcdef' }), /env MASSIVE_SERVICE_TOKEN has a literal value/],
    ['a token from a ConfigMap key', (d) => (meta(d).env[0] = { name: 'MASSIVE_SERVICE_TOKEN', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'x' } } }), /comes from a ConfigMap/],
    ['a secret in an envFrom ConfigMap', (d) => (get(d, 'ConfigMap', 'cfg').data.MASSIVE_SECRET_KEY = 'x'), /env MASSIVE_SECRET_KEY comes from ConfigMap cfg/],
    ['a secret-looking ConfigMap key', (d) => (get(d, 'ConfigMap', 'cfg').data.MASSIVE_METRICS_TOKEN = 'x'), /key MASSIVE_METRICS_TOKEN looks like a secret/],
    ['a Secret with a usable value', (d) => (get(d, 'Secret', 'tok').stringData['service-token'] = 'p4ssw0rd-0123456789abcdef0123456789'), /ships a usable value/],
    ['a base64 Secret with a usable value', (d) => (get(d, 'Secret', 'tok').data = { other: Buffer.from('real-value').toString('base64') }), /other ships a usable value/],
    ['a TLS key path off any Secret volume', (d) => meta(d).env.push({ name: 'MASSIVE_TLS_KEY', value: '/tmp/key.pem' }), /MASSIVE_TLS_KEY must be a file path on a volume mounted from a Secret \(got '\/tmp\/key.pem'\)/],
    ['a service without a token or certificates', (d) => (meta(d).env = []), /needs MASSIVE_SERVICE_TOKEN .* or MASSIVE_TLS_CA\/CERT\/KEY/],
    ['the insecure opt-out', (d) => meta(d).env.push({ name: 'MASSIVE_INSECURE_RPC', value: 'true' }), /sets MASSIVE_INSECURE_RPC/],
  ])('reports %s', (_what, mutate, message) => {
    expect(errorsAfter(mutate)).toMatch(message);
  });

  it('accepts TLS material mounted from a Secret', () => {
    expect(errorsAfter((d) => meta(d).env.push({ name: 'MASSIVE_TLS_KEY', value: '/etc/massive/tls/tls.key' }))).toBe('');
  });

  it('sees a policy that opens metadata gRPC to more than the gateway', () => {
    const docs = valid();
    get(docs, 'NetworkPolicy', 'meta').spec.ingress.push({ ports: [{ port: 7070 }] });
    expect(access(docs, 'meta', 'grpc')).toMatchObject({ anywhere: true });
    const other = valid();
    get(other, 'NetworkPolicy', 'meta').spec.ingress[0].from.push({ podSelector: {} });
    expect(access(other, 'meta', 'grpc').workloads).toEqual(['gw', 'meta', 'other']);
    const ns = valid();
    get(ns, 'NetworkPolicy', 'meta').spec.ingress[0].from.push({ namespaceSelector: {} });
    expect(access(ns, 'meta', 'grpc').namespaces).toEqual(['{}']);
  });
});
