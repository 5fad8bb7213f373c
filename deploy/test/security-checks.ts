// Checks of how deploy/ handles secrets and who may reach whom (issue 13, "services trust only each
// other"). Pure functions over parsed manifests, like checks.ts; no imports from libs/.
import type { Doc } from './checks';

type Obj = any;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
/** Env var names that carry secrets: they must come from a Secret (secretKeyRef), never a literal or a ConfigMap. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)|(^|_)KEY(_|$)/;
/** Secret-looking names whose value is a file path (PEM files, token files): the path must lie on a Secret volume. */
const PATH_ENV = new Set(['MASSIVE_TLS_CA', 'MASSIVE_TLS_CERT', 'MASSIVE_TLS_KEY', 'MASSIVE_S3_TLS_CERT', 'MASSIVE_S3_TLS_KEY']);
/** What example Secrets hold instead of a usable value; the services refuse to start with it. */
export const PLACEHOLDER = /(CHANGE|REPLACE)[-_]?ME/i;

const ns = (o: Obj): string => o?.metadata?.namespace ?? 'default';
const where = (d: Doc): string => `${d.file}: ${d.obj?.kind}/${d.obj?.metadata?.name}`;
const isPathEnv = (name: string): boolean => PATH_ENV.has(name) || name.endsWith('_FILE');
const podOf = (o: Obj): Obj => (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec) ?? {};
const containersOf = (pod: Obj): Obj[] => [...(pod.initContainers ?? []), ...(pod.containers ?? [])];

function matchLabels(selector: Obj, labels: Record<string, string> | undefined): boolean {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions are not supported by these checks: use matchLabels');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}

/**
 * Secrets stay in Secrets: every env var with a secret-looking name comes from a secretKeyRef (no
 * literal, no ConfigMap); path-valued ones (`*_FILE`, MASSIVE_TLS_*) point into a Secret volume;
 * ConfigMaps hold no secret-looking keys; and every Secret shipped here holds only placeholders
 * (CHANGE-ME), so nobody runs on a value published in this repository.
 */
export function checkSecretHandling(docs: Doc[]): string[] {
  const errors: string[] = [];
  const find = (kind: string, name: string, namespace: string): Obj | undefined => docs.find((d) => d.obj?.kind === kind && d.obj?.metadata?.name === name && ns(d.obj) === namespace)?.obj;
  for (const d of docs) {
    const o = d.obj;
    if (o?.kind === 'ConfigMap') {
      for (const k of Object.keys(o.data ?? {})) if (SECRET_NAME.test(k.toUpperCase()) && !isPathEnv(k)) errors.push(`${where(d)}: key ${k} looks like a secret: keep it in a Secret`);
    }
    if (o?.kind === 'Secret') {
      const values = { ...Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')])), ...(o.stringData ?? {}) };
      for (const [k, v] of Object.entries(values)) if (!PLACEHOLDER.test(String(v))) errors.push(`${where(d)}: ${k} ships a usable value; example Secrets must hold a CHANGE-ME placeholder`);
    }
    if (!WORKLOAD_KINDS.has(o?.kind)) continue;
    const pod = podOf(o);
    const secretVolumes = new Set<string>(
      (pod.volumes ?? [])
        .filter((v: Obj) => v.secret || (v.projected?.sources?.length && v.projected.sources.every((s: Obj) => s.secret)))
        .map((v: Obj) => v.name),
    );
    for (const c of containersOf(pod)) {
      const cn = `container ${c.name}`;
      for (const e of c.env ?? []) {
        const name = String(e.name);
        if (!SECRET_NAME.test(name)) continue;
        if (isPathEnv(name)) {
          const value = e.value === undefined ? undefined : String(e.value);
          const mounted = value !== undefined && (c.volumeMounts ?? []).some((m: Obj) => secretVolumes.has(m.name) && (value === m.mountPath || value.startsWith(`${String(m.mountPath).replace(/\/$/, '')}/`)));
          if (!mounted) errors.push(`${where(d)}: ${cn} env ${name} must be a file path on a volume mounted from a Secret (got ${value === undefined ? 'no literal path' : `'${value}'`})`);
          continue;
        }
        if (e.valueFrom?.secretKeyRef) continue;
        if (e.valueFrom?.configMapKeyRef) errors.push(`${where(d)}: ${cn} env ${name} comes from a ConfigMap: use a secretKeyRef`);
        else if (e.value !== undefined) errors.push(`${where(d)}: ${cn} env ${name} has a literal value: use a secretKeyRef`);
        else errors.push(`${where(d)}: ${cn} env ${name} must come from a secretKeyRef`);
      }
      for (const ef of c.envFrom ?? []) {
        if (!ef.configMapRef) continue;
        const cm = find('ConfigMap', ef.configMapRef.name, ns(o));
        for (const k of Object.keys(cm?.data ?? {})) {
          const name = `${ef.prefix ?? ''}${k}`;
          if (SECRET_NAME.test(name) && !isPathEnv(name)) errors.push(`${where(d)}: ${cn} env ${name} comes from ConfigMap ${ef.configMapRef.name}: use a Secret`);
        }
      }
    }
  }
  return errors;
}

/** Our services must authenticate each other: a service token or mutual TLS, never the insecure opt-out. */
export function checkServiceTrust(docs: Doc[]): string[] {
  const errors: string[] = [];
  for (const d of docs) {
    if (!WORKLOAD_KINDS.has(d.obj?.kind)) continue;
    for (const c of containersOf(podOf(d.obj))) {
      if (!/^massive-storage\/(gateway|metadata|blob)(:|$)/.test(String(c.image))) continue;
      const names = new Set<string>((c.env ?? []).map((e: Obj) => String(e.name)));
      const insecure = (c.env ?? []).find((e: Obj) => e.name === 'MASSIVE_INSECURE_RPC');
      if (insecure) errors.push(`${where(d)}: container ${c.name} sets MASSIVE_INSECURE_RPC: the services must authenticate each other`);
      const token = names.has('MASSIVE_SERVICE_TOKEN') || names.has('MASSIVE_SERVICE_TOKEN_FILE');
      const tls = ['MASSIVE_TLS_CA', 'MASSIVE_TLS_CERT', 'MASSIVE_TLS_KEY'].every((n) => names.has(n));
      if (!token && !tls) errors.push(`${where(d)}: container ${c.name} needs MASSIVE_SERVICE_TOKEN (from a Secret) or MASSIVE_TLS_CA/CERT/KEY: the services refuse to start without`);
    }
  }
  return errors;
}

/** Who may open connections to one port of a workload, as the NetworkPolicies in its namespace say. */
export interface IngressAccess {
  /** Some policy selects the pods (otherwise everything may connect). */
  readonly isolated: boolean;
  /** Any source at all (a rule without `from`, or an ipBlock). */
  readonly anywhere: boolean;
  /** Workloads of the same namespace that may connect, by name. */
  readonly workloads: ReadonlySet<string>;
  /** Other namespaces' selectors (JSON of matchLabels) whose pods may connect. */
  readonly namespaces: ReadonlySet<string>;
}

/** Evaluates the NetworkPolicies (matchLabels selectors, TCP) for `workload`'s container port `port` (name or number). */
export function ingressTo(docs: Doc[], workload: string, port: string | number): IngressAccess {
  const target = docs.find((d) => WORKLOAD_KINDS.has(d.obj?.kind) && d.obj.metadata?.name === workload)?.obj;
  if (!target) throw new Error(`no workload ${workload}`);
  const namespace = ns(target);
  const labels = target.spec?.template?.metadata?.labels ?? {};
  const ports: Obj[] = containersOf(podOf(target)).flatMap((c) => c.ports ?? []);
  const number = typeof port === 'number' ? port : ports.find((p) => p.name === port)?.containerPort;
  if (number === undefined) throw new Error(`${workload} has no port ${port}`);
  const portMatches = (p: Obj): boolean => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === number || ports.some((cp) => cp.name === p.port && cp.containerPort === number));
  const nsLabels = docs.find((d) => d.obj?.kind === 'Namespace' && d.obj.metadata?.name === namespace)?.obj.metadata?.labels ?? { 'kubernetes.io/metadata.name': namespace };
  const inNamespace = docs.filter((d) => WORKLOAD_KINDS.has(d.obj?.kind) && ns(d.obj) === namespace);
  const policies = docs
    .filter((d) => d.obj?.kind === 'NetworkPolicy' && ns(d.obj) === namespace)
    .map((d) => d.obj)
    .filter((p) => (p.spec?.policyTypes ?? ['Ingress']).includes('Ingress') && matchLabels(p.spec?.podSelector, labels));
  const workloads = new Set<string>();
  const namespaces = new Set<string>();
  let anywhere = policies.length === 0;
  for (const p of policies) {
    for (const rule of p.spec?.ingress ?? []) {
      if ((rule.ports ?? []).length > 0 && !rule.ports.some(portMatches)) continue;
      if ((rule.from ?? []).length === 0) anywhere = true;
      for (const peer of rule.from ?? []) {
        if (peer.ipBlock) {
          anywhere = true;
          continue;
        }
        const sameNs = peer.namespaceSelector === undefined || matchLabels(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace, ...nsLabels });
        if (peer.namespaceSelector !== undefined && !matchLabels(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace, ...nsLabels })) namespaces.add(JSON.stringify(peer.namespaceSelector.matchLabels ?? {}));
        if (peer.namespaceSelector !== undefined && Object.keys(peer.namespaceSelector.matchLabels ?? {}).length === 0) namespaces.add('{}');
        if (!sameNs) continue;
        for (const w of inNamespace) if (matchLabels(peer.podSelector ?? {}, w.obj.spec?.template?.metadata?.labels)) workloads.add(w.obj.metadata.name);
      }
    }
  }
  return { isolated: policies.length > 0, anywhere, workloads, namespaces };
}
