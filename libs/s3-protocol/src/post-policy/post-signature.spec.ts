import { createHmac } from 'node:crypto';
import { S3Error } from '../errors';
import { SigningKeyCache } from '../sigv4/signing-key';
import { PostFields } from './post-fields';
import { postAuthFields, verifyPostSignature, verifyPostSignatureV2, type PostSignatureFields } from './post-signature';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const lookup = { lookup: (id: string) => (id === 'AKIAIOSFODNN7EXAMPLE' ? SECRET : undefined) };
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** An independent SigV4 POST signature: hex(HMAC(kSigning, base64 policy)). */
function sign(policy: string, date = '20151229', region = 'us-east-1'): string {
  const k = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date), region), 's3'), 'aws4_request');
  return hmac(k, policy).toString('hex');
}

const POLICY = Buffer.from(JSON.stringify({ expiration: '2015-12-30T12:00:00.000Z', conditions: [{ bucket: 'sigv4examplebucket' }] })).toString('base64');
const GOOD: PostSignatureFields = {
  policy: POLICY,
  algorithm: 'AWS4-HMAC-SHA256',
  credential: 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request',
  date: '20151229T000000Z',
  signature: sign(POLICY),
};

function code(f: Partial<PostSignatureFields>, region = 'us-east-1'): string {
  try {
    verifyPostSignature({ ...GOOD, ...f }, lookup, { region });
  } catch (e) {
    return (e as S3Error).code;
  }
  return 'ok';
}

describe('verifyPostSignature', () => {
  it('accepts the signature of the base64 policy under the scope key, with or without a key cache', () => {
    expect(verifyPostSignature(GOOD, lookup, { region: 'us-east-1' })).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      scope: { date: '20151229', region: 'us-east-1', service: 's3' },
    });
    expect(verifyPostSignature(GOOD, lookup, { region: 'us-east-1', keyCache: new SigningKeyCache() }).accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(code({ signature: GOOD.signature.toUpperCase() })).toBe('ok');
  });

  it('answers SignatureDoesNotMatch with the policy as StringToSign', () => {
    const other = Buffer.from('{"expiration":"2015-12-30T12:00:00.000Z","conditions":[]}').toString('base64');
    let err: S3Error | undefined;
    try {
      verifyPostSignature({ ...GOOD, policy: other }, lookup, { region: 'us-east-1' });
    } catch (e) {
      err = e as S3Error;
    }
    expect(err?.code).toBe('SignatureDoesNotMatch');
    expect(err?.extra).toMatchObject({ AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLE', StringToSign: other, SignatureProvided: GOOD.signature });
    expect(code({ signature: sign(POLICY, '20151228') })).toBe('SignatureDoesNotMatch');
    expect(code({ signature: 'abc' })).toBe('SignatureDoesNotMatch');
  });

  it.each<[string, Partial<PostSignatureFields>, string]>([
    ['an unknown key', { credential: 'AKIDUNKNOWN/20151229/us-east-1/s3/aws4_request' }, 'InvalidAccessKeyId'],
    ['another algorithm', { algorithm: 'AWS4-HMAC-SHA512' }, 'InvalidArgument'],
    ['a malformed credential', { credential: 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3' }, 'InvalidArgument'],
    ['a credential for another service', { credential: 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/iam/aws4_request' }, 'InvalidArgument'],
    ['a malformed date', { date: '2015-12-29T00:00:00Z' }, 'InvalidArgument'],
    ['a date of another day than the scope', { date: '20151230T000000Z' }, 'InvalidArgument'],
    ['another region', { credential: 'AKIAIOSFODNN7EXAMPLE/20151229/eu-west-1/s3/aws4_request' }, 'InvalidArgument'],
  ])('refuses %s', (_what, f, want) => {
    expect(code(f)).toBe(want);
  });
});

describe('postAuthFields', () => {
  const all: [string, string][] = [
    ['Policy', 'p'],
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', 'c'],
    ['X-Amz-Date', 'd'],
    ['X-Amz-Signature', 's'],
  ];

  it('reads the five V4 fields case-insensitively', () => {
    expect(postAuthFields(new PostFields(all))).toEqual({ kind: 'sigv4', policy: 'p', algorithm: 'AWS4-HMAC-SHA256', credential: 'c', date: 'd', signature: 's' });
  });

  it('is anonymous without any of them', () => {
    expect(postAuthFields(new PostFields([['key', 'k']]))).toEqual({ kind: 'anonymous' });
  });

  it.each(all.map(([name]) => name))('names %s when it alone is missing or empty', (name) => {
    for (const fields of [all.filter(([n]) => n !== name), all.map(([n, v]): [string, string] => [n, n === name ? '' : v])]) {
      expect(() => postAuthFields(new PostFields(fields))).toThrow(
        expect.objectContaining({
          code: 'InvalidArgument',
          message: `Bucket POST must contain a field named '${name.toLowerCase()}'.  If it is specified, please check the order of the fields.`,
        }),
      );
    }
  });

  it('reads a SigV2 form (AWSAccessKeyId, signature, policy), naming the first V2 field missing, and refuses one with V4 fields too', () => {
    expect(postAuthFields(new PostFields([['AWSAccessKeyId', 'a'], ['signature', 's'], ['policy', 'p']]))).toEqual({ kind: 'sigv2', accessKeyId: 'a', signature: 's', policy: 'p' });
    expect(() => postAuthFields(new PostFields([['AWSAccessKeyId', 'a'], ['signature', 's']]))).toThrow(expect.objectContaining({ code: 'InvalidArgument', extra: expect.objectContaining({ ArgumentName: 'policy' }) }));
    expect(() => postAuthFields(new PostFields([['signature', 's'], ['policy', 'p']]))).toThrow(expect.objectContaining({ code: 'InvalidArgument', extra: expect.objectContaining({ ArgumentName: 'awsaccesskeyid' }) }));
    expect(() => postAuthFields(new PostFields([['AWSAccessKeyId', 'a'], ['policy', 'p']]))).toThrow(expect.objectContaining({ code: 'InvalidArgument', extra: expect.objectContaining({ ArgumentName: 'signature' }) }));
    expect(() => postAuthFields(new PostFields([['AWSAccessKeyId', 'a'], ['signature', 's'], ['policy', 'p'], ['x-amz-signature', 'x']]))).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/Only one auth mechanism/) }),
    );
  });
});

describe('verifyPostSignatureV2', () => {
  const policy = Buffer.from(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions: [{ bucket: 'b' }] })).toString('base64');
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const lookup = { lookup: (id: string) => (id === 'AKIAIOSFODNN7EXAMPLE' ? secret : undefined) };
  const signature = createHmac('sha1', secret).update(policy).digest('base64');

  it('accepts Base64(HMAC-SHA1(secret, policy)) and nothing else', () => {
    expect(verifyPostSignatureV2({ policy, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', signature }, lookup)).toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    expect(() => verifyPostSignatureV2({ policy: policy.slice(1), accessKeyId: 'AKIAIOSFODNN7EXAMPLE', signature }, lookup)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
    expect(() => verifyPostSignatureV2({ policy, accessKeyId: 'AKIDOTHER', signature }, lookup)).toThrow(expect.objectContaining({ code: 'InvalidAccessKeyId' }));
  });
});
