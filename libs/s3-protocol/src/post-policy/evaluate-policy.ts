import { S3Error } from '../errors';
import type { PostFields } from './post-fields';
import type { PostPolicy } from './post-policy';

/**
 * Fields a policy need not mention (AWS: the signature, the file, the policy itself, `x-ignore-*`; in a
 * SigV2 form the signature is `signature` and the key id `AWSAccessKeyId`).
 */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy', 'signature', 'awsaccesskeyid']);

export interface PolicyFacts {
  /** The bucket the form was posted to (what `{"bucket": ...}` is compared with). */
  readonly bucket: string;
  /** The form fields before the file, with `key` already `${filename}`-substituted. */
  readonly fields: PostFields;
  readonly now: Date;
}

export interface LengthRange {
  readonly min: number;
  readonly max: number;
}

function denied(detail: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${detail}`);
}

/**
 * Checks a form against its (signed) policy as S3 does: not expired, every condition holds, and every
 * field (and the bucket posted to) is covered by a condition. Returns the allowed size of the file when the policy limits it
 * (`content-length-range`; several ranges intersect). Failures are AccessDenied "Invalid according to
 * Policy: ...", quoting the failed condition or the extra field.
 */
export function evaluatePostPolicy(policy: PostPolicy, facts: PolicyFacts): LengthRange | undefined {
  if (facts.now.getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  const covered = new Set<string>();
  let range: LengthRange | undefined;
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') {
      range = range ? { min: Math.max(range.min, c.min), max: Math.min(range.max, c.max) } : { min: c.min, max: c.max };
      continue;
    }
    covered.add(c.field);
    const actual = c.field === 'bucket' ? facts.bucket : facts.fields.get(c.field);
    if (actual === undefined || !holds(c.op, c.field, actual, c.value)) throw denied(`Policy Condition failed: ${c.text}`);
  }
  // The bucket is an input even without a form field: a policy must name it ("Extra input fields: bucket").
  const inputs = facts.fields.has('bucket') ? facts.fields.names() : ['bucket', ...facts.fields.names()];
  for (const name of inputs) {
    if (EXEMPT.has(name) || name.startsWith('x-ignore-') || covered.has(name)) continue;
    throw denied(`Extra input fields: ${name}`);
  }
  return range;
}

function holds(op: 'eq' | 'starts-with', field: string, actual: string, expected: string): boolean {
  if (op === 'eq') return actual === expected;
  // Content-Type may list several types (comma-separated); each must start with the prefix.
  if (field === 'content-type') return actual.split(',').every((t) => t.trim().startsWith(expected));
  return actual.startsWith(expected);
}
