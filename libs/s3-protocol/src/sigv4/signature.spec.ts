import { createHmac, randomBytes } from 'node:crypto';
import { computeSignature, signaturesEqual } from './signature';
import { deriveSigningKey } from './signing-key';

describe('signature', () => {
  it('signs the AWS S3 documentation GET example', () => {
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', { date: '20130524', region: 'us-east-1', service: 's3' });
    const toSign = 'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972';
    expect(computeSignature(key, toSign)).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it('is HMAC-SHA256 for every key length, message length and encoding', () => {
    const messages = ['', 'a', 'x'.repeat(55), 'y'.repeat(64), 'z'.repeat(119), 'é ü 日本 \u{1F600}', 'long'.repeat(400), 'after the scratch grew'];
    for (const len of [0, 1, 31, 32, 33, 63, 64, 65, 200]) {
      const key = randomBytes(len);
      for (const m of messages) {
        // twice: the second call reuses the key's pads
        for (let i = 0; i < 2; i++) expect(computeSignature(key, m)).toBe(createHmac('sha256', key).update(m, 'utf8').digest('hex'));
      }
      const view = new Uint8Array(key);
      expect(computeSignature(view, 'a view, not a Buffer')).toBe(createHmac('sha256', key).update('a view, not a Buffer').digest('hex'));
    }
  });

  it('keeps each key apart (pads by key identity)', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(computeSignature(a, 'm')).toBe(createHmac('sha256', a).update('m').digest('hex'));
    expect(computeSignature(b, 'm')).toBe(createHmac('sha256', b).update('m').digest('hex'));
    expect(computeSignature(a, 'm')).toBe(createHmac('sha256', a).update('m').digest('hex'));
  });

  it('compares signatures exactly', () => {
    const s = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
    expect(signaturesEqual(s, s)).toBe(true);
    expect(signaturesEqual(s, s.replace(/1$/, '2'))).toBe(false);
    expect(signaturesEqual(s, s.slice(1))).toBe(false);
    expect(signaturesEqual(s, '')).toBe(false);
  });
});
