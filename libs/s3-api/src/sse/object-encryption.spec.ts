import { createHash, randomBytes } from 'node:crypto';
import type { CallCtx } from '@massive/contracts';
import type { BucketWriteDefaults, DefaultEncryption } from '../http/bucket-write-defaults';
import { KmsKeys } from './kms-keys';
import type { S3ApiDeps } from '../types';
import { MasterKeys } from './master-keys';
import { asksForEncryption, dataKeyOf, encryptionHeaders, ingestEncryption, withEncryption, writeEncryption } from './object-encryption';
import { customerKeyOf } from './customer-keys';

const ctx: CallCtx = { requestId: 'r' };
const keys = new MasterKeys([{ id: 'test-1', key: randomBytes(32) }]);

const kms = new KmsKeys(['app', 'backup'], 'us-east-1');
const APP = 'arn:aws:kms:us-east-1:000000000000:key/app';
const BACKUP = 'arn:aws:kms:us-east-1:000000000000:key/backup';

function deps(opts: { sse?: boolean; bucketDefault?: 'AES256' | DefaultEncryption; kms?: KmsKeys } = {}): S3ApiDeps & { asked: string[] } {
  const asked: string[] = [];
  const byDefault: DefaultEncryption | undefined = opts.bucketDefault === 'AES256' ? { algorithm: 'AES256', bucketKeyEnabled: false } : opts.bucketDefault;
  const writeDefaults = {
    defaultEncryption: async (bucket: string) => {
      asked.push(bucket);
      return byDefault;
    },
  } as unknown as BucketWriteDefaults;
  return { asked, writeDefaults, kms: opts.kms ?? kms, ...(opts.sse !== false && { sse: keys }) } as unknown as S3ApiDeps & { asked: string[] };
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

  it('DSSE-KMS is 501, an unknown algorithm 400, SSE-S3 without master keys 501', async () => {
    expect(await code(writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms:dsse' }, 'b', 'k', deps(), ctx))).toBe('NotImplemented 501');
    expect(await code(writeEncryption({ 'x-amz-server-side-encryption': 'aes256' }, 'b', 'k', deps(), ctx))).toBe('InvalidArgument 400');
    expect(await code(writeEncryption({ 'x-amz-server-side-encryption': 'AES256' }, 'b', 'k', deps({ sse: false }), ctx))).toBe('NotImplemented 501');
    expect(await code(writeEncryption({}, 'b', 'k', deps({ sse: false, bucketDefault: 'AES256' }), ctx))).toBe('NotImplemented 501');
  });

  it('aws:kms: the default key, or the one named (id, alias, key or alias ARN), bound to it, its context and bucket/key', async () => {
    const d = deps();
    const plain = await writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms' }, 'b', 'k', d, ctx);
    expect(plain?.sse).toEqual({ algorithm: 'aws:kms', key: expect.any(String), kmsKeyId: APP });
    for (const named of ['backup', 'alias/backup', 'arn:aws:kms:us-east-1:111122223333:key/backup', 'arn:aws:kms:us-east-1:111122223333:alias/backup']) {
      const enc = await writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': named }, 'b', 'k', d, ctx);
      expect(enc?.sse.kmsKeyId).toBe(BACKUP);
    }
    const context = Buffer.from('{"z":"1","a":"2"}').toString('base64');
    const enc = await writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': context, 'x-amz-server-side-encryption-bucket-key-enabled': 'TRUE' }, 'b', 'k', d, ctx);
    expect(enc?.sse).toMatchObject({ kmsKeyId: APP, kmsContext: '{"a":"2","z":"1"}', bucketKeyEnabled: true });
    const h = { userMetadata: {}, sse: enc!.sse };
    expect(dataKeyOf(h, 'b', 'k', d, undefined)?.equals(enc!.dataKey)).toBe(true);
    // The seal is bound to the key, the context and the object: moved anywhere else it does not open.
    expect(() => dataKeyOf({ userMetadata: {}, sse: { ...enc!.sse, kmsKeyId: BACKUP } }, 'b', 'k', d, undefined)).toThrow();
    expect(() => dataKeyOf({ userMetadata: {}, sse: { ...enc!.sse, kmsContext: '{"a":"2"}' } }, 'b', 'k', d, undefined)).toThrow();
    expect(() => dataKeyOf({ userMetadata: {}, sse: { ...enc!.sse, algorithm: 'AES256' } }, 'b', 'k', d, undefined)).toThrow();
    expect(() => dataKeyOf(h, 'b', 'other', d, undefined)).toThrow();
    // A key taken off the list is disabled: its objects answer KMS.DisabledException until it is back.
    expect(() => dataKeyOf(h, 'b', 'k', deps({ kms: new KmsKeys(['backup'], 'us-east-1') }), undefined)).toThrow(expect.objectContaining({ code: 'KMS.DisabledException', message: `${APP} is disabled.` }));
    expect(encryptionHeaders(h)).toEqual({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': APP, 'x-amz-server-side-encryption-bucket-key-enabled': 'true' });
    expect(encryptionHeaders(h, true)['x-amz-server-side-encryption-context']).toBe(Buffer.from('{"a":"2","z":"1"}').toString('base64'));
  });

  it('aws:kms refusals: unknown keys, other regions, KMS headers without aws:kms, bad contexts and bucket key values', async () => {
    const kmsPut = (extra: Record<string, string>) => writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms', ...extra }, 'b', 'k', deps(), ctx);
    const msg = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`);
    expect(await msg(kmsPut({ 'x-amz-server-side-encryption-aws-kms-key-id': 'fake-key-id' }))).toBe("KMS.NotFoundException: Invalid keyId 'fake-key-id'");
    expect(await msg(kmsPut({ 'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:111122223333:key/app' }))).toBe('KMS.NotFoundException: Invalid arn eu-west-1');
    expect(await msg(kmsPut({ 'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/nope' }))).toBe(
      "KMS.NotFoundException: Key 'arn:aws:kms:us-east-1:111122223333:key/nope' does not exist",
    );
    const requires = 'InvalidArgument: Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms';
    for (const h of [{ 'x-amz-server-side-encryption-aws-kms-key-id': 'app' }, { 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-context': 'e30=' }, { 'x-amz-server-side-encryption-bucket-key-enabled': 'true' }]) {
      expect(await msg(writeEncryption(h, 'b', 'k', deps(), ctx))).toBe(requires);
    }
    for (const bad of ['not base64!', Buffer.from('[1]').toString('base64'), Buffer.from('{"a":1}').toString('base64'), Buffer.from('{"a":').toString('base64'), Buffer.from([0xff, 0xfe]).toString('base64')]) {
      expect(await code(kmsPut({ 'x-amz-server-side-encryption-context': bad }))).toBe('InvalidArgument 400');
    }
    expect(await code(kmsPut({ 'x-amz-server-side-encryption-bucket-key-enabled': 'yes' }))).toBe('InvalidArgument 400');
  });

  it('a bucket default of aws:kms: its key (resolved at write time: an unknown one fails the write) and its bucket key flag', async () => {
    const byDefault = (kmsKeyId: string | undefined, bucketKeyEnabled: boolean) => deps({ bucketDefault: { algorithm: 'aws:kms', ...(kmsKeyId !== undefined && { kmsKeyId }), bucketKeyEnabled } });
    expect((await writeEncryption({}, 'b', 'k', byDefault(undefined, false), ctx))?.sse).toEqual({ algorithm: 'aws:kms', key: expect.any(String), kmsKeyId: APP });
    expect((await writeEncryption({}, 'b', 'k', byDefault('alias/backup', true), ctx))?.sse).toMatchObject({ kmsKeyId: BACKUP, bucketKeyEnabled: true });
    expect(await code(writeEncryption({}, 'b', 'k', byDefault('gone', false), ctx))).toBe('KMS.NotFoundException 400');
    // A request's own aws:kms takes the bucket's flag unless it says; its own AES256 wins over the default.
    expect((await writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms' }, 'b', 'k', byDefault(undefined, true), ctx))?.sse.bucketKeyEnabled).toBe(true);
    const off = await writeEncryption({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-bucket-key-enabled': 'false' }, 'b', 'k', byDefault(undefined, true), ctx);
    expect(off?.sse.bucketKeyEnabled).toBeUndefined();
    expect((await writeEncryption({ 'x-amz-server-side-encryption': 'AES256' }, 'b', 'k', byDefault('backup', true), ctx))?.sse).toEqual({ algorithm: 'AES256', key: expect.any(String) });
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
