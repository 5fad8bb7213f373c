// Renders the deploy/k8s trees with `kubectl kustomize`, as a user would before `kubectl apply`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { type Doc, kustomizationFile, parseYaml } from './checks';

export const DEPLOY = path.resolve(__dirname, '..');
export const REPO = path.resolve(DEPLOY, '..');
export const K8S = path.join(DEPLOY, 'k8s');
export const rel = (p: string): string => path.relative(REPO, p);

/** Top-level trees a user applies: the base and every overlay. */
export const ROOTS = [
  path.join(K8S, 'base'),
  ...fs
    .readdirSync(path.join(K8S, 'overlays'))
    .map((d) => path.join(K8S, 'overlays', d))
    .filter((d) => kustomizationFile(d)),
];

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
/**
 * Rendering needs `kubectl kustomize`. Off CI a machine without kubectl skips those checks; in CI
 * (CI=true, where .ci/run installs Debian's kubernetes-client) a missing kubectl fails them loudly.
 */
export const withKubectl: (name: string, fn: () => void) => void = kubectl
  ? (name, fn) => it(name, fn)
  : process.env.CI
    ? (name) =>
        it(name, () => {
          throw new Error('kubectl is not installed: CI must render every overlay with `kubectl kustomize` (.ci/run installs kubernetes-client)');
        })
    : (name, fn) => it.skip(name, fn);

const rendered = new Map<string, Doc[]>();
export function render(dir: string): Doc[] {
  if (!rendered.has(dir)) {
    const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`kubectl kustomize ${rel(dir)} failed:\n${r.stderr}`);
    const parsed = parseYaml(r.stdout, `${rel(dir)} (rendered)`);
    if (parsed.errors.length) throw new Error(parsed.errors.join('\n'));
    rendered.set(dir, parsed.docs);
  }
  return rendered.get(dir)!;
}
