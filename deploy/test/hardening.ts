// Workload hardening: what a cluster operator (and the Pod Security "restricted" profile) expects of
// every pod we ship, our services and the TiKV/PD/SeaweedFS backends alike. Complements the reference
// checks in checks.ts (which resolve names); each rule returns human-readable errors.
import { ALLOWED_METRICS, type Doc } from './checks';

type Obj = any;

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const HOSTNAME = 'kubernetes.io/hostname';

/**
 * Members of quorum or replication groups: two of them on one node would let a single node failure
 * take a majority (PD, TiKV Raft, SeaweedFS master Raft) or both copies of a volume (SeaweedFS
 * replication 001 places replicas on different servers). They must be kept apart, not just preferably.
 */
export const MUST_SPREAD: ReadonlySet<string> = new Set(['pd', 'tikv', 'seaweedfs-master', 'seaweedfs-volume']);

/** Our gRPC services: the kubelet probes them with grpc.health.v1 (the standard health service they answer). */
const GRPC_IMAGES = new Set(['massive-storage/metadata', 'massive-storage/blob']);

const imageRepo = (image: unknown): string => String(image ?? '').replace(/@.*$/, '').replace(/:[^/:]*$/, '');
const selects = (selector: Obj, labels: Record<string, string>): boolean => {
  const m = selector?.matchLabels;
  return !!m && Object.keys(m).length > 0 && Object.entries(m).every(([k, v]) => labels[k] === v);
};

export function checkHardening(docs: readonly Doc[]): string[] {
  const errors: string[] = [...checkAutoscalers(docs)];
  for (const d of docs) {
    const o = d.obj;
    if (!WORKLOADS.has(o?.kind)) continue;
    const where = `${d.file}: ${o.kind}/${o.metadata?.name}`;
    const err = (m: string): void => void errors.push(`${where}: ${m}`);
    const pod = o.spec?.template?.spec ?? {};
    const labels: Record<string, string> = o.spec?.template?.metadata?.labels ?? {};
    const podSc = pod.securityContext ?? {};

    if (pod.automountServiceAccountToken !== false) err('set automountServiceAccountToken: false (nothing in the pod talks to the Kubernetes API)');
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) err('must not share the host network, PID or IPC namespace');
    errors.push(...checkSpread(o, pod, labels).map((m) => `${where}: ${m}`));

    const volumes = new Map<string, Obj>((pod.volumes ?? []).map((v: Obj) => [v.name, v]));
    for (const v of pod.volumes ?? []) if (v.hostPath) err(`volume ${v.name} is a hostPath`);

    const all = [...(pod.initContainers ?? []).map((c: Obj) => ({ c, init: true })), ...(pod.containers ?? []).map((c: Obj) => ({ c, init: false }))];
    for (const { c, init } of all) {
      const cn = `container ${c.name}`;
      const sc = c.securityContext ?? {};
      // Pod Security Standards, "restricted" profile.
      if (sc.readOnlyRootFilesystem !== true) err(`${cn} must set securityContext.readOnlyRootFilesystem: true`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) err(`${cn} must drop ALL capabilities (securityContext.capabilities.drop: [ALL])`);
      if ((sc.capabilities?.add ?? []).length) err(`${cn} must not add capabilities (${sc.capabilities.add.join(', ')})`);
      const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') err(`${cn} needs seccompProfile RuntimeDefault (pod or container securityContext)`);
      // A read-only root needs somewhere to write: /tmp on an emptyDir, data on a volume, all mounted writable.
      if (sc.readOnlyRootFilesystem === true) {
        const tmp = (c.volumeMounts ?? []).find((m: Obj) => m.mountPath === '/tmp');
        if (!tmp) err(`${cn} has a read-only root filesystem but no writable /tmp (mount an emptyDir there)`);
        else if (tmp.readOnly) err(`${cn} mounts /tmp read-only`);
        else if (!volumes.get(tmp.name)?.emptyDir) err(`${cn} /tmp must be an emptyDir (got volume '${tmp.name}')`);
        for (const m of c.volumeMounts ?? []) if (volumes.get(m.name)?.emptyDir && m.readOnly) err(`${cn} mounts emptyDir '${m.name}' read-only: it can only be for writing`);
      }
      for (const [dir, what] of dataDirs(c, docs, o.metadata?.namespace)) {
        const m = (c.volumeMounts ?? []).find((x: Obj) => dir === x.mountPath || dir.startsWith(`${x.mountPath}/`));
        if (!m) err(`${cn} writes ${what} ${dir}, which is on the read-only root filesystem (mount a volume there)`);
        else if (m.readOnly) err(`${cn} writes ${what} ${dir}, but its volume is mounted read-only`);
      }
      if (init) continue;
      // Probes: the kubelet restarts a hung process and routes traffic only to ready ones.
      if (!c.livenessProbe) err(`${cn} needs a livenessProbe`);
      if (!c.readinessProbe) err(`${cn} needs a readinessProbe`);
      if (GRPC_IMAGES.has(imageRepo(c.image)) && !['startupProbe', 'livenessProbe', 'readinessProbe'].some((p) => c[p]?.grpc)) {
        err(`${cn} serves gRPC: probe it with a grpc probe (grpc.health.v1) as well, so a wedged gRPC server is noticed`);
      }
      const r = c.resources ?? {};
      if (!r.limits?.cpu && !r.limits?.memory) err(`${cn} needs resources.limits`);
    }
  }
  return errors;
}

/** Directories a container writes: its MASSIVE_DATA_DIR (inline or from ConfigMaps) and the backends' data flags. */
function dataDirs(c: Obj, docs: readonly Doc[], namespace: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  const configMap = (name: string): Obj =>
    docs.find((d) => d.obj?.kind === 'ConfigMap' && d.obj?.metadata?.name === name && d.obj?.metadata?.namespace === namespace)?.obj?.data ?? {};
  let dir: unknown;
  for (const e of c.envFrom ?? []) if (e.configMapRef) dir = configMap(e.configMapRef.name)[`${e.prefix ?? ''}MASSIVE_DATA_DIR`] ?? dir;
  for (const e of c.env ?? []) {
    if (e.name !== 'MASSIVE_DATA_DIR') continue;
    const ref = e.valueFrom?.configMapKeyRef;
    dir = ref ? configMap(ref.name)[ref.key] : e.value;
  }
  if (typeof dir === 'string') out.push([dir, 'MASSIVE_DATA_DIR']);
  for (const a of [...(c.command ?? []), ...(c.args ?? [])]) {
    const m = /^--?(data-dir|mdir|dir)=(\/\S*)$/.exec(String(a));
    if (m) out.push([m[2].split(',')[0], `its ${m[1]}`]);
  }
  return out;
}

/**
 * More than one pod (or an autoscaled one): spread across nodes, by podAntiAffinity on the hostname or
 * a topologySpreadConstraint, either selecting the workload's own pods. Quorum members: hard rule.
 */
function checkSpread(o: Obj, pod: Obj, labels: Record<string, string>): string[] {
  const name = o.metadata?.name;
  const anti = pod.affinity?.podAntiAffinity ?? {};
  const required = (anti.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter((t: Obj) => t.topologyKey === HOSTNAME && selects(t.labelSelector, labels));
  const preferred = (anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter(
    (p: Obj) => p.podAffinityTerm?.topologyKey === HOSTNAME && selects(p.podAffinityTerm?.labelSelector, labels),
  );
  const spread = (pod.topologySpreadConstraints ?? []).filter((t: Obj) => t.topologyKey === HOSTNAME && selects(t.labelSelector, labels));
  const hardSpread = spread.filter((t: Obj) => t.whenUnsatisfiable === 'DoNotSchedule' && t.maxSkew === 1);
  const out: string[] = [];
  if (MUST_SPREAD.has(name)) {
    if (required.length === 0 && hardSpread.length === 0) out.push(`quorum members need requiredDuringScheduling podAntiAffinity on ${HOSTNAME} selecting their own pods (one member per node)`);
  } else if (required.length + preferred.length + spread.length === 0) {
    out.push(`replicas need podAntiAffinity or a topologySpreadConstraint on ${HOSTNAME} selecting their own pods`);
  }
  return out;
}

/**
 * An HPA scales on something that exists: CPU or memory (metrics-server), or, as Pods/Object metrics,
 * a series our services export (served to the HPA by prometheus-adapter). Nothing else would ever
 * report a value, and the HPA would sit at its minimum.
 */
function checkAutoscalers(docs: readonly Doc[]): string[] {
  const out: string[] = [];
  for (const d of docs.filter((x) => x.obj?.kind === 'HorizontalPodAutoscaler')) {
    const where = `${d.file}: HorizontalPodAutoscaler/${d.obj.metadata?.name}`;
    const metrics: Obj[] = d.obj.spec?.metrics ?? [];
    if (metrics.length === 0) out.push(`${where}: no metrics (autoscaling/v2 then defaults to 80% CPU silently; say so)`);
    for (const m of metrics) {
      if (m.type === 'Resource' || m.type === 'ContainerResource') {
        const name = (m.resource ?? m.containerResource)?.name;
        if (name !== 'cpu' && name !== 'memory') out.push(`${where}: resource metric '${name}' is not reported by metrics-server (cpu or memory)`);
      } else if (m.type === 'Pods' || m.type === 'Object') {
        const name = (m.pods ?? m.object)?.metric?.name;
        if (!ALLOWED_METRICS.has(name)) out.push(`${where}: ${m.type} metric '${name}' is not a series our services export`);
      } else {
        out.push(`${where}: ${m.type} metrics need an external metrics provider this deployment does not ship`);
      }
    }
  }
  return out;
}
