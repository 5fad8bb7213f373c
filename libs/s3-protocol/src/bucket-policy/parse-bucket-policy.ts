import { S3Error } from '../errors';
import { normaliseConditionKey } from './condition-keys';
import { invalidValue, parseOperator } from './conditions';
import type { BucketPolicy, BucketPolicyCondition, PolicyStatement, PolicyVersion } from './policy-types';
import { S3_ACTIONS, type ActionResourceType } from './s3-actions';
import { globToRegExp, hasVariables, variablesIn } from './wildcard';

/** AWS's limit on a bucket policy (its normalised JSON). */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

export interface ParsePolicyOptions {
  /**
   * Maps a Principal value (`{"AWS": v}` or `{"CanonicalUser": v}`, `*` aside) to the identifier a request's
   * principal carries, or undefined when no such principal exists ("Invalid principal in policy", as AWS
   * answers for an unknown ARN). Default: 64-hex canonical user ids (what ListBuckets' Owner shows).
   */
  readonly principal?: (type: 'AWS' | 'CanonicalUser', value: string) => string | undefined;
}

const CANONICAL_ID = /^[0-9a-f]{64}$/;
const defaultPrincipal = (_t: string, v: string): string | undefined => (CANONICAL_ID.test(v) ? v : undefined);
const S3_ARN = 'arn:aws:s3:::';
const ACTION_NAMES = [...S3_ACTIONS.keys()];

const malformed = (message: string): S3Error => new S3Error('MalformedPolicy', message);

/**
 * Parses and validates a bucket policy for `bucket` as S3's PutBucketPolicy does, answering MalformedPolicy
 * with AWS's reason. Returns the normalised policy (what evaluation compiles). Pure.
 */
export function parseBucketPolicy(text: string, bucket: string, opts: ParsePolicyOptions = {}): BucketPolicy {
  if (!text.trimStart().startsWith('{')) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  const top = record(doc, 'Policy');
  allowOnly(top, ['Version', 'Id', 'Statement']);
  const version = top['Version'] ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw malformed('The policy must contain a valid version string');
  const id = top['Id'];
  if (id !== undefined && typeof id !== 'string') throw malformed('Policy Id must be a string');
  const raw = top['Statement'];
  if (raw === undefined) throw malformed('Missing required field Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed('Missing required field Statement');
  const statements = list.map((s) => parseStatement(s, bucket, version, opts));
  const sids = statements.flatMap((s) => (s.sid !== undefined && s.sid !== '' ? [s.sid] : []));
  if (new Set(sids).size !== sids.length) throw malformed('Statement IDs (SID) in a single policy must be unique');
  return { version, ...(id !== undefined && { id }), statements };
}

function parseStatement(raw: unknown, bucket: string, version: PolicyVersion, opts: ParsePolicyOptions): PolicyStatement {
  const s = record(raw, 'Statement');
  allowOnly(s, ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
  const sid = s['Sid'];
  if (sid !== undefined && typeof sid !== 'string') throw malformed('Statement Sid must be a string');
  const effect = s['Effect'];
  if (effect === undefined) throw malformed('Missing required field Effect');
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`Invalid effect: ${String(effect)}`);
  if (s['NotPrincipal'] !== undefined) throw malformed('NotPrincipal is not supported: name the principals with Principal (and use a Deny statement to exclude)');
  if (s['Principal'] === undefined) throw malformed('Missing required field Principal');
  const principal = parsePrincipal(s['Principal'], opts);
  const action = optionalStrings(s, 'Action');
  const notAction = optionalStrings(s, 'NotAction');
  if ((action === undefined) === (notAction === undefined)) {
    throw malformed(action ? 'A statement cannot have both Action and NotAction' : 'Missing required field Action');
  }
  const resource = optionalStrings(s, 'Resource');
  const notResource = optionalStrings(s, 'NotResource');
  if ((resource === undefined) === (notResource === undefined)) {
    throw malformed(resource ? 'A statement cannot have both Resource and NotResource' : 'Missing required field Resource');
  }
  const actionTypes = (action ?? notAction)!.map((a) => actionTypesOf(a));
  const resourceTypes = (resource ?? notResource)!.map((r) => resourceTypesOf(r, bucket, version));
  if (action && resource) {
    const offered = new Set(resourceTypes.flat());
    for (const types of actionTypes) {
      if (!types.some((t) => offered.has(t))) throw malformed('Action does not apply to any resource(s) in statement');
    }
  }
  const conditions = s['Condition'] === undefined ? [] : parseConditions(s['Condition']);
  return {
    ...(sid !== undefined && { sid }),
    effect,
    principal,
    ...(action && { action }),
    ...(notAction && { notAction }),
    ...(resource && { resource }),
    ...(notResource && { notResource }),
    conditions,
  };
}

function parsePrincipal(raw: unknown, opts: ParsePolicyOptions): PolicyStatement['principal'] {
  const invalid = (): S3Error => malformed('Invalid principal in policy');
  if (raw === '*') return { any: true, ids: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid();
  const entries = Object.entries(raw);
  if (entries.length === 0) throw invalid();
  const resolve = opts.principal ?? defaultPrincipal;
  let any = false;
  const ids: string[] = [];
  for (const [type, value] of entries) {
    if (type !== 'AWS' && type !== 'CanonicalUser') throw invalid();
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw invalid();
    for (const v of values) {
      if (typeof v !== 'string') throw invalid();
      if (v === '*' && type === 'AWS') {
        any = true;
        continue;
      }
      const id = resolve(type, v);
      if (id === undefined) throw invalid();
      if (!ids.includes(id)) ids.push(id);
    }
  }
  return { any, ids };
}

/** The resource types the actions a pattern names apply to ("Policy has invalid action" when none). */
function actionTypesOf(pattern: string): ActionResourceType[] {
  if (pattern === '*') return ['object', 'bucket', 'account'];
  const colon = pattern.indexOf(':');
  if (colon < 0 || pattern.slice(0, colon).toLowerCase() !== 's3') throw malformed('Policy has invalid action');
  const re = globToRegExp(`s3:${pattern.slice(colon + 1)}`, true);
  const types = new Set<ActionResourceType>();
  for (const name of ACTION_NAMES) if (re.test(name)) types.add(S3_ACTIONS.get(name)!);
  if (types.size === 0) throw malformed('Policy has invalid action');
  return [...types];
}

/** What a Resource pattern can name in this bucket: the bucket, its objects, or both. */
function resourceTypesOf(pattern: string, bucket: string, version: PolicyVersion): ActionResourceType[] {
  const invalid = (): S3Error => malformed('Policy has invalid resource');
  if (pattern === '*') return ['bucket', 'object'];
  if (!pattern.startsWith(S3_ARN)) throw invalid();
  if (version === '2012-10-17' && hasVariables(pattern)) {
    for (const v of variablesIn(pattern)) if (normaliseConditionKey(v) === undefined) throw invalid();
  }
  const rest = pattern.slice(S3_ARN.length);
  const slash = rest.indexOf('/');
  const bucketPart = slash < 0 ? rest : rest.slice(0, slash);
  if (bucketPart === '') throw invalid();
  const types: ActionResourceType[] = [];
  if (slash < 0) {
    if (globToRegExp(rest).test(bucket)) types.push('bucket');
    const star = rest.indexOf('*');
    if (star >= 0 && `${bucket}/`.startsWith(rest.slice(0, star).replace(/\?/g, ''))) types.push('object');
  } else if (globToRegExp(bucketPart).test(bucket) || (bucketPart.includes('*') && globToRegExp(bucketPart + '*').test(bucket))) {
    types.push('object');
  }
  if (types.length === 0) throw invalid();
  return types;
}

function parseConditions(raw: unknown): BucketPolicyCondition[] {
  const block = record(raw, 'Condition');
  const out: BucketPolicyCondition[] = [];
  for (const [operator, clauses] of Object.entries(block)) {
    const op = parseOperator(operator);
    if (!op) throw malformed(`Policy has an invalid condition operator: ${operator}`);
    const keyed = record(clauses, `Condition ${operator}`);
    for (const [rawKey, rawValues] of Object.entries(keyed)) {
      const key = normaliseConditionKey(rawKey);
      if (key === undefined) throw malformed('Policy has an invalid condition key');
      const list = Array.isArray(rawValues) ? rawValues : [rawValues];
      if (list.length === 0) throw malformed(`Condition ${operator} on ${rawKey} has no value`);
      const values = list.map((v) => {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw malformed(`Invalid Condition value for ${operator}: ${JSON.stringify(v)}`);
        return String(v);
      });
      for (const v of values) {
        const why = invalidValue(op, v);
        if (why) throw malformed(why);
      }
      out.push({ operator, key, values });
    }
  }
  return out;
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

function allowOnly(o: Record<string, unknown>, fields: readonly string[]): void {
  for (const k of Object.keys(o)) if (!fields.includes(k)) throw malformed(`Unknown field ${k}`);
}

function optionalStrings(s: Record<string, unknown>, field: string): string[] | undefined {
  const v = s[field];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x): x is string => typeof x === 'string' && x !== '')) {
    throw malformed(field.endsWith('Action') ? 'Policy has invalid action' : 'Policy has invalid resource');
  }
  return list;
}
