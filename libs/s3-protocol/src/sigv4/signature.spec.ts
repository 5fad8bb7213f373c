import { computeSignature, signaturesEqual } from './signature';
import { deriveSigningKey } from './signing-key';

describe('signature', () => {
  it('signs the AWS S3 documentation GET example', () => {
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', { date: '20130524', region: 'us-east-1', service: 's3' });
    const toSign = 'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972';
    expect(computeSignature(key, toSign)).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it('compares signatures exactly', () => {
    const s = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
    expect(signaturesEqual(s, s)).toBe(true);
    expect(signaturesEqual(s, s.replace(/1$/, '2'))).toBe(false);
    expect(signaturesEqual(s, s.slice(1))).toBe(false);
    expect(signaturesEqual(s, '')).toBe(false);
  });
});
