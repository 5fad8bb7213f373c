import { S3Error } from '@massive/s3-protocol';
import { KmsKeys, kmsSealContext, parseBucketKeyEnabled, parseKmsContext } from './kms-keys';

const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof S3Error ? e.code : (e as Error).message;
  }
};

describe('KmsKeys', () => {
  it('refuses a configuration it could not serve: no keys, bad or repeated ids', () => {
    expect(code(() => new KmsKeys([], 'us-east-1'))).toMatch(/at least one key id/);
    for (const bad of ['', 'a b', 'x'.repeat(65), 'key/x', 'alias/x', 'ü']) expect(code(() => new KmsKeys([bad], 'us-east-1'))).toMatch(/must be 1-64 characters/);
    expect(code(() => new KmsKeys(['a', 'a'], 'us-east-1'))).toMatch(/distinct/);
  });

  it('names keys by ARN in its region; the first is the default; resolves ids, aliases and ARNs of any account', () => {
    const kms = new KmsKeys(['app', 'backup'], 'eu-central-1');
    expect(kms.defaultArn).toBe('arn:aws:kms:eu-central-1:000000000000:key/app');
    for (const ref of ['backup', 'alias/backup', 'arn:aws:kms:eu-central-1:123456789012:key/backup', 'arn:aws:kms:eu-central-1:000000000000:alias/backup']) {
      expect(kms.resolve(ref)).toBe('arn:aws:kms:eu-central-1:000000000000:key/backup');
    }
    for (const ref of ['', 'nope', 'App', 'arn:aws:kms:us-east-1:000000000000:key/app', 'arn:aws:kms:eu-central-1:1:key/app', 'x'.repeat(2049)]) {
      expect(code(() => kms.resolve(ref))).toBe('KMS.NotFoundException');
    }
    expect(kms.enabledId('arn:aws:kms:eu-central-1:000000000000:key/app')).toBe('app');
    expect(kms.enabledId('arn:aws:kms:eu-central-1:000000000000:key/gone')).toBeUndefined();
    expect(kms.enabledId('arn:aws:kms:eu-central-1:000000000000:alias/app')).toBeUndefined();
  });
});

describe('parseKmsContext', () => {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  it('keeps a JSON object of strings as canonical JSON (keys sorted), so equal contexts bind equally', () => {
    expect(parseKmsContext(b64('{"b":"2","a":"1"}'))).toBe('{"a":"1","b":"2"}');
    expect(parseKmsContext(b64('{ "a" : "1", "b":"2" }'))).toBe('{"a":"1","b":"2"}');
    expect(parseKmsContext(b64('{}'))).toBe('{}');
    expect(parseKmsContext(b64('{"ü":"ö"}'))).toBe('{"ü":"ö"}');
  });
  it.each(['', 'e30', '!!!!', b64('[]'), b64('"s"'), b64('null'), b64('{"a":1}'), b64('{"a":{"b":"c"}}'), b64('{"a":'), Buffer.from([0xc3, 0x28]).toString('base64')])(
    'refuses %j with InvalidArgument',
    (raw) => expect(code(() => parseKmsContext(raw))).toBe('InvalidArgument'),
  );
});

describe('parseBucketKeyEnabled and the seal context', () => {
  it('reads true/false in any case, absent as undefined, anything else InvalidArgument', () => {
    const h = (v: string) => ({ 'x-amz-server-side-encryption-bucket-key-enabled': v });
    expect(parseBucketKeyEnabled(h('True'))).toBe(true);
    expect(parseBucketKeyEnabled(h('FALSE'))).toBe(false);
    expect(parseBucketKeyEnabled({})).toBeUndefined();
    expect(code(() => parseBucketKeyEnabled(h('yes')))).toBe('InvalidArgument');
  });
  it('binds the key id, the context and the object, unambiguously', () => {
    expect(kmsSealContext('app', '{"a":"1"}', 'b', 'k')).not.toBe(kmsSealContext('app', undefined, 'b', 'k'));
    expect(kmsSealContext('app', undefined, 'b', 'k')).not.toBe('b/k');
    expect(kmsSealContext('a', undefined, 'b', 'k')).not.toBe(kmsSealContext('b', undefined, 'b', 'k'));
  });
});
