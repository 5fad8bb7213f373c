/**
 * The normalised form of a bucket policy (IAM's JSON policy language, S3's subset): every list is an
 * array, every name in its canonical spelling. `parseBucketPolicy` produces it from the client's JSON
 * (validating as AWS does); it is what the gateway stores next to the client's text and what
 * `compileBucketPolicy` turns into matchers.
 */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export interface BucketPolicyCondition {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The condition key in lower case (a tag key after `/` keeps its case). */
  readonly key: string;
  /** The policy's values, as strings (`true`, `42` and `"42"` alike, as IAM reads them). */
  readonly values: readonly string[];
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** `*`: everyone, anonymous requests included. Otherwise the canonical user ids named. */
  readonly principal: { readonly any: boolean; readonly ids: readonly string[] };
  /** Exactly one of action / notAction, as written (`s3:Get*`, `*`). */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Exactly one of resource / notResource (`arn:aws:s3:::bucket/*`, `*`). */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly BucketPolicyCondition[];
}

export interface BucketPolicy {
  readonly version: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

/** Who asks: an anonymous request, or a signed one with the identifiers a Principal may name. */
export type PolicyPrincipal =
  | { readonly anonymous: true }
  | {
      readonly anonymous: false;
      /** The key's canonical user id first; further identifiers (a key's ARN) may follow. */
      readonly ids: readonly string[];
    };

/** The request as a policy sees it. */
export interface PolicyRequest {
  readonly principal: PolicyPrincipal;
  /** IAM action, e.g. `s3:GetObject`. */
  readonly action: string;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  readonly resource: string;
  /** Condition keys in lower case (see BucketPolicyCondition.key) → the request's values; absent keys are not set. */
  readonly context: ReadonlyMap<string, readonly string[]>;
}

export type PolicyDecision = 'allow' | 'deny' | 'none';
