import type { CallCtx } from '@massive/contracts';
import { iamRequestOf, s3Arn, type Endpoint, type IamRequest, type PolicyDecision, type PolicyPrincipal } from '@massive/s3-protocol';
import type { S3ApiDeps } from '../types';
import type { BucketPolicyState } from './bucket-policy-cache';
import { requestContext, type PolicySubject, type RequestFacts } from './policy-context';

/**
 * The bucket policy's say on one request: 'deny' (an explicit Deny matched: AccessDenied for everyone,
 * the bucket owner included), 'allow' (an Allow matched and nothing denied) or 'none' (the policy is
 * silent, or there is none: ACLs, ownership and grants decide). AWS's two special rules apply here:
 * - the bucket owner (the account's root) can always Get/Put/DeleteBucketPolicy, whatever the policy says
 *   (lockout protection);
 * - with Block Public Access' RestrictPublicBuckets and a public policy, the policy grants nothing to
 *   anyone but the bucket owner (anonymous requests and other keys).
 */
const LOCKOUT_EXEMPT: ReadonlySet<string> = new Set(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']);

/** Endpoints where a policy may test the existing object's tags (`s3:ExistingObjectTag/<key>`). */
const EXISTING_TAG_ENDPOINTS: ReadonlySet<string> = new Set([
  'GetObject', 'HeadObject', 'GetObjectTagging', 'PutObjectTagging', 'DeleteObjectTagging', 'GetObjectAcl', 'PutObjectAcl',
  'GetObjectAttributes',
]);

export function policyPrincipal(p: PolicySubject): PolicyPrincipal {
  return p.kind === 'signed' ? { anonymous: false, ids: [p.owner.id] } : { anonymous: true };
}

export interface PolicyInput {
  readonly principal: PolicySubject;
  readonly ep: Endpoint;
  readonly facts: RequestFacts;
  readonly state: BucketPolicyState;
}

/** The decision for `iam` (default: the endpoint's own action and resource); async only to read object tags. */
export function decideBucketPolicy(
  input: PolicyInput,
  deps: S3ApiDeps,
  ctx: CallCtx,
  iam?: IamRequest,
  more?: ReadonlyMap<string, string[]>,
): PolicyDecision | Promise<PolicyDecision> {
  const { state, ep, principal, facts } = input;
  const req = iam ?? iamRequestOf(ep, facts.query.get('versionId'));
  if (!state.policy || !req) return 'none';
  const context = requestContext(principal, ep, facts);
  if (more) for (const [k, v] of more) context.set(k, v);
  if (state.policy.usesExistingObjectTags && EXISTING_TAG_ENDPOINTS.has(ep.name) && 'key' in ep && ep.key !== undefined) {
    return existingTags(ep.bucket, ep.key, facts.query.get('versionId') ?? undefined, deps, ctx).then((tags) => {
      for (const t of tags) context.set(`s3:existingobjecttag/${t.key}`, [t.value]);
      return finish(input, req, context);
    });
  }
  return finish(input, req, context);
}

/**
 * The per-key decision of DeleteObjects (`s3:DeleteObject` / `s3:DeleteObjectVersion` on each key) or of a
 * PostObject form (`s3:PutObject` on its key, `action` given).
 */
export function decideForKey(input: PolicyInput, key: string, versionId: string | undefined, action?: string): PolicyDecision {
  if (!input.state.policy) return 'none';
  action ??= versionId !== undefined ? 's3:DeleteObjectVersion' : 's3:DeleteObject';
  const bucket = 'bucket' in input.ep ? input.ep.bucket : '';
  const context = requestContext(input.principal, input.ep, input.facts);
  if (versionId !== undefined) context.set('s3:versionid', [versionId]);
  return finish(input, { action, resource: s3Arn(bucket, key) }, context);
}

function finish(input: PolicyInput, req: IamRequest, context: Map<string, string[]>): PolicyDecision {
  const { state, principal } = input;
  const who = policyPrincipal(principal);
  const decision = state.policy!.evaluate({ principal: who, action: req.action, resource: req.resource, context });
  const isOwner = principal.kind === 'signed' && principal.owner.id === state.owner.id;
  if (decision === 'deny' && isOwner && LOCKOUT_EXEMPT.has(req.action)) return 'none';
  if (decision === 'allow' && state.restrictPublicBuckets && state.isPublic && !isOwner) return 'none';
  return decision;
}

async function existingTags(bucket: string, key: string, versionId: string | undefined, deps: S3ApiDeps, ctx: CallCtx) {
  try {
    const v = await deps.metadata.getObject({ bucket, key, ...(versionId !== undefined && { versionId }), withoutData: true }, ctx);
    return v.headers.tags ?? [];
  } catch {
    // No such object (or version): no tags; the handler answers the miss itself.
    return [];
  }
}
