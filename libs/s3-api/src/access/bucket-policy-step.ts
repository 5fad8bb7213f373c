import type { CallCtx, Owner } from '@massive/contracts';
import { iamRequestOf, s3Arn, type Endpoint, type PolicyDecision } from '@massive/s3-protocol';
import { parseCopySource } from '../http/copy-source';
import type { Principal } from '../http/auth';
import type { S3ApiDeps } from '../types';
import { isNoSuchBucket, type BucketPolicyState } from './bucket-policy-cache';
import { decideBucketPolicy, decideForKey, type PolicyInput } from './bucket-policy-decision';
import { lockConditionKeys, type LockRequestValues, type RequestFacts } from './policy-context';

/** The bucket policy's part of one authorisation (see `authorize`). */
export interface PolicyStep {
  readonly decision: PolicyDecision;
  /** DeleteObjects: the decision for one key (version), known once the body is read. */
  readonly forKey?: (key: string, versionId: string | undefined) => PolicyDecision;
  /** PostObject: the decision for the form's signer and key, known once the form is read and verified. */
  /** A POST form's upload of `key` by `owner`, signed with SigV2 when `signatureVersion` is `AWS`. */
  readonly forPostKey?: (owner: Owner, key: string, signatureVersion?: 'AWS') => PolicyDecision;
  /**
   * PutObjectRetention / PutObjectLegalHold: the decision again once the body is read, with the Object
   * Lock condition keys it gives (`s3:object-lock-remaining-retention-days`, …): a Deny on them applies.
   */
  readonly forLockBody?: (values: LockRequestValues) => PolicyDecision | Promise<PolicyDecision>;
  /** DeleteObject(s), PutObjectRetention: the decision on s3:BypassGovernanceRetention for one key. */
  readonly forBypass?: (key: string) => PolicyDecision;
  /** Whether the policy lets this principal list the bucket (so a missing key may say NoSuchKey). */
  canList(): boolean;
}

/** The endpoints that may bypass GOVERNANCE retention (`x-amz-bypass-governance-retention`). */
const BYPASS_ENDPOINTS: ReadonlySet<string> = new Set(['DeleteObject', 'DeleteObjects', 'PutObjectRetention']);

/**
 * The bucket policy step of `authorize`, kept apart so per-key grants can sit beside it: undefined when no
 * policy can speak (no bucket, CreateBucket, or a bucket known to have no policy: answered synchronously
 * from the gateway's cache); otherwise the policy's decision. CopyObject / UploadPartCopy also need the
 * source bucket's policy to allow (not deny) reading the source: a Deny there is this request's Deny.
 * A bucket that does not exist has no policy (the handler answers NoSuchBucket).
 */
export function bucketPolicyStep(
  principal: Principal,
  ep: Endpoint,
  deps: S3ApiDeps,
  ctx: CallCtx,
  facts: RequestFacts,
): Promise<PolicyStep | undefined> | undefined {
  const cache = deps.bucketPolicies;
  if (!cache || !('bucket' in ep) || ep.name === 'CreateBucket' || ep.name === 'Unsupported') return undefined;
  const copy = ep.name === 'CopyObject' || ep.name === 'UploadPartCopy';
  const known = cache.peek(ep.bucket);
  if (known && !known.policy && !copy) return undefined;
  return (async () => {
    const state = known ?? (await stateOf(ep.bucket, deps, ctx));
    let decision: PolicyDecision = 'none';
    const input: PolicyInput | undefined = state ? { principal, ep, facts, state } : undefined;
    // DeleteObjects (and PostObject) are decided per key, never as a whole: AWS has no action for the request.
    const perKey = iamRequestOf(ep)?.perKey === true;
    if (input && !perKey) decision = await decideBucketPolicy(input, deps, ctx);
    if (copy && decision !== 'deny') decision = combine(decision, await copySourceDecision(principal, ep, deps, ctx, facts));
    if (!input?.state.policy && decision === 'none') return undefined;
    const listing = { action: 's3:ListBucket', resource: s3Arn(ep.bucket) };
    return {
      decision,
      ...(ep.name === 'DeleteObjects' && input && { forKey: (key: string, v: string | undefined) => decideForKey(input, key, v) }),
      ...(ep.name === 'PostObject' &&
        input && {
          forPostKey: (owner: Owner, key: string, signatureVersion?: 'AWS') =>
            decideForKey({ ...input, principal: { kind: 'signed', owner, sigv4: { kind: 'post', ...(signatureVersion && { signatureVersion }) } } }, key, undefined, 's3:PutObject'),
        }),
      ...((ep.name === 'PutObjectRetention' || ep.name === 'PutObjectLegalHold') &&
        input && { forLockBody: (values: LockRequestValues) => decideBucketPolicy(input, deps, ctx, undefined, lockConditionKeys(values, Date.now())) }),
      ...(BYPASS_ENDPOINTS.has(ep.name) && input && { forBypass: (key: string) => decideForKey(input, key, undefined, 's3:BypassGovernanceRetention') }),
      canList: () => {
        if (!input) return false;
        // Synchronous: listings never read object tags.
        const d = decideBucketPolicy({ ...input, ep: { name: 'ListObjectsV2', bucket: ep.bucket } }, deps, ctx, listing);
        return d === 'allow';
      },
    };
  })();
}

/** The source's bucket policy on s3:GetObject(Version): only its Deny counts against a copy here. */
async function copySourceDecision(principal: Principal, ep: Endpoint, deps: S3ApiDeps, ctx: CallCtx, facts: RequestFacts): Promise<PolicyDecision> {
  const raw = facts.req.headers['x-amz-copy-source'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (header === undefined) return 'none';
  let src;
  try {
    src = parseCopySource(header, deps.config.maxKeyBytes);
  } catch {
    return 'none'; // the handler answers the malformed header
  }
  const state = deps.bucketPolicies!.peek(src.bucket) ?? (await stateOf(src.bucket, deps, ctx));
  if (!state?.policy) return 'none';
  const srcEp: Endpoint = { name: 'GetObject', bucket: src.bucket, key: src.key };
  const iam = { action: src.versionId !== undefined ? 's3:GetObjectVersion' : 's3:GetObject', resource: s3Arn(src.bucket, src.key) };
  const d = await decideBucketPolicy({ principal, ep: srcEp, facts, state }, deps, ctx, iam);
  return d === 'deny' ? 'deny' : 'none';
}

function combine(a: PolicyDecision, b: PolicyDecision): PolicyDecision {
  return a === 'deny' || b === 'deny' ? 'deny' : a;
}

async function stateOf(bucket: string, deps: S3ApiDeps, ctx: CallCtx): Promise<BucketPolicyState | undefined> {
  try {
    return await deps.bucketPolicies!.get(bucket, ctx);
  } catch (e) {
    if (isNoSuchBucket(e)) return undefined;
    throw e;
  }
}
