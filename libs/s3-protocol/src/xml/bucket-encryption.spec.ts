import { GetBucketEncryptionCommand, PutBucketEncryptionCommand, type ServerSideEncryptionRule } from '@aws-sdk/client-s3';
import { buildBucketEncryption, parseBucketEncryption } from './bucket-encryption';
import { stubS3Client } from './testing/sdk-stub';
import { parseBack } from './testing/xml-assert';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const doc = (rules: string) => `<ServerSideEncryptionConfiguration xmlns="${NS}">${rules}</ServerSideEncryptionConfiguration>`;
const rule = (byDefault: string, rest = '') => `<Rule><ApplyServerSideEncryptionByDefault>${byDefault}</ApplyServerSideEncryptionByDefault>${rest}</Rule>`;
const AES = '<SSEAlgorithm>AES256</SSEAlgorithm>';

function outcome(body: string): { code?: string; message?: string; extra?: Record<string, string> } {
  try {
    parseBucketEncryption(body);
    return {};
  } catch (e) {
    const err = e as { code: string; message: string; extra: Record<string, string> };
    return { code: err.code, message: err.message, extra: err.extra };
  }
}

describe('parseBucketEncryption', () => {
  it('reads the AWS documentation example (SSE-S3)', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n${doc(`\n  ${rule(`\n      ${AES}\n    `)}\n`)}`;
    expect(parseBucketEncryption(body)).toEqual({ SSEAlgorithm: 'AES256' });
  });

  it.each([
    ['true', true],
    ['false', false],
    [' 1 ', true],
    ['0', false],
  ])('keeps BucketKeyEnabled %j as given', (raw, value) => {
    expect(parseBucketEncryption(doc(rule(AES, `<BucketKeyEnabled>${raw}</BucketKeyEnabled>`)))).toEqual({ SSEAlgorithm: 'AES256', BucketKeyEnabled: value });
  });

  it('takes the rule elements in any order, and no namespace', () => {
    expect(parseBucketEncryption(`<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>true</BucketKeyEnabled><ApplyServerSideEncryptionByDefault> ${AES} </ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`)).toEqual({
      SSEAlgorithm: 'AES256',
      BucketKeyEnabled: true,
    });
  });

  // AWS's answers as LocalStack's AWS-validated snapshots recorded them (test_s3_default_bucket_encryption_exc).
  it.each([
    ['no rule', doc('')],
    ['two rules', doc(rule(AES) + rule(AES))],
    ['a rule without ApplyServerSideEncryptionByDefault', doc('<Rule><BucketKeyEnabled>true</BucketKeyEnabled></Rule>')],
    ['no SSEAlgorithm', doc(rule(''))],
    ['an unknown SSEAlgorithm', doc(rule('<SSEAlgorithm>AES128</SSEAlgorithm>'))],
    ['a lower-case SSEAlgorithm', doc(rule('<SSEAlgorithm>aes256</SSEAlgorithm>'))],
    ['two SSEAlgorithms', doc(rule(AES + AES))],
    ['an unknown element in the default', doc(rule(AES + '<KMSKeyID>k</KMSKeyID>'))],
    ['an unknown element in the rule', doc(rule(AES, '<Status>Enabled</Status>'))],
    ['two BucketKeyEnabled', doc(rule(AES, '<BucketKeyEnabled>true</BucketKeyEnabled><BucketKeyEnabled>true</BucketKeyEnabled>'))],
    ['a BucketKeyEnabled that is no boolean', doc(rule(AES, '<BucketKeyEnabled>yes</BucketKeyEnabled>'))],
    ['something else than a Rule', doc('<Rules>' + rule(AES) + '</Rules>')],
    ['text in the root', doc(rule(AES) + 'x')],
    ['an unknown EncryptionType', doc(rule(AES, '<BlockedEncryptionTypes><EncryptionType>SSE-KMS</EncryptionType></BlockedEncryptionTypes>'))],
    ['the wrong root', `<EncryptionConfiguration>${rule(AES)}</EncryptionConfiguration>`],
    ['not XML', '{"Rules":[]}'],
  ])('refuses %s as MalformedXML', (_what, body) => {
    expect(outcome(body).code).toBe('MalformedXML');
  });

  it('refuses a KMSMasterKeyID beside AES256 with InvalidArgument, in AWS words', () => {
    expect(outcome(doc(rule(AES + '<KMSMasterKeyID>randomkeyid</KMSMasterKeyID>')))).toEqual({
      code: 'InvalidArgument',
      message: 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      extra: { ArgumentName: 'ApplyServerSideEncryptionByDefault' },
    });
  });

  it('reads SSE-KMS: the algorithm, the key as sent (unchecked, as S3), the bucket key flag', () => {
    expect(parseBucketEncryption(doc(rule('<SSEAlgorithm>aws:kms</SSEAlgorithm>')))).toEqual({ SSEAlgorithm: 'aws:kms' });
    const arn = 'arn:aws:kms:us-east-1:111122223333:key/k';
    expect(parseBucketEncryption(doc(rule(`<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID> ${arn} </KMSMasterKeyID>`, '<BucketKeyEnabled>true</BucketKeyEnabled>')))).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: arn,
      BucketKeyEnabled: true,
    });
    expect(parseBucketEncryption(doc(rule('<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>no-such-key</KMSMasterKeyID>'))).KMSMasterKeyID).toBe('no-such-key');
  });

  it('refuses aws:kms:dsse (valid for S3) with NotImplemented: DSSE-KMS is not served', () => {
    expect(outcome(doc(rule('<SSEAlgorithm>aws:kms:dsse</SSEAlgorithm>', '<BucketKeyEnabled>true</BucketKeyEnabled>')))).toMatchObject({
      code: 'NotImplemented',
      message: 'DSSE-KMS is not supported by this service; use aws:kms or AES256',
    });
  });

  it('checks the document before the feature: a malformed SSE-KMS rule is MalformedXML, not NotImplemented', () => {
    expect(outcome(doc(rule('<SSEAlgorithm>aws:kms</SSEAlgorithm>', '<BucketKeyEnabled>maybe</BucketKeyEnabled>'))).code).toBe('MalformedXML');
    expect(outcome(doc(rule('<SSEAlgorithm>aws:kms</SSEAlgorithm>') + rule(AES))).code).toBe('MalformedXML');
  });

  it('refuses BlockedEncryptionTypes (which encryptions clients may choose) with NotImplemented', () => {
    expect(outcome(doc(rule(AES, '<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>'))).code).toBe('NotImplemented');
  });
});

describe('buildBucketEncryption', () => {
  it('is the one-rule document S3 answers, in its namespace', () => {
    expect(buildBucketEncryption({ SSEAlgorithm: 'AES256', BucketKeyEnabled: false })).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration xmlns="${NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>` +
        '</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>',
    );
    expect(parseBack(buildBucketEncryption({ SSEAlgorithm: 'AES256' })).ServerSideEncryptionConfiguration.Rule).toEqual({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
    });
  });

  it.each([
    { SSEAlgorithm: 'AES256' as const },
    { SSEAlgorithm: 'AES256' as const, BucketKeyEnabled: true },
    { SSEAlgorithm: 'AES256' as const, BucketKeyEnabled: false },
    { SSEAlgorithm: 'aws:kms' as const },
    { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'alias/app', BucketKeyEnabled: true },
  ])(
    'round-trips %j',
    (c) => expect(parseBucketEncryption(buildBucketEncryption(c))).toEqual(c),
  );
});

describe('@aws-sdk/client-s3 and our documents', () => {
  const client = (answer = '') => stubS3Client(200, answer);

  it.each<[string, ServerSideEncryptionRule, object]>([
    ['AES256', { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }, { SSEAlgorithm: 'AES256' }],
    ['AES256 with a bucket key', { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }, { SSEAlgorithm: 'AES256', BucketKeyEnabled: true }],
    ['aws:kms with a key', { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'app' }, BucketKeyEnabled: true }, { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'app', BucketKeyEnabled: true }],
  ])('the SDK sends a PutBucketEncryption body we read (%s)', async (_what, Rule, want) => {
    const { s3, sent } = client();
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'b', ServerSideEncryptionConfiguration: { Rules: [Rule] } }));
    expect(parseBucketEncryption(sent[0])).toEqual(want);
  });

  it('the SDK reads our GetBucketEncryption answer', async () => {
    const { s3 } = client(buildBucketEncryption({ SSEAlgorithm: 'AES256', BucketKeyEnabled: true }));
    const out = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'b' }));
    expect(out.ServerSideEncryptionConfiguration?.Rules).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }]);
  });
});
