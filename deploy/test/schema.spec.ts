// Every object `kubectl kustomize` renders (base and each overlay) validates against the Kubernetes 1.30
// OpenAPI schemas, and ServiceMonitor / PrometheusRule against the Prometheus Operator's CRD schemas.
// The second block proves the validator rejects what an API server would.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Doc, parseYaml } from './checks';
import { ROOTS, rel, render, withKubectl } from './render';
import { loadSchemaValidator } from './schema';

const validator = loadSchemaValidator();

describe.each(ROOTS.map((r) => [rel(r), r]))('%s', (_name, root) => {
  withKubectl('every rendered object matches its Kubernetes 1.30 / CRD schema', () => {
    const docs = render(root);
    expect(docs.length).toBeGreaterThan(0);
    expect(validator.validate(docs)).toEqual([]);
  });
});

describe('the vendored schemas', () => {
  it('cover the kinds we ship, at the versions we use', () => {
    for (const k of ['apps/v1/Deployment', 'apps/v1/StatefulSet', 'v1/Service', 'v1/ConfigMap', 'v1/Secret', 'v1/Namespace', 'policy/v1/PodDisruptionBudget', 'autoscaling/v2/HorizontalPodAutoscaler', 'networking.k8s.io/v1/NetworkPolicy', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PrometheusRule']) {
      expect(validator.kinds).toContain(k);
    }
    const note = JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', 'kubernetes.json'), 'utf8')).$comment;
    expect(note).toMatch(/^Kubernetes 1\.30\./);
  });
});

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: web
          image: example/web:1
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { grpc: { port: 8080 }, periodSeconds: 5 }
          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 1, memory: 128Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
      volumes: [{ name: tmp, emptyDir: { sizeLimit: 64Mi } }]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  endpoints: [{ port: http, path: /metrics, interval: 30s }]
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: { name: web }
spec:
  groups: [{ name: web, rules: [{ alert: Down, expr: up == 0, for: 5m, labels: { severity: page } }] }]
`;

describe('the schema validator rejects broken objects', () => {
  const docs = (): Doc[] => parseYaml(DEPLOYMENT, 'fixture.yaml').docs;
  const pod = (d: Doc[]): any => (d[0].obj as any).spec.template.spec;
  const errorsAfter = (mutate: (d: Doc[]) => void): string => {
    const d = docs();
    mutate(d);
    return validator.validate(d).join('\n');
  };

  it('accepts the valid fixture', () => {
    expect(validator.validate(docs())).toEqual([]);
  });

  it.each<[string, (d: Doc[]) => void, RegExp]>([
    ['a misspelt field', (d) => (pod(d).containers[0].readinesProbe = pod(d).containers[0].readinessProbe), /spec\/template\/spec\/containers\/0: unknown field 'readinesProbe'/],
    ['a missing required field', (d) => delete pod(d).containers[0].name, /containers\/0: missing required field 'name'/],
    ['a wrong type', (d) => (pod(d).containers[0].ports[0].containerPort = [8080]), /ports\/0\/containerPort: should be number/],
    ['a string where a list belongs', (d) => (pod(d).containers[0].securityContext.capabilities.drop = 'ALL'), /capabilities\/drop: should be array/],
    ['a field of a newer Kubernetes than 1.30', (d) => (pod(d).hostnameOverride = 'x'), /unknown field 'hostnameOverride'/],
    ['a misplaced field', (d) => ((d[0].obj as any).spec.template.spec.replicas = 2), /template\/spec: unknown field 'replicas'/],
    ['an unknown kind', (d) => ((d[0].obj as any).kind = 'Deploymnet'), /no schema for apps\/v1\/Deploymnet/],
    ['an old apiVersion', (d) => ((d[0].obj as any).apiVersion = 'extensions/v1beta1'), /no schema for extensions\/v1beta1\/Deployment/],
    ['a ServiceMonitor endpoint typo', (d) => ((d[1].obj as any).spec.endpoints[0].intervall = '30s'), /ServiceMonitor\/web: \/spec\/endpoints\/0: unknown field 'intervall'/],
    ['a ServiceMonitor scheme outside its enum', (d) => ((d[1].obj as any).spec.endpoints[0].scheme = 'ftp'), /endpoints\/0\/scheme: must be one of/],
    ['a PrometheusRule rule without expr', (d) => delete (d[2].obj as any).spec.groups[0].rules[0].expr, /PrometheusRule\/web: \/spec\/groups\/0\/rules\/0: missing required field 'expr'/],
  ])('reports %s', (_what, mutate, message) => {
    expect(errorsAfter(mutate)).toMatch(message);
  });
});
