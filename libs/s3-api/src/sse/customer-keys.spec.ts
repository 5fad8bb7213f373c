import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { customerEtag, customerKeyOf, hasCustomerHeaders, newCustomerDataKey, openCustomerDataKey } from './customer-keys';

const key = randomBytes(32);
const b64 = key.toString('base64');
const short = randomBytes(16);
const md5 = createHash('md5').update(key).digest('base64');
const full = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': b64, 'x-amz-server-side-encryption-customer-key-md5': md5 };
const asCopySource = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.replace(/^x-amz-/, 'x-amz-copy-source-'), v]));
const copy = asCopySource(full);

function refusal(h: Record<string, string>, copySource = false): unknown {
  try {
    customerKeyOf(h, copySource);
    return 'accepted';
  } catch (e) {
    const { code, status, message, extra } = e as { code: string; status: number; message: string; extra?: Record<string, string> };
    return { code, status, message, argument: extra?.['ArgumentName'], value: extra?.['ArgumentValue'] };
  }
}

describe('customerKeyOf', () => {
  it('none, or the key and its MD5 (destination and copy source read apart)', () => {
    expect(Object.keys(copy)).toEqual([
      'x-amz-copy-source-server-side-encryption-customer-algorithm',
      'x-amz-copy-source-server-side-encryption-customer-key',
      'x-amz-copy-source-server-side-encryption-customer-key-md5',
    ]);
    expect(customerKeyOf({})).toBeUndefined();
    expect(customerKeyOf(full)?.md5).toBe(md5);
    expect(customerKeyOf(full, true)).toBeUndefined();
    expect(customerKeyOf(copy, true)?.md5).toBe(md5);
    expect(customerKeyOf(copy)).toBeUndefined();
  });

  const requests = 'Requests specifying Server Side Encryption with Customer provided keys must provide';
  it.each([
    ['no algorithm', { ...full, 'x-amz-server-side-encryption-customer-algorithm': undefined }, 'InvalidArgument', `${requests} a valid encryption algorithm.`],
    ['no key', { ...full, 'x-amz-server-side-encryption-customer-key': undefined }, 'InvalidArgument', `${requests} an appropriate secret key.`],
    ['no MD5', { ...full, 'x-amz-server-side-encryption-customer-key-md5': undefined }, 'InvalidArgument', `${requests} the client calculated MD5 of the secret key.`],
    ['AES128', { ...full, 'x-amz-server-side-encryption-customer-algorithm': 'AES128' }, 'InvalidEncryptionAlgorithmError', 'The Encryption request you specified is not valid. Supported value: AES256.'],
    // S3 compares the MD5 before the key's length.
    ['a 16-byte key with its MD5', { ...full, 'x-amz-server-side-encryption-customer-key': short.toString('base64'), 'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(short).digest('base64') }, 'InvalidArgument', 'The secret key was invalid for the specified algorithm.'],
    ['a 16-byte key with the MD5 of another', { ...full, 'x-amz-server-side-encryption-customer-key': short.toString('base64') }, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.'],
    ['a key that is not base64', { ...full, 'x-amz-server-side-encryption-customer-key': `${b64.slice(0, -2)}!=` }, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.'],
    ['another key\'s MD5', { ...full, 'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(randomBytes(32)).digest('base64') }, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.'],
    ['an MD5 in hex', { ...full, 'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('hex') }, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.'],
  ])('%s: %s', (_what, h, code, message) => {
    const defined = Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>;
    // S3 names x-amz-server-side-encryption in all of these (LocalStack's AWS captures record it).
    expect(refusal(defined)).toMatchObject({ code, status: 400, message, argument: 'x-amz-server-side-encryption' });
    expect(refusal(asCopySource(defined), true)).toMatchObject({ code, status: 400, message });
  });

  it('never shows the key', () => {
    const k = customerKeyOf(full)!;
    expect(inspect(k)).not.toContain(b64);
    expect(JSON.stringify(k)).not.toContain(b64);
    expect(JSON.stringify(refusal({ ...full, 'x-amz-server-side-encryption-customer-key-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' }))).not.toContain(b64);
  });

  it('hasCustomerHeaders sees any of the six', () => {
    expect(hasCustomerHeaders({})).toBe(false);
    expect(hasCustomerHeaders({ 'x-amz-server-side-encryption': 'AES256' })).toBe(false);
    for (const name of [...Object.keys(full), ...Object.keys(copy)]) expect(hasCustomerHeaders({ [name]: 'x' })).toBe(true);
  });
});

describe('sealing and ETags', () => {
  it('seals a fresh data key per object; opens with the same key and object only', () => {
    const k = customerKeyOf(full)!;
    const a = newCustomerDataKey(k, 'b/k');
    const b = newCustomerDataKey(k, 'b/k');
    expect(a.dataKey.equals(b.dataKey)).toBe(false);
    expect(a.sealed).not.toBe(b.sealed);
    expect(openCustomerDataKey(a.sealed, k, 'b/k').equals(a.dataKey)).toBe(true);
    expect(() => openCustomerDataKey(a.sealed, k, 'b/other')).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    const otherKey = randomBytes(32);
    const other = customerKeyOf({ ...full, 'x-amz-server-side-encryption-customer-key': otherKey.toString('base64'), 'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(otherKey).digest('base64') })!;
    expect(() => openCustomerDataKey(a.sealed, other, 'b/k')).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    // A tampered seal is refused, never opened to a wrong key.
    const raw = Buffer.from(a.sealed.slice(3), 'base64url');
    raw[40] ^= 1;
    expect(() => openCustomerDataKey(`c1:${raw.toString('base64url')}`, k, 'b/k')).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => openCustomerDataKey('v1:mk:abc', k, 'b/k')).toThrow(expect.objectContaining({ code: 'DataCorrupted' }));
  });

  it('the ETag: 32 hex, stable for the object, not the MD5, another for another data key', () => {
    const md5hex = createHash('md5').update('hello').digest('hex');
    const dk = randomBytes(32);
    const e = customerEtag(dk, md5hex);
    expect(e).toMatch(/^[0-9a-f]{32}$/);
    expect(e).not.toBe(md5hex);
    expect(customerEtag(dk, md5hex)).toBe(e);
    expect(customerEtag(randomBytes(32), md5hex)).not.toBe(e);
  });
});
