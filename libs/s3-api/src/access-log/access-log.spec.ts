import { ServiceError, type MetadataApi } from '@massive/contracts';
import { Registry } from 'prom-client';
import type { S3ApiDeps } from '../types';
import { DEFAULT_S3_CONFIG } from '../types';
import { AccessLogs, decodeLoggingDocument, encodeLoggingDocument } from './access-log';
import type { LogRecordFields } from './log-record';

describe('the stored logging document', () => {
  it('round-trips every key format', () => {
    for (const c of [
      { TargetBucket: 'logs', TargetPrefix: '', hasTargetGrants: false },
      { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { kind: 'simple' as const }, hasTargetGrants: false },
      { TargetBucket: 'logs', TargetPrefix: 'p/', TargetObjectKeyFormat: { kind: 'partitioned' as const, dateSource: 'EventTime' as const }, hasTargetGrants: false },
    ]) {
      expect(decodeLoggingDocument(encodeLoggingDocument(c))).toEqual(c);
    }
  });
  it.each(['{}', '{"v":2,"b":"l","p":""}', '{"v":1,"p":""}', '{"v":1,"b":"l"}', '{"v":1,"b":"l","p":"","f":{"kind":"partitioned","dateSource":"Now"}}'])(
    'refuses a damaged document %j (an error, never "logging off")',
    (doc) => expect(() => decodeLoggingDocument(doc)).toThrow('stored logging document is unreadable'),
  );
});

describe('AccessLogs', () => {
  const fields = (bucket: string, requestId: string): LogRecordFields => ({
    bucketOwner: 'owner', bucket, time: Date.UTC(2026, 11, 6, 12, 0, 0), remoteIp: '127.0.0.1', requester: 'owner', requestId, operation: 'REST.GET.OBJECT',
    key: 'k', requestLine: `GET /${bucket}/k HTTP/1.1`, status: 200, errorCode: undefined, bytesSent: 3, objectSize: 3, totalMs: 1, turnAroundMs: 1,
    referer: undefined, userAgent: 'ua', versionId: undefined, signatureVersion: 'SigV4', cipherSuite: undefined, authType: 'AuthHeader', host: 'h', tlsVersion: undefined,
  });

  let registry = new Registry();

  function setup(logging: Record<string, string | undefined>) {
    const lookups: string[] = [];
    const puts: { bucket: string; key: string; bytes: string; contentType?: string }[] = [];
    const metadata = {
      getBucketConfig: async ({ bucket }: { bucket: string }) => {
        lookups.push(bucket);
        if (!(bucket in logging)) throw new ServiceError('NoSuchBucket', bucket);
        return { bucket: { name: bucket, owner: { id: `owner-of-${bucket}`, displayName: '' } }, documents: logging[bucket] === undefined ? {} : { logging: logging[bucket] } };
      },
      putObject: async (r: { bucket: string; key: string; data: { kind: string; bytes: Buffer }; headers: { contentType?: string } }) => {
        puts.push({ bucket: r.bucket, key: r.key, bytes: r.data.bytes.toString('utf8'), contentType: r.headers.contentType });
        return {};
      },
    } as unknown as MetadataApi;
    const deps = { metadata, config: DEFAULT_S3_CONFIG, logger: { warn: () => undefined } } as unknown as S3ApiDeps;
    registry = new Registry();
    const logs = new AccessLogs(deps, { flushMs: 60_000, lookups: { ttlMs: 60_000, maxEntries: 10 }, registry });
    return { logs, lookups, puts };
  }

  it('builds nothing for a bucket known to have logging off; buffers and writes for one that has it on', async () => {
    const { logs, lookups, puts } = setup({ quiet: undefined, loud: encodeLoggingDocument({ TargetBucket: 'logs', TargetPrefix: 'p/', hasTargetGrants: false }) });
    expect(logs.maybeLogged('quiet')).toBe(true); // not known yet
    let built = 0;
    logs.record('quiet', 'r0', () => (built++, fields('quiet', 'r0')));
    logs.record('loud', 'r1', (owner) => ({ ...fields('loud', 'r1'), bucketOwner: owner }));
    await new Promise((r) => setImmediate(r));
    expect(logs.maybeLogged('quiet')).toBe(false);
    expect(logs.maybeLogged('loud')).toBe(true);
    logs.record('loud', 'r2', (owner) => ({ ...fields('loud', 'r2'), bucketOwner: owner }));
    expect(built).toBe(0);
    expect(lookups.sort()).toEqual(['loud', 'quiet']);
    expect(puts).toEqual([]);
    await logs.flush();
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ bucket: 'logs', contentType: 'text/plain' });
    expect(puts[0].key).toMatch(/^p\/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$/);
    expect(puts[0].bytes.split('\n').filter(Boolean).map((l) => l.split(' ')[0] + ' ' + l.split(' ')[6])).toEqual(['owner-of-loud r1', 'owner-of-loud r2']);
  });

  it('a record that cannot be built is dropped and counted, never thrown at the request', async () => {
    const { logs, puts } = setup({ loud: encodeLoggingDocument({ TargetBucket: 'logs', TargetPrefix: '', hasTargetGrants: false }) });
    const boom = (): LogRecordFields => {
      throw new Error('socket gone');
    };
    logs.record('loud', 'r1', boom); // looked up first: the failure comes in a callback
    await new Promise((r) => setImmediate(r));
    expect(() => logs.record('loud', 'r2', boom)).not.toThrow(); // cached: built synchronously
    await logs.flush();
    expect(puts).toEqual([]);
    expect(await registry.getSingleMetricAsString('s3_access_log_dropped_records_total')).toMatch(/ 2$/m);
  });

  it('a bucket that does not exist logs nothing; invalidate() reads the configuration again', async () => {
    const config = { b: undefined as string | undefined };
    const { logs, lookups } = setup(config as unknown as Record<string, string | undefined>);
    logs.record('gone', 'r', () => fields('gone', 'r'));
    await new Promise((r) => setImmediate(r));
    expect(logs.maybeLogged('gone')).toBe(false);
    logs.invalidate('gone');
    expect(logs.maybeLogged('gone')).toBe(true);
    expect(lookups).toEqual(['gone']);
  });
});
