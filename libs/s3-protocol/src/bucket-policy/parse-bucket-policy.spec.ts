import { isS3Error } from '../errors';
import { MAX_BUCKET_POLICY_BYTES, parseBucketPolicy } from './parse-bucket-policy';

const OWNER = 'a'.repeat(64);
const stmt = (s: Record<string, unknown>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...s }] });

function reason(text: string): string {
  try {
    parseBucketPolicy(text, 'b');
  } catch (e) {
    if (isS3Error(e, 'MalformedPolicy')) return e.message;
    throw e;
  }
  return 'ok';
}

describe('parseBucketPolicy: MalformedPolicy with the reason', () => {
  it.each<[string, string, string]>([
    ['not JSON at all', 'hello', "Policies must be valid JSON and the first byte must be '{'"],
    ['broken JSON', '{"Version": ', 'This policy contains invalid Json'],
    ['bad version', JSON.stringify({ Version: '2020-01-01', Statement: [] }), 'The policy must contain a valid version string'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
    ['empty Statement', JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'Missing required field Statement'],
    ['unknown top-level field', JSON.stringify({ Version: '2012-10-17', Statement: [], Foo: 1 }), 'Unknown field Foo'],
    ['effect in lower case', stmt({ Effect: 'allow' }), 'Invalid effect: allow'],
    ['no Principal', stmt({ Principal: undefined }), 'Missing required field Principal'],
    ['NotPrincipal', stmt({ Principal: undefined, NotPrincipal: { AWS: OWNER } }), expect.stringContaining('NotPrincipal is not supported') as unknown as string],
    ['an IAM ARN no key has', stmt({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } }), 'Invalid principal in policy'],
    ['a Service principal', stmt({ Principal: { Service: 'cloudfront.amazonaws.com' } }), 'Invalid principal in policy'],
    ['an empty principal list', stmt({ Principal: { AWS: [] } }), 'Invalid principal in policy'],
    ['an unknown action', stmt({ Action: 's3:GetObjekt' }), 'Policy has invalid action'],
    ['another service', stmt({ Action: 'iam:CreateUser' }), 'Policy has invalid action'],
    ['a wildcard matching nothing', stmt({ Action: 's3:Frobnicate*' }), 'Policy has invalid action'],
    ['another bucket', stmt({ Resource: 'arn:aws:s3:::other/*' }), 'Policy has invalid resource'],
    ['not an S3 ARN', stmt({ Resource: 'arn:aws:sqs:::b' }), 'Policy has invalid resource'],
    ['object action on the bucket', stmt({ Resource: 'arn:aws:s3:::b' }), 'Action does not apply to any resource(s) in statement'],
    ['bucket action on objects', stmt({ Action: 's3:ListBucket' }), 'Action does not apply to any resource(s) in statement'],
    ['account action', stmt({ Action: 's3:ListAllMyBuckets' }), 'Action does not apply to any resource(s) in statement'],
    ['Action and NotAction', stmt({ NotAction: 's3:PutObject' }), 'A statement cannot have both Action and NotAction'],
    ['no Resource', stmt({ Resource: undefined }), 'Missing required field Resource'],
    ['unknown operator', stmt({ Condition: { StringEqualz: { 's3:prefix': 'a' } } }), 'Policy has an invalid condition operator: StringEqualz'],
    ['unknown key', stmt({ Condition: { StringEquals: { 's3:frob': 'a' } } }), 'Policy has an invalid condition key'],
    ['bad CIDR', stmt({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }), 'Invalid Condition value for IpAddress: 10.0.0.0/33'],
    ['bad number', stmt({ Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }), 'Invalid Condition value for NumericLessThan: ten'],
    ['bad date', stmt({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), 'Invalid Condition value for DateLessThan: tomorrow'],
    ['Null with IfExists', stmt({ Condition: { NullIfExists: { 'aws:Referer': 'true' } } }), 'Policy has an invalid condition operator: NullIfExists'],
    ['duplicate Sid', JSON.stringify({ Statement: [JSON.parse(stmt({ Sid: 'x' })).Statement[0], JSON.parse(stmt({ Sid: 'x' })).Statement[0]] }), 'Statement IDs (SID) in a single policy must be unique'],
    ['an unknown policy variable', stmt({ Resource: 'arn:aws:s3:::b/${aws:frob}/*' }), 'Policy has invalid resource'],
  ])('%s', (_name, text, message) => {
    expect(reason(text)).toEqual(message);
  });

  it('accepts what AWS accepts and normalises it', () => {
    const p = parseBucketPolicy(
      JSON.stringify({
        Id: 'p1',
        Statement: {
          Sid: 'public',
          Effect: 'Allow',
          Principal: { AWS: ['*', OWNER], CanonicalUser: OWNER },
          Action: ['s3:Get*', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
          Condition: { 'ForAnyValue:StringLikeIfExists': { 's3:ExistingObjectTag/Team': ['a*', 42, true] }, Bool: { 'aws:SecureTransport': false } },
        },
      }),
      'b',
    );
    expect(p).toEqual({
      version: '2008-10-17',
      id: 'p1',
      statements: [
        {
          sid: 'public',
          effect: 'Allow',
          principal: { any: true, ids: [OWNER] },
          action: ['s3:Get*', 's3:ListBucket'],
          resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
          conditions: [
            { operator: 'ForAnyValue:StringLikeIfExists', key: 's3:existingobjecttag/Team', values: ['a*', '42', 'true'] },
            { operator: 'Bool', key: 'aws:securetransport', values: ['false'] },
          ],
        },
      ],
    });
  });

  it.each(['*', 'arn:aws:s3:::b*', 'arn:aws:s3:::b/photos/*', 'arn:aws:s3:::?/x', 'arn:aws:s3:::*/x'])('resource %s names this bucket', (r) => {
    expect(reason(stmt({ Action: 's3:*', Resource: r }))).toBe('ok');
  });

  it('a principal resolver can admit other identifiers (named keys)', () => {
    const p = parseBucketPolicy(stmt({ Principal: { AWS: 'arn:aws:iam::massive:user/app1' } }), 'b', {
      principal: (_t, v) => (v === 'arn:aws:iam::massive:user/app1' ? 'id-app1' : undefined),
    });
    expect(p.statements[0].principal).toEqual({ any: false, ids: ['id-app1'] });
  });

  it('exports the AWS size limit', () => {
    expect(MAX_BUCKET_POLICY_BYTES).toBe(20480);
  });
});
