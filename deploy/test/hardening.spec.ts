// Every workload of the base and each overlay, as kubectl kustomize renders it, is hardened: probes,
// limits, spread across nodes, Pod Security "restricted" settings, writable paths on volumes.
// The second block proves each rule fires on a broken fixture.
import { type Doc, parseYaml } from './checks';
import { checkHardening } from './hardening';
import { ROOTS, rel, render, withKubectl } from './render';

describe.each(ROOTS.map((r) => [rel(r), r]))('%s', (_name, root) => {
  withKubectl('every workload is hardened (probes, limits, anti-affinity, restricted security context)', () => {
    expect(checkHardening(render(root))).toEqual([]);
  });
});

const FIXTURE = `
apiVersion: v1
kind: ConfigMap
metadata: { name: meta-config }
data: { MASSIVE_DATA_DIR: /var/lib/massive }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: meta }
spec:
  selector: { matchLabels: { app: meta } }
  template:
    metadata: { labels: { app: meta } }
    spec:
      automountServiceAccountToken: false
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: { matchLabels: { app: meta } } }]
      containers:
        - name: metadata
          image: massive-storage/metadata:1
          envFrom: [{ configMapRef: { name: meta-config } }]
          startupProbe: { grpc: { port: 7070 } }
          livenessProbe: { httpGet: { path: /health/live, port: 9100 } }
          readinessProbe: { httpGet: { path: /health/ready, port: 9100 } }
          resources: { requests: { cpu: 10m, memory: 10Mi }, limits: { memory: 20Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: tmp, mountPath: /tmp }, { name: data, mountPath: /var/lib/massive }]
      volumes: [{ name: tmp, emptyDir: {} }, { name: data, emptyDir: {} }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: pd }
spec:
  serviceName: pd
  replicas: 3
  selector: { matchLabels: { app: pd } }
  template:
    metadata: { labels: { app: pd } }
    spec:
      automountServiceAccountToken: false
      securityContext: { runAsNonRoot: true, runAsUser: 1000 }
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: kubernetes.io/hostname, labelSelector: { matchLabels: { app: pd } } }]
      initContainers:
        - name: init
          image: busybox
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] }, seccompProfile: { type: RuntimeDefault } }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
      containers:
        - name: pd
          image: pingcap/pd:v1
          args: [--data-dir=/var/lib/pd]
          livenessProbe: { tcpSocket: { port: 2379 } }
          readinessProbe: { tcpSocket: { port: 2379 } }
          resources: { requests: { cpu: 10m, memory: 10Mi }, limits: { memory: 20Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] }, seccompProfile: { type: RuntimeDefault } }
          volumeMounts: [{ name: data, mountPath: /var/lib/pd }, { name: tmp, mountPath: /tmp }]
      volumes: [{ name: tmp, emptyDir: {} }]
  volumeClaimTemplates: [{ metadata: { name: data } }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: meta }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: meta }
  maxReplicas: 4
  metrics:
    - { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }
    - { type: Pods, pods: { metric: { name: s3_requests_in_flight }, target: { type: AverageValue, averageValue: "50" } } }
`;

describe('the hardening checker catches weak workloads', () => {
  const docs = (): Doc[] => parseYaml(FIXTURE, 'fixture.yaml').docs;
  const get = (d: Doc[], kind: string): any => d.find((x) => x.obj.kind === kind)!.obj;
  const pod = (d: Doc[], kind: string): any => get(d, kind).spec.template.spec;
  const ctr = (d: Doc[], kind: string): any => pod(d, kind).containers[0];

  it('accepts the valid fixture', () => {
    expect(checkHardening(docs())).toEqual([]);
  });

  it.each<[string, (d: Doc[]) => void, RegExp]>([
    ['a missing liveness probe', (d) => delete ctr(d, 'StatefulSet').livenessProbe, /StatefulSet\/pd: container pd needs a livenessProbe/],
    ['a missing readiness probe', (d) => delete ctr(d, 'Deployment').readinessProbe, /Deployment\/meta: container metadata needs a readinessProbe/],
    ['a gRPC service probed over HTTP only', (d) => delete ctr(d, 'Deployment').startupProbe, /serves gRPC: probe it with a grpc probe/],
    ['no limits', (d) => delete ctr(d, 'Deployment').resources.limits, /container metadata needs resources.limits/],
    ['a writable root filesystem on a backend', (d) => (ctr(d, 'StatefulSet').securityContext.readOnlyRootFilesystem = false), /container pd must set securityContext.readOnlyRootFilesystem: true/],
    ['an init container with a writable root', (d) => delete pod(d, 'StatefulSet').initContainers[0].securityContext.readOnlyRootFilesystem, /container init must set securityContext.readOnlyRootFilesystem/],
    ['capabilities kept', (d) => delete ctr(d, 'StatefulSet').securityContext.capabilities, /container pd must drop ALL capabilities/],
    ['capabilities added', (d) => (ctr(d, 'Deployment').securityContext.capabilities.add = ['NET_ADMIN']), /must not add capabilities \(NET_ADMIN\)/],
    ['no seccomp profile', (d) => delete pod(d, 'Deployment').securityContext.seccompProfile, /container metadata needs seccompProfile RuntimeDefault/],
    ['an Unconfined seccomp profile', (d) => (ctr(d, 'StatefulSet').securityContext.seccompProfile.type = 'Unconfined'), /container pd needs seccompProfile RuntimeDefault/],
    ['no writable /tmp', (d) => (ctr(d, 'StatefulSet').volumeMounts = ctr(d, 'StatefulSet').volumeMounts.filter((m: any) => m.mountPath !== '/tmp')), /container pd has a read-only root filesystem but no writable \/tmp/],
    ['/tmp mounted read-only', (d) => (ctr(d, 'Deployment').volumeMounts[0].readOnly = true), /container metadata mounts \/tmp read-only/],
    ['a data dir on the read-only root', (d) => (ctr(d, 'Deployment').volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }]), /writes MASSIVE_DATA_DIR \/var\/lib\/massive, which is on the read-only root filesystem/],
    ['a backend data dir on the read-only root', (d) => (ctr(d, 'StatefulSet').args = ['--data-dir=/data']), /container pd writes its data-dir \/data, which is on the read-only root/],
    ['a quorum StatefulSet without hard anti-affinity', (d) => delete pod(d, 'StatefulSet').affinity, /StatefulSet\/pd: quorum members need requiredDuringScheduling podAntiAffinity/],
    ['anti-affinity that selects other pods', (d) => (pod(d, 'StatefulSet').affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels.app = 'tikv'), /StatefulSet\/pd: quorum members need/],
    ['replicas free to pile onto one node', (d) => delete pod(d, 'Deployment').topologySpreadConstraints, /Deployment\/meta: replicas need podAntiAffinity or a topologySpreadConstraint/],
    ['a service account token mounted', (d) => delete pod(d, 'Deployment').automountServiceAccountToken, /automountServiceAccountToken: false/],
    ['a hostPath volume', (d) => pod(d, 'Deployment').volumes.push({ name: 'host', hostPath: { path: '/' } }), /volume host is a hostPath/],
    ['host networking', (d) => (pod(d, 'Deployment').hostNetwork = true), /must not share the host network/],
    ['an HPA on a metric nobody reports', (d) => (get(d, 'HorizontalPodAutoscaler').spec.metrics[1].pods.metric.name = 's3_queue_depth'), /Pods metric 's3_queue_depth' is not a series our services export/],
    ['an HPA on an external metric', (d) => get(d, 'HorizontalPodAutoscaler').spec.metrics.push({ type: 'External', external: { metric: { name: 'sqs' } } }), /External metrics need an external metrics provider/],
    ['an HPA on a resource metrics-server lacks', (d) => (get(d, 'HorizontalPodAutoscaler').spec.metrics[0].resource.name = 'ephemeral-storage'), /resource metric 'ephemeral-storage' is not reported/],
    ['an HPA without metrics', (d) => delete get(d, 'HorizontalPodAutoscaler').spec.metrics, /no metrics/],
  ])('reports %s', (_what, mutate, message) => {
    const d = docs();
    mutate(d);
    expect(checkHardening(d).join('\n')).toMatch(message);
  });
});
