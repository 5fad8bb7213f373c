import { createHash, randomBytes } from 'node:crypto';
import type { CallCtx } from '@massive/contracts';
import type { BucketWriteDefaults } from '../http/bucket-write-defaults';
import type { S3ApiDeps } from '../types';
import { MasterKeys } from './master-keys';
import { asksForEncryption, dataKeyOf, encryptionHeaders, ingestEncryption, withEncryption, writeEncryption } from './object-encryption';
import { customerKeyOf } from './customer-keys';

const ctx: CallCtx = { requestId: 'r' };
const keys = new MasterKeys([{ id: 'test-1', key: randomBytes(32) }]);

function deps(opts: { sse?: boolean; bucketDefault?: 'AES256' } = {}): S3ApiDeps & { asked: string[] } {
  const asked: string[] = [];
  const writeDefaults = {
    defaultAlgorithm: async (bucket: string) => {
      asked.push(bucket);
      return opts.bucketDefault;
    },
  } as unknown as BucketWriteDefaults;
  return { asked, writeDefaults, ...(opts.sse !== false && { sse: keys }) } as unknown as S3ApiDeps & { asked: string[] };
}

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; status?: number }) => `${e.code} ${e.status}`);

describe('writeEncryption', () => {
  it('AES256 asked: a fresh data key, sealed for bucket/key, that unseals back; the bucket default is not consulted', async () => {
    const d = deps();
    const enc = await writeEncryption({ 'x-amz-server-side-encryption': 'AES256' }, 'b', 'k', d, ctx);
    expect(enc?.sse.algorithm).toBe('AES256');
    expect(enc?.dataKey.length).toBe(32);
    expect(dataKeyOf({ userMetadata: {}, sse: enc!.sse }, 'b', 'k', d, undefined)?.equals(enc!.dataKey)).toBe(true);
    expect(() => dataKeyOf({ userMetadata: {}, sse: enc!.sse }, 'b', 'other', d, undefined)).toThrow();
    expect(d.asked).toEqual([]);
    const again = await writeEncryption({ 'x-amz-server-side-encryption': 'AES256' }, 'b', 'k', d, ctx);
    expect(again!.dataKey.equals(enc!.dataKey)).toBe(false);
  });

  it('nothing asked: the bucket default decides', async () => {
    expect(await writeEncryption({}, 'b', 'k', deps(), ctx)).toBeUndefined();
    const d = deps({ bucketDefault: 'AES256' });
    expect((await writeEncryption({}, 'plain-b', 'k', d, ctx))?.sse.algorithm).toBe('AES256');
    expect(d.asked).toEqual(['plain-b']);
  });

  it('SSE-KMS is 501, an unknown algorithm 400, SSE-S3 without master keys 501', async () => {
    expect(await code(writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms' }, 'b', 'k', deps(), ctx))).toBe('NotImplemented 501');
    expect(await code(writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms:dsse' }, 'b', 'k', deps(), ctx))).toBe('NotImplemented 501');
    expect(await code(writeEncryption({ 'x-amz-server-side-encryption': 'aes256' }, 'b', 'k', deps(), ctx))).toBe('InvalidArgument 400');
    expect(await code(writeEncryption({ 'x-amz-server-side-encryption': 'AES256' }, 'b', 'k', deps({ sse: false }), ctx))).toBe('NotImplemented 501');
    expect(await code(writeEncryption({}, 'b', 'k', deps({ sse: false, bucketDefault: 'AES256' }), ctx))).toBe('NotImplemented 501');
  });

  it('asksForEncryption validates what it sees', () => {
    expect(asksForEncryption({})).toBe(false);
    expect(asksForEncryption({ 'x-amz-server-side-encryption': 'AES256' })).toBe(true);
    expect(() => asksForEncryption({ 'x-amz-server-side-encryption': 'DES' })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});

describe('headers', () => {
  it('withEncryption sets, replaces or drops the sealed key; encryptionHeaders names the algorithm', async () => {
    const enc = await writeEncryption({ 'x-amz-server-side-encryption': 'AES256' }, 'b', 'k', deps(), ctx);
    const h = withEncryption({ userMetadata: { a: 'b' } }, enc);
    expect(h).toEqual({ userMetadata: { a: 'b' }, sse: enc!.sse });
    expect(encryptionHeaders(h)).toEqual({ 'x-amz-server-side-encryption': 'AES256' });
    expect(withEncryption(h, undefined)).toEqual({ userMetadata: { a: 'b' } });
    expect(encryptionHeaders({ userMetadata: {} })).toEqual({});
    expect(dataKeyOf({ userMetadata: {} }, 'b', 'k', deps(), undefined)).toBeUndefined();
  });

  it('an encrypted object on a gateway without master keys is an internal error, never plaintext served', () => {
    expect(() => dataKeyOf({ userMetadata: {}, sse: { algorithm: 'AES256', key: 'v1:x:y' } }, 'b', 'k', deps({ sse: false }), undefined)).toThrow(expect.objectContaining({ code: 'Internal' }));
  });
});

describe('SSE-C (customer-provided keys)', () => {
  const sseC = (key: Buffer) => ({
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': key.toString('base64'),
    'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
  });
  const mine = randomBytes(32);
  const other = randomBytes(32);

  it('a fresh data key sealed under the customer key, opened only by that key, for that object; no master key needed', async () => {
    const d = deps({ sse: false, bucketDefault: 'AES256' });
    const enc = await writeEncryption(sseC(mine), 'b', 'k', d, ctx);
    expect(enc?.sse).toEqual({ algorithm: 'AES256', key: expect.stringMatching(/^c1:[A-Za-z0-9_-]+$/), customerKeyMd5: sseC(mine)['x-amz-server-side-encryption-customer-key-md5'] });
    expect(d.asked).toEqual([]); // a bucket default never overrides the customer's key
    expect(enc!.sse.key).not.toContain(mine.toString('base64url'));
    const h = withEncryption({ userMetadata: {} }, enc);
    expect(dataKeyOf(h, 'b', 'k', d, customerKeyOf(sseC(mine)))?.equals(enc!.dataKey)).toBe(true);
    expect(encryptionHeaders(h)).toEqual({
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key-MD5': enc!.sse.customerKeyMd5,
    });
    expect(ingestEncryption(enc, 3)).toEqual({ dataKey: enc!.dataKey, stream: 3, customer: true });
    // Without the key, with another, or sealed for another object: refused, never opened.
    expect(() => dataKeyOf(h, 'b', 'k', d, undefined)).toThrow(expect.objectContaining({ code: 'InvalidRequest', status: 400 }));
    expect(() => dataKeyOf(h, 'b', 'k', d, customerKeyOf(sseC(other)))).toThrow(expect.objectContaining({ code: 'AccessDenied', status: 403 }));
    expect(() => dataKeyOf(h, 'b', 'moved', d, customerKeyOf(sseC(mine)))).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    // A key offered for an object that has none (plain or SSE-S3) is refused too.
    expect(() => dataKeyOf({ userMetadata: {} }, 'b', 'k', d, customerKeyOf(sseC(mine)))).toThrow(
      expect.objectContaining({ code: 'InvalidRequest', message: 'The encryption parameters are not applicable to this object.' }),
    );
  });

  it('with x-amz-server-side-encryption too: InvalidArgument; asksForEncryption counts a customer key', async () => {
    expect(await code(writeEncryption({ ...sseC(mine), 'x-amz-server-side-encryption': 'AES256' }, 'b', 'k', deps(), ctx))).toBe('InvalidArgument 400');
    expect(asksForEncryption(sseC(mine))).toBe(true);
  });
});
