/**
 * Condition keys a bucket policy may name (AWS's global keys and S3's service keys). A key outside these is
 * "Policy has an invalid condition key", as in AWS. Keys the gateway cannot know (VPC endpoints, AWS
 * Organizations, KMS) are valid but never present in a request here, so conditions on them behave as on
 * any absent key.
 */
const GLOBAL_KEYS = [
  'aws:CurrentTime', 'aws:EpochTime', 'aws:SecureTransport', 'aws:SourceIp', 'aws:UserAgent', 'aws:Referer',
  'aws:username', 'aws:userid', 'aws:PrincipalType', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths', 'aws:PrincipalIsAWSService', 'aws:PrincipalServiceName', 'aws:SourceArn', 'aws:SourceAccount',
  'aws:SourceOwner', 'aws:SourceVpc', 'aws:SourceVpce', 'aws:VpcSourceIp', 'aws:SourceOrgID', 'aws:SourceOrgPaths',
  'aws:MultiFactorAuthPresent', 'aws:MultiFactorAuthAge', 'aws:TokenIssueTime', 'aws:RequestedRegion', 'aws:ViaAWSService',
  'aws:CalledVia', 'aws:CalledViaFirst', 'aws:CalledViaLast', 'aws:TagKeys', 'aws:ResourceAccount', 'aws:ResourceOrgID',
  'aws:ResourceOrgPaths', 'aws:FederatedProvider', 'aws:SourceIdentity', 'aws:Ec2InstanceSourceVpc',
  'aws:Ec2InstanceSourcePrivateIPv4', 'aws:IsMcpServiceAction',
];

const S3_KEYS = [
  's3:prefix', 's3:delimiter', 's3:max-keys', 's3:VersionId', 's3:x-amz-acl', 's3:x-amz-content-sha256',
  's3:x-amz-copy-source', 's3:x-amz-grant-full-control', 's3:x-amz-grant-read', 's3:x-amz-grant-read-acp',
  's3:x-amz-grant-write', 's3:x-amz-grant-write-acp', 's3:x-amz-metadata-directive', 's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-aws-kms-key-id', 's3:x-amz-server-side-encryption-customer-algorithm',
  's3:x-amz-storage-class', 's3:x-amz-website-redirect-location', 's3:x-amz-object-ownership', 's3:authType',
  's3:signatureAge', 's3:signatureversion', 's3:TlsVersion', 's3:LocationConstraint', 's3:RequestObjectTagKeys',
  's3:ExistingJobPriority', 's3:ExistingJobOperation', 's3:object-lock-mode', 's3:object-lock-retain-until-date',
  's3:object-lock-remaining-retention-days', 's3:object-lock-legal-hold', 's3:ResourceAccount', 's3:AccessPointNetworkOrigin',
  's3:DataAccessPointAccount', 's3:DataAccessPointArn', 's3:if-match', 's3:if-none-match',
];

/** Keys that carry a name after `/` (a tag key): the part before is matched case-insensitively. */
const TAGGED_PREFIXES = ['s3:ExistingObjectTag', 's3:RequestObjectTag', 'aws:RequestTag', 'aws:ResourceTag', 'aws:PrincipalTag'];

const KNOWN = new Set([...GLOBAL_KEYS, ...S3_KEYS].map((k) => k.toLowerCase()));
const TAGGED = new Set(TAGGED_PREFIXES.map((k) => k.toLowerCase()));

/**
 * A condition key in the form requests and policies are compared in: lower case, except the tag key after
 * `/` in `s3:ExistingObjectTag/<key>` and its kin. Undefined when the key is not one AWS knows.
 */
export function normaliseConditionKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash >= 0) {
    const prefix = key.slice(0, slash).toLowerCase();
    const tag = key.slice(slash + 1);
    return TAGGED.has(prefix) && tag.length > 0 ? `${prefix}/${tag}` : undefined;
  }
  const k = key.toLowerCase();
  return KNOWN.has(k) ? k : undefined;
}

/** Condition keys whose fixed value makes a statement non-public (AWS's definition of a public policy). */
export const FIXED_VALUE_KEYS: ReadonlySet<string> = new Set(
  [
    'aws:SourceArn', 'aws:SourceVpc', 'aws:SourceVpce', 'aws:SourceOwner', 'aws:SourceAccount',
    's3:x-amz-server-side-encryption-aws-kms-key-id', 'aws:userid', 'aws:PrincipalAccount', 'aws:PrincipalArn',
    'aws:PrincipalOrgID', 's3:DataAccessPointArn', 's3:DataAccessPointAccount',
  ].map((k) => k.toLowerCase()),
);
