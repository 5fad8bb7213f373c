import { FIXED_VALUE_KEYS } from './condition-keys';
import { parseOperator } from './conditions';
import { parseCidr } from './ip-match';
import type { BucketPolicy, BucketPolicyCondition, PolicyStatement } from './policy-types';
import { hasVariables, hasWildcard } from './wildcard';

/**
 * AWS's definition of a public bucket policy (Block Public Access, "The meaning of public"): some Allow
 * statement grants to everyone (`*`) without limiting the grant to fixed values — a set of CIDRs with
 * `aws:SourceIp`, or a fixed `aws:SourceArn`, `aws:SourceVpc(e)`, `aws:SourceOwner`, `aws:SourceAccount`,
 * `aws:userid`, ... Deny statements never make a policy public. A CIDR broader than /8 (IPv4) or /32
 * (IPv6) is not counted as a limit: it is most of the Internet.
 */
export function isPublicPolicy(policy: BucketPolicy): boolean {
  return policy.statements.some(isPublicStatement);
}

export function isPublicStatement(s: PolicyStatement): boolean {
  if (s.effect !== 'Allow' || !s.principal.any) return false;
  return !s.conditions.some(limitsToFixedValues);
}

function limitsToFixedValues(c: BucketPolicyCondition): boolean {
  const op = parseOperator(c.operator);
  if (!op || op.negated || op.ifExists || op.set === 'all') return false;
  if (c.key === 'aws:sourceip') {
    return op.kind === 'ip' && c.values.every((v) => {
      const cidr = parseCidr(v);
      return cidr !== undefined && cidr.prefix >= (cidr.bytes.length === 4 ? 8 : 32);
    });
  }
  if (!FIXED_VALUE_KEYS.has(c.key)) return false;
  if (op.kind !== 'string' && op.kind !== 'arn') return false;
  if (c.key === 'aws:userid' && c.values.some((v) => /^AROA[A-Z0-9]*:\*$/.test(v))) return false;
  return c.values.every((v) => !hasWildcard(v) && !hasVariables(v));
}
