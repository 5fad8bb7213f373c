import { deriveSigningKey, SigningKeyCache } from './signing-key';

describe('deriveSigningKey', () => {
  it('matches the AWS general reference example (iam, 20120215)', () => {
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', { date: '20120215', region: 'us-east-1', service: 'iam' });
    expect(key.toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });
});

describe('SigningKeyCache', () => {
  const scope = { date: '20130524', region: 'us-east-1', service: 's3' };

  it('returns the derived key and reuses it', () => {
    const cache = new SigningKeyCache();
    const a = cache.get('secret', scope);
    expect(a).toEqual(deriveSigningKey('secret', scope));
    expect(cache.get('secret', scope)).toBe(a);
    expect(cache.size).toBe(1);
  });

  it('keys by secret, date, region and service', () => {
    const cache = new SigningKeyCache();
    const a = cache.get('secret', scope);
    expect(cache.get('other', scope)).not.toEqual(a);
    expect(cache.get('secret', { ...scope, date: '20130525' })).not.toEqual(a);
    expect(cache.get('secret', { ...scope, region: 'eu-west-1' })).not.toEqual(a);
    expect(cache.size).toBe(4);
  });

  it('answers a frozen scope seen last by identity, and still by secret and by value', () => {
    const cache = new SigningKeyCache();
    const frozen = Object.freeze({ ...scope });
    const a = cache.get('secret', frozen);
    expect(cache.get('secret', frozen)).toBe(a);
    expect(cache.get('rotated', frozen)).toEqual(deriveSigningKey('rotated', scope));
    expect(cache.get('secret', frozen)).toBe(a);
    // A scope object that can change is looked up by its values every time.
    const mutable = { ...scope };
    expect(cache.get('secret', mutable)).toBe(a);
    mutable.date = '20130601';
    expect(cache.get('secret', mutable)).toEqual(deriveSigningKey('secret', { ...scope, date: '20130601' }));
  });

  it('evicts the oldest entry when full', () => {
    const cache = new SigningKeyCache(2);
    const first = cache.get('a', scope);
    cache.get('b', scope);
    cache.get('c', scope);
    expect(cache.size).toBe(2);
    expect(cache.get('a', scope)).not.toBe(first);
  });
});
