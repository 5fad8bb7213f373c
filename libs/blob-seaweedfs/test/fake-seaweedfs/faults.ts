import type { IncomingMessage, ServerResponse } from 'node:http';

/** Which fake process a fault applies to: a master by index, or a volume server by index. */
export type FaultTarget = { readonly master: number } | { readonly server: number };

export interface FaultRule {
  readonly target: FaultTarget;
  /** HTTP method to match; any when absent. */
  readonly method?: string;
  /** Path prefix to match (e.g. '/dir/assign'); any when absent. */
  readonly path?: string;
  /** What to do: answer with a status, drop the connection, delay, or hang forever. */
  readonly action:
    | { readonly kind: 'status'; readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
    | { readonly kind: 'drop' }
    | { readonly kind: 'delay'; readonly ms: number }
    | { readonly kind: 'hang' };
  /** How many matching requests it hits; Infinity until cleared. */
  remaining: number;
}

export function sameTarget(a: FaultTarget, b: FaultTarget): boolean {
  return 'master' in a ? 'master' in b && a.master === b.master : 'server' in b && a.server === b.server;
}

/**
 * Applies the first matching rule. Returns true when the request was fully handled (answered,
 * dropped or hung); a delay resolves false after waiting so the real handler runs.
 */
export async function applyFaults(rules: FaultRule[], target: FaultTarget, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0];
  const i = rules.findIndex(
    (r) => r.remaining > 0 && sameTarget(r.target, target) && (!r.method || r.method === req.method) && (!r.path || path.startsWith(r.path)),
  );
  if (i < 0) return false;
  const rule = rules[i];
  rule.remaining--;
  if (rule.remaining <= 0) rules.splice(i, 1);
  const a = rule.action;
  switch (a.kind) {
    case 'status':
      req.resume();
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
      return true;
    case 'drop':
      req.socket.destroy();
      return true;
    case 'hang':
      req.resume();
      return true;
    case 'delay':
      await new Promise((r) => setTimeout(r, a.ms));
      return false;
  }
}
