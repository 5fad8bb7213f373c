import { compileCondition, type ConditionTest, type ContextLookup } from './conditions';
import type { BucketPolicy, PolicyDecision, PolicyRequest, PolicyStatement } from './policy-types';
import { globToRegExp, hasVariables, substituteVariables } from './wildcard';

/**
 * A bucket policy ready to evaluate: patterns compiled once. Evaluation follows IAM's logic for one
 * resource policy: an explicit Deny among the matching statements wins, else an Allow, else no decision
 * ('none': the caller falls back to ACLs, ownership and grants).
 */
export interface CompiledBucketPolicy {
  readonly policy: BucketPolicy;
  evaluate(req: PolicyRequest): PolicyDecision;
  /** Whether any condition looks at `s3:ExistingObjectTag/…` (the caller then reads the object's tags first). */
  readonly usesExistingObjectTags: boolean;
}

type Matcher = (value: string, lookup: ContextLookup) => boolean;

interface CompiledStatement {
  readonly deny: boolean;
  readonly principal: PolicyStatement['principal'];
  readonly actions: readonly Matcher[];
  readonly actionsNegated: boolean;
  readonly resources: readonly Matcher[];
  readonly resourcesNegated: boolean;
  readonly conditions: readonly ConditionTest[];
}

export function compileBucketPolicy(policy: BucketPolicy): CompiledBucketPolicy {
  const variables = policy.version === '2012-10-17';
  const statements = policy.statements.map((s) => compileStatement(s, variables));
  const usesExistingObjectTags = policy.statements.some((s) => s.conditions.some((c) => c.key.startsWith('s3:existingobjecttag/')));
  return {
    policy,
    usesExistingObjectTags,
    evaluate(req) {
      const lookup: ContextLookup = (k) => req.context.get(k);
      let allowed = false;
      for (const s of statements) {
        if (allowed && !s.deny) continue; // an Allow already found: only a Deny can change the answer
        if (!matches(s, req, lookup, variables)) continue;
        if (s.deny) return 'deny';
        allowed = true;
      }
      return allowed ? 'allow' : 'none';
    },
  };
}

function compileStatement(s: PolicyStatement, variables: boolean): CompiledStatement {
  return {
    deny: s.effect === 'Deny',
    principal: s.principal,
    actions: (s.action ?? s.notAction ?? []).map((a) => patternMatcher(a, true, false)),
    actionsNegated: s.action === undefined,
    resources: (s.resource ?? s.notResource ?? []).map((r) => patternMatcher(r, false, variables)),
    resourcesNegated: s.resource === undefined,
    conditions: s.conditions.map(compileCondition),
  };
}

function matches(s: CompiledStatement, req: PolicyRequest, lookup: ContextLookup, variables: boolean): boolean {
  if (!principalMatches(s.principal, req)) return false;
  if (s.actions.some((m) => m(req.action, lookup)) === s.actionsNegated) return false;
  if (s.resources.some((m) => m(req.resource, lookup)) === s.resourcesNegated) return false;
  return s.conditions.every((c) => c(lookup, variables));
}

function principalMatches(p: PolicyStatement['principal'], req: PolicyRequest): boolean {
  if (p.any) return true;
  if (req.principal.anonymous) return false;
  return req.principal.ids.some((id) => p.ids.includes(id));
}

/** A wildcard pattern; with policy variables (2012-10-17), substituted per request. */
function patternMatcher(pattern: string, ignoreCase: boolean, variables: boolean): Matcher {
  if (!variables || !hasVariables(pattern)) {
    const re = globToRegExp(pattern, ignoreCase);
    return (v) => re.test(v);
  }
  return (v, lookup) => {
    const escaped = substituteVariables(pattern, lookup, (ch) => `\u0000${ch}`);
    if (escaped === undefined) return false;
    const parts = escaped.split(/\u0000([*?$])/);
    const src = parts.map((p, i) => (i % 2 === 1 ? `\\${p}` : globToRegExp(p, ignoreCase).source.slice(1, -1))).join('');
    return new RegExp(`^${src}$`, ignoreCase ? 'iu' : 'u').test(v);
  };
}
