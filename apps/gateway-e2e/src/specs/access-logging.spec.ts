import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketLoggingCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  UploadPartCommand,
  type BucketLoggingStatus,
  type LoggingEnabled,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describeWithTool, findTool, useAwsCli } from '../support/cli-tools';
import { recordRequests, s3Client, type SeenRequest } from '../support/clients';
import { rawRequest, send, type RawResponse } from '../support/raw-http';
import { bodyBytes, expectErrorXml, expectS3Error, md5Base64, patternBytes } from '../support/s3-assert';
import { CREDENTIALS, E2E_MODE, REGION, VHOST_DOMAIN, useGateway } from '../support/server';

/**
 * S3 server access logging (PutBucketLogging / GetBucketLogging), end to end, on a gateway that writes
 * log objects 300 ms after their first record (MASSIVE_ACCESS_LOG_FLUSH_MS), and on one that holds them
 * for ten minutes (written only at its graceful shutdown):
 *
 * - configuration with the SDK: Put/Get round trips (no key format, SimplePrefix, PartitionedPrefix with
 *   EventTime and DeliveryTime), off with an empty BucketLoggingStatus; errors: a missing target
 *   (400 InvalidTargetBucketForLogging, exact message, the TargetBucket element), a target of another owner,
 *   TargetGrants (501 NotImplemented), malformed documents (400 MalformedXML, raw), a missing source bucket
 *   (404 NoSuchBucket); a deleted and re-created source bucket has no logging;
 * - records, parsed field by field (AWS's 26 space-separated fields, `[time]` and `"quoted"` fields whole):
 *   bucket owner, bucket, time (S3's format, inside the request's time window), remote IP, requester (the
 *   owner, another key's owner, `-` anonymous), the response's x-amz-request-id, operation names (PUT, GET,
 *   HEAD, DELETE object, ListObjectsV2, multipart, CopyObject, DeleteObjects, GetBucketLogging, PostObject),
 *   the key URL-encoded (space, non-ASCII, slash), the request line as sent, status, error code (NoSuchKey,
 *   AccessDenied), bytes sent and object size (whole GET, range GET, HEAD, PUT, an error), total and
 *   turn-around times, referer and user agent as sent, version id, SigV4 with AuthHeader / QueryString,
 *   `-` for anonymous, the Host header as sent (path and virtual-hosted style), `-` for TLS fields on plain
 *   HTTP, ACL required;
 * - what is not logged: CORS preflights, the website endpoint, requests to a target bucket without logging,
 *   the log writes themselves (a bucket logging into itself), anything after logging is turned off;
 * - log objects: key shapes (SimplePrefix, the default, and PartitionedPrefix with owner id, region,
 *   bucket and date), Content-Type text/plain, the target bucket's default encryption (AES256), one object
 *   per source bucket per delivery (two sources into one target and prefix);
 * - metrics: s3_access_log_records_total and s3_access_log_objects_total{result="ok"} grow; a deleted target
 *   makes deliveries fail (result="error", s3_access_log_dropped_records_total), never the source's requests;
 * - a buffer reaching 64 KiB is written at once; graceful shutdown (SIGTERM) writes what was buffered;
 * - the aws CLI: s3api put-bucket-logging / get-bucket-logging, and its requests logged.
 */

const gw = useGateway({
  MASSIVE_ACCESS_LOG_FLUSH_MS: '300',
  MASSIVE_METRICS_PUBLIC: 'true',
  MASSIVE_WEBSITE_PORT: '0',
  MASSIVE_WEBSITE_DOMAINS: 'web.localtest',
});
/** Holds its records for ten minutes: they are written only when it stops gracefully. */
const slow = useGateway({ MASSIVE_ACCESS_LOG_FLUSH_MS: '600000' });

const ADMIN_CLI = resolve(__dirname, '../../../../tools/admin.mjs');
const run = promisify(execFile);
const WEB_DOMAIN = 'web.localtest';

/** The target bucket most sources log into, each under its own prefix. */
const TARGET = 'log-target';
/** A key with a space, a non-ASCII character and a slash; and how it appears in paths and records. */
const ODD_KEY = 'dir/with space/café.txt';
const ODD_KEY_ENCODED = 'dir/with%20space/caf%C3%A9.txt';

let s3: S3Client;
/** The canonical id of the root key's owner (who owns every bucket here but the other key's). */
let ownerId = '';

interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}
/** A second key (its own owner), made with the admin CLI. */
let otherKey: Key;
let other: S3Client;
let otherId = '';

/** Runs the admin CLI against the main gateway as the root key (as identity.spec does). */
async function admin(args: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [ADMIN_CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', MASSIVE_ADMIN_URL: gw.adminUrl, MASSIVE_ACCESS_KEY: CREDENTIALS.accessKeyId, MASSIVE_SECRET_KEY: CREDENTIALS.secretAccessKey },
  });
  return stdout;
}

beforeAll(async () => {
  s3 = s3Client(gw);
  ownerId = (await s3.send(new ListBucketsCommand({}))).Owner?.ID ?? '';
  expect(ownerId).toMatch(/^[0-9a-f]{64}$/);
  await s3.send(new CreateBucketCommand({ Bucket: TARGET }));
  otherKey = JSON.parse(await admin(['key', 'create', '--name', 'log-other', '--json'])) as Key;
  other = s3Client(gw, { credentials: otherKey });
  otherId = (await other.send(new ListBucketsCommand({}))).Owner?.ID ?? '';
  expect(otherId).toMatch(/^[0-9a-f]{64}$/);
  expect(otherId).not.toBe(ownerId);
}, 60_000);

// ---------------------------------------------------------------------------------------------------------
// Records: parsing, fetching, waiting
// ---------------------------------------------------------------------------------------------------------

/** AWS's field order (S3 user guide, "Amazon S3 server access log format"). */
const FIELDS = [
  'bucketOwner',
  'bucket',
  'time',
  'remoteIp',
  'requester',
  'requestId',
  'operation',
  'key',
  'requestUri',
  'status',
  'errorCode',
  'bytesSent',
  'objectSize',
  'totalTime',
  'turnAround',
  'referer',
  'userAgent',
  'versionId',
  'hostId',
  'signatureVersion',
  'cipherSuite',
  'authType',
  'hostHeader',
  'tlsVersion',
  'accessPointArn',
  'aclRequired',
] as const;
type Field = (typeof FIELDS)[number];

/** One record: each field as written, `[...]` and `"..."` taken off the time and the quoted fields. */
type LogRecord = Readonly<Record<Field, string>> & { readonly line: string };

/** Splits one record line: fields separated by single spaces, `[...]` and `"..."` kept whole. */
function parseRecord(line: string): LogRecord {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    let end: number;
    if (line[i] === '[') end = line.indexOf(']', i) + 1;
    else if (line[i] === '"') end = line.indexOf('"', i + 1) + 1;
    else {
      end = line.indexOf(' ', i);
      if (end < 0) end = line.length;
    }
    if (end <= i) throw new Error(`unterminated field at ${i} in record: ${line}`);
    if (end < line.length && line[end] !== ' ') throw new Error(`no space after the field ending at ${end} in record: ${line}`);
    tokens.push(line.slice(i, end));
    i = end + 1;
  }
  if (tokens.length !== FIELDS.length) throw new Error(`record has ${tokens.length} fields, not ${FIELDS.length}: ${line}`);
  const rec: Record<string, string> = { line };
  FIELDS.forEach((name, n) => {
    const t = tokens[n]!;
    if (name === 'time') {
      if (!t.startsWith('[')) throw new Error(`time field not in brackets: ${line}`);
      rec[name] = t.slice(1, -1);
    } else if (name === 'requestUri' || name === 'referer' || name === 'userAgent') {
      if (!t.startsWith('"')) throw new Error(`${name} field not quoted: ${line}`);
      rec[name] = t.slice(1, -1);
    } else {
      rec[name] = t;
    }
  });
  return rec as LogRecord;
}

/** A log object's lines (one record a line, no blank lines). */
function parseLog(text: string): LogRecord[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => {
    if (l === '') throw new Error(`blank line in a log object:\n${text}`);
    return parseRecord(l);
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `06/Feb/2019:00:00:38 +0000` in ms since the epoch; throws if not in that form. */
function recordTime(t: string): number {
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000$/.exec(t);
  if (!m || !MONTHS.includes(m[2]!)) throw new Error(`time not in S3's format [dd/Mon/yyyy:hh:mm:ss +0000]: [${t}]`);
  return Date.UTC(Number(m[3]), MONTHS.indexOf(m[2]!), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

interface Window {
  readonly from: number;
  readonly to: number;
}

/** Runs `f`, noting the time before and after (the record's time, at second resolution, falls inside). */
async function timed<T>(f: () => Promise<T>): Promise<{ readonly r: T; readonly window: Window }> {
  const from = Date.now();
  const r = await f();
  return { r, window: { from, to: Date.now() } };
}

function expectInWindow(ms: number, w: Window, what: string): void {
  const lo = Math.floor(w.from / 1000) * 1000;
  if (ms < lo || ms > w.to) throw new Error(`${what} ${new Date(ms).toISOString()} is outside [${new Date(lo).toISOString()}, ${new Date(w.to).toISOString()}]`);
}

interface LogObject {
  readonly key: string;
  readonly text: string;
  readonly records: readonly LogRecord[];
}

/** Log objects never change: each is read once (bucket names are unique across this file's gateways). */
const readCache = new Map<string, LogObject>();

interface ReadOptions {
  /** Another client (the slow gateway's). */
  readonly client?: S3Client;
  /** Told the request id of every request the reader makes (a bucket that logs into itself logs them). */
  readonly onRequestId?: (id: string) => void;
}

/** Every log object under `Prefix` in `Bucket`, parsed. */
async function readLogs(Bucket: string, Prefix: string, opts: ReadOptions = {}): Promise<LogObject[]> {
  const client = opts.client ?? s3;
  const out: LogObject[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
    if (page.$metadata.requestId) opts.onRequestId?.(page.$metadata.requestId);
    for (const o of page.Contents ?? []) {
      const cacheKey = `${Bucket}/${o.Key!}`;
      let obj = readCache.get(cacheKey);
      if (!obj) {
        const g = await client.send(new GetObjectCommand({ Bucket, Key: o.Key! }));
        if (g.$metadata.requestId) opts.onRequestId?.(g.$metadata.requestId);
        const text = (await bodyBytes(g.Body)).toString('utf8');
        obj = { key: o.Key!, text, records: parseLog(text) };
        readCache.set(cacheKey, obj);
      }
      out.push(obj);
    }
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return out;
}

const allRecords = (objs: readonly LogObject[]): LogRecord[] => objs.flatMap((o) => o.records);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls the log objects under `Prefix` until `done` holds (up to `timeoutMs`, 10 s by default). */
async function pollLogs(Bucket: string, Prefix: string, done: (objs: readonly LogObject[]) => boolean, what: string, opts: ReadOptions & { readonly timeoutMs?: number } = {}): Promise<LogObject[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const objs = await readLogs(Bucket, Prefix, opts);
    if (done(objs)) return objs;
    if (Date.now() > deadline) {
      const lines = allRecords(objs).map((r) => r.line);
      throw new Error(`${what}: not found in s3://${Bucket}/${Prefix} within ${opts.timeoutMs ?? 10_000} ms; ${objs.length} log objects, records:\n${lines.join('\n')}`);
    }
    await sleep(150);
  }
}

/**
 * Waits for the records of these request ids under `Prefix`, each found exactly once; returns them by id
 * (and every log object read, for more checks).
 */
async function recordsOf(Bucket: string, Prefix: string, ids: readonly string[], opts: ReadOptions & { readonly timeoutMs?: number } = {}): Promise<{ byId: Map<string, LogRecord>; objects: LogObject[] }> {
  for (const id of ids) expect(id).toBeTruthy();
  const objects = await pollLogs(Bucket, Prefix, (objs) => {
    const seen = new Set(allRecords(objs).map((r) => r.requestId));
    return ids.every((id) => seen.has(id));
  }, `the records of request ids ${ids.join(', ')}`, opts);
  const byId = new Map<string, LogRecord>();
  for (const r of allRecords(objects)) {
    if (!ids.includes(r.requestId)) continue;
    if (byId.has(r.requestId)) throw new Error(`request ${r.requestId} was logged twice:\n${byId.get(r.requestId)!.line}\n${r.line}`);
    byId.set(r.requestId, r);
  }
  return { byId, objects };
}

/** The one record of `id`. */
async function recordOf(Bucket: string, Prefix: string, id: string, opts: ReadOptions = {}): Promise<LogRecord> {
  return (await recordsOf(Bucket, Prefix, [id], opts)).byId.get(id)!;
}

const header = (r: RawResponse, name: string): string => {
  const v = r.headers[name];
  return (Array.isArray(v) ? v.join(', ') : v) ?? '';
};
const requestIdOf = (r: RawResponse): string => {
  const id = header(r, 'x-amz-request-id');
  expect(id).toBeTruthy();
  return id;
};

/** What every record of a request to `bucket` on the main gateway must hold (plain HTTP, no access point). */
function expectCommon(rec: LogRecord, exp: { bucket: string; requestId: string; window: Window; requester: string; host?: string }): void {
  expect({ bucketOwner: rec.bucketOwner, bucket: rec.bucket, requester: rec.requester, requestId: rec.requestId }).toEqual({
    bucketOwner: ownerId,
    bucket: exp.bucket,
    requester: exp.requester,
    requestId: exp.requestId,
  });
  expectInWindow(recordTime(rec.time), exp.window, `record time [${rec.time}] of ${rec.requestId}`);
  expect(['127.0.0.1', '::ffff:127.0.0.1']).toContain(rec.remoteIp);
  expect(rec.totalTime).toMatch(/^\d+$/);
  expect(Number(rec.totalTime)).toBeLessThan(30_000);
  expect(rec.turnAround).toMatch(/^(\d+|-)$/);
  if (rec.turnAround !== '-') expect(Number(rec.turnAround)).toBeLessThanOrEqual(Number(rec.totalTime));
  expect({ hostId: rec.hostId, cipherSuite: rec.cipherSuite, tlsVersion: rec.tlsVersion, accessPointArn: rec.accessPointArn }).toEqual({
    hostId: '-',
    cipherSuite: '-',
    tlsVersion: '-',
    accessPointArn: '-',
  });
  expect(rec.hostHeader).toBe(exp.host ?? new URL(gw.endpoint).host);
}

const signedBy = (rec: LogRecord): [string, string] => [rec.signatureVersion, rec.authType];

// ---------------------------------------------------------------------------------------------------------
// Configuration helpers
// ---------------------------------------------------------------------------------------------------------

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

async function enableLogging(Bucket: string, enabled: LoggingEnabled, client: S3Client = s3): Promise<string> {
  const r = await client.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: enabled } }));
  expect(r.$metadata.httpStatusCode).toBe(200);
  return r.$metadata.requestId ?? '';
}

async function loggingOf(Bucket: string): Promise<LoggingEnabled | undefined> {
  return (await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled;
}

/** A raw PutBucketLogging with this body (with Content-MD5, as S3 requires of it). */
function putLoggingRaw(bucket: string, body: string): Promise<RawResponse> {
  return rawRequest(gw, { method: 'PUT', path: `/${bucket}`, query: { logging: '' }, body, headers: { 'content-md5': md5Base64(body), 'content-type': 'application/xml' } });
}

const policy = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

/** A bucket whose objects anyone may GET: Block Public Access lifted, a public-read bucket policy. */
async function publicBucket(Bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
  await s3.send(
    new PutBucketPolicyCommand({ Bucket, Policy: policy({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }) }),
  );
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pad2 = (n: number): string => String(n).padStart(2, '0');
/** `YYYY-MM-DD` of `ms`, UTC. */
const utcDay = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
};
/** `YYYY-MM-DD-hh-mm-ss` (UTC) in ms since the epoch. */
const stampTime = (s: string): number => {
  const [y, mo, d, h, mi, se] = s.split('-').map(Number);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, se!);
};

// =========================================================================================================

describe(`PutBucketLogging / GetBucketLogging (${E2E_MODE} mode)`, () => {
  const Bucket = 'log-config-src';
  const Target = 'log-config-target';
  const Foreign = 'log-foreign-target';
  const ENABLED: LoggingEnabled = { TargetBucket: Target, TargetPrefix: 'kept/' };

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: Target }));
    await other.send(new CreateBucketCommand({ Bucket: Foreign }));
  });

  it('a bucket without logging answers an empty BucketLoggingStatus', async () => {
    const r = await s3.send(new GetBucketLoggingCommand({ Bucket }));
    expect(r.$metadata.httpStatusCode).toBe(200);
    expect(r.LoggingEnabled).toBeUndefined();
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { logging: '' } });
    expect(raw.status).toBe(200);
    expect(raw.text).toMatch(/<BucketLoggingStatus[^>]*(\/>|>\s*<\/BucketLoggingStatus>)\s*$/);
    expect(raw.text).not.toContain('LoggingEnabled');
  });

  it('without TargetObjectKeyFormat: Put (200) then Get returns TargetBucket and TargetPrefix, and no key format', async () => {
    await enableLogging(Bucket, { TargetBucket: Target, TargetPrefix: 'plain/' });
    const got = await loggingOf(Bucket);
    expect(got).toEqual({ TargetBucket: Target, TargetPrefix: 'plain/' });
    expect(got?.TargetObjectKeyFormat).toBeUndefined();
  });

  it('SimplePrefix: Put then Get returns TargetBucket, TargetPrefix and <SimplePrefix/>', async () => {
    await enableLogging(Bucket, { TargetBucket: Target, TargetPrefix: 'simple/', TargetObjectKeyFormat: { SimplePrefix: {} } });
    expect(await loggingOf(Bucket)).toEqual({ TargetBucket: Target, TargetPrefix: 'simple/', TargetObjectKeyFormat: { SimplePrefix: {} } });
    const raw = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { logging: '' } });
    expect(raw.text).toMatch(/<TargetObjectKeyFormat>\s*<SimplePrefix\s*(\/>|><\/SimplePrefix>)\s*<\/TargetObjectKeyFormat>/);
  });

  it.each(['EventTime', 'DeliveryTime'] as const)('PartitionedPrefix with PartitionDateSource %s: Put then Get returns it as set', async (PartitionDateSource) => {
    const enabled: LoggingEnabled = { TargetBucket: Target, TargetPrefix: `part-${PartitionDateSource}/`, TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource } } };
    await enableLogging(Bucket, enabled);
    expect(await loggingOf(Bucket)).toEqual(enabled);
  });

  it('an empty BucketLoggingStatus (no LoggingEnabled) turns logging off: 200, Get is empty again', async () => {
    await enableLogging(Bucket, ENABLED);
    expect(await loggingOf(Bucket)).toEqual(ENABLED);
    const off = await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} }));
    expect(off.$metadata.httpStatusCode).toBe(200);
    expect(await loggingOf(Bucket)).toBeUndefined();
    // Off again is fine too.
    expect((await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} }))).$metadata.httpStatusCode).toBe(200);
    await enableLogging(Bucket, ENABLED);
  });

  it('a target bucket that does not exist: 400 InvalidTargetBucketForLogging "The target bucket for logging does not exist" naming the TargetBucket; nothing changes', async () => {
    await enableLogging(Bucket, ENABLED);
    const err = await expectS3Error(
      s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'log-no-such-target', TargetPrefix: 'x/' } } })),
      'InvalidTargetBucketForLogging',
      400,
    );
    expect(err.message).toBe('The target bucket for logging does not exist');
    const body = `<BucketLoggingStatus xmlns="${S3_NS}"><LoggingEnabled><TargetBucket>log-no-such-target</TargetBucket><TargetPrefix>x/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`;
    const raw = await putLoggingRaw(Bucket, body);
    expect(raw.status).toBe(400);
    const e = expectErrorXml(raw.text, 'InvalidTargetBucketForLogging', header(raw, 'x-amz-request-id'));
    expect(e['Message']).toBe('The target bucket for logging does not exist');
    expect(e['TargetBucket']).toBe('log-no-such-target');
    expect(await loggingOf(Bucket)).toEqual(ENABLED);
  });

  it('a target bucket of another owner: 400 InvalidTargetBucketForLogging "The owner for the bucket to be logged and the target bucket must be the same."', async () => {
    const err = await expectS3Error(
      s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: Foreign, TargetPrefix: 'x/' } } })),
      'InvalidTargetBucketForLogging',
      400,
    );
    expect(err.message).toBe('The owner for the bucket to be logged and the target bucket must be the same.');
    expect(await loggingOf(Bucket)).toEqual(ENABLED);
  });

  it('TargetGrants: 501 NotImplemented; nothing changes', async () => {
    await expectS3Error(
      s3.send(
        new PutBucketLoggingCommand({
          Bucket,
          BucketLoggingStatus: {
            LoggingEnabled: { TargetBucket: Target, TargetPrefix: 'granted/', TargetGrants: [{ Grantee: { Type: 'CanonicalUser', ID: otherId }, Permission: 'READ' }] },
          },
        }),
      ),
      'NotImplemented',
      501,
    );
    expect(await loggingOf(Bucket)).toEqual(ENABLED);
  });

  const T = '<TargetBucket>log-config-target</TargetBucket>';
  const P = '<TargetPrefix>m/</TargetPrefix>';
  const wrap = (inner: string): string => `<BucketLoggingStatus xmlns="${S3_NS}">${inner}</BucketLoggingStatus>`;
  it.each<[string, string]>([
    ['not XML', 'logging please'],
    ['another root element', `<LoggingEnabled xmlns="${S3_NS}">${T}${P}</LoggingEnabled>`],
    ['an unknown element in LoggingEnabled', wrap(`<LoggingEnabled>${T}${P}<Colour>red</Colour></LoggingEnabled>`)],
    ['an unknown element beside LoggingEnabled', wrap(`<LoggingEnabled>${T}${P}</LoggingEnabled><Extra/>`)],
    ['no TargetBucket', wrap(`<LoggingEnabled>${P}</LoggingEnabled>`)],
    ['no TargetPrefix', wrap(`<LoggingEnabled>${T}</LoggingEnabled>`)],
    ['both SimplePrefix and PartitionedPrefix', wrap(`<LoggingEnabled>${T}${P}<TargetObjectKeyFormat><SimplePrefix/><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled>`)],
    ['a PartitionDateSource of another value', wrap(`<LoggingEnabled>${T}${P}<TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>Yesterday</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled>`)],
  ])('a document with %s: 400 MalformedXML; nothing changes', async (_what, body) => {
    await enableLogging(Bucket, ENABLED);
    const r = await putLoggingRaw(Bucket, body);
    expect({ status: r.status, body: r.text.slice(0, 400) }).toMatchObject({ status: 400 });
    expectErrorXml(r.text, 'MalformedXML', header(r, 'x-amz-request-id'));
    expect(await loggingOf(Bucket)).toEqual(ENABLED);
  });

  it('a source bucket that does not exist: 404 NoSuchBucket on Put and Get', async () => {
    await expectS3Error(
      s3.send(new PutBucketLoggingCommand({ Bucket: 'log-no-such-source', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: Target, TargetPrefix: 'x/' } } })),
      'NoSuchBucket',
      404,
    );
    await expectS3Error(s3.send(new GetBucketLoggingCommand({ Bucket: 'log-no-such-source' })), 'NoSuchBucket', 404);
  });

  it("another key, even one with write access to the bucket, may not set or read its logging (owner only)", async () => {
    await admin(['key', 'allow', 'log-other', Bucket, '--read', '--write']);
    await expectS3Error(
      other.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: Target, TargetPrefix: 'evil/' } } })),
      'AccessDenied',
      403,
    );
    await expectS3Error(other.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} })), 'AccessDenied', 403);
    await expectS3Error(other.send(new GetBucketLoggingCommand({ Bucket })), 'AccessDenied', 403);
    expect(await loggingOf(Bucket)).toEqual(ENABLED);
  }, 60_000);

  it('deleting the source bucket ends its logging: created again under its name, it has none', async () => {
    const B = 'log-recreated';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await enableLogging(B, { TargetBucket: Target, TargetPrefix: 'recreated/' });
    expect((await loggingOf(B))?.TargetPrefix).toBe('recreated/');
    await s3.send(new DeleteBucketCommand({ Bucket: B }));
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    expect(await loggingOf(B)).toBeUndefined();
  });
});

// =========================================================================================================

describe(`records: one line per request, in S3's fields (${E2E_MODE} mode)`, () => {
  /** Public (a bucket policy grants s3:GetObject to anyone), logging into log-target under fields/ (no key format: SimplePrefix). */
  const Bucket = 'log-fields';
  const Prefix = 'fields/';
  /** Private, logging into log-target under private/. */
  const Private = 'log-private';
  const Body = patternBytes(1234, 7);
  const path = `/${Bucket}/${ODD_KEY_ENCODED}`;
  let sdk: S3Client;
  let seen: SeenRequest[];

  beforeAll(async () => {
    await publicBucket(Bucket);
    await enableLogging(Bucket, { TargetBucket: TARGET, TargetPrefix: Prefix });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain.txt', Body: 'plain source' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'index.html', Body: '<h1>log-fields</h1>', ContentType: 'text/html' }));
    await s3.send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
    await s3.send(new CreateBucketCommand({ Bucket: Private }));
    await s3.send(new PutObjectCommand({ Bucket: Private, Key: 'secret.txt', Body: 'secret' }));
    await enableLogging(Private, { TargetBucket: TARGET, TargetPrefix: 'private/' });
    sdk = s3Client(gw);
    seen = recordRequests(sdk);
  });

  /** The odd key PUT by the first test (the others read it). */
  let putDone = false;
  async function ensureOddKey(): Promise<void> {
    if (putDone) return;
    expect((await rawRequest(gw, { method: 'PUT', path, body: Body })).status).toBe(200);
    putDone = true;
  }

  it('a signed PUT (raw): every field, the key URL-encoded, the request line, User-Agent and Referer as sent, the object size received', async () => {
    const { r, window } = await timed(() =>
      rawRequest(gw, { method: 'PUT', path, body: Body, headers: { 'user-agent': 'e2e-logging/1.0 (custom agent)', referer: 'https://example.org/from/here?x=1' } }),
    );
    expect(r.status).toBe(200);
    putDone = true;
    const rec = await recordOf(TARGET, Prefix, requestIdOf(r));
    expectCommon(rec, { bucket: Bucket, requestId: requestIdOf(r), window, requester: ownerId });
    expect({
      operation: rec.operation,
      key: rec.key,
      requestUri: rec.requestUri,
      status: rec.status,
      errorCode: rec.errorCode,
      bytesSent: rec.bytesSent,
      objectSize: rec.objectSize,
      referer: rec.referer,
      userAgent: rec.userAgent,
      versionId: rec.versionId,
      signatureVersion: rec.signatureVersion,
      authType: rec.authType,
      aclRequired: rec.aclRequired,
    }).toEqual({
      operation: 'REST.PUT.OBJECT',
      key: ODD_KEY_ENCODED,
      requestUri: `PUT ${path} HTTP/1.1`,
      status: '200',
      errorCode: '-',
      bytesSent: '-',
      objectSize: String(Body.length),
      referer: 'https://example.org/from/here?x=1',
      userAgent: 'e2e-logging/1.0 (custom agent)',
      versionId: '-',
      signatureVersion: 'SigV4',
      authType: 'AuthHeader',
      aclRequired: '-',
    });
    expect(rec.turnAround).toMatch(/^\d+$/);
  });

  it('without User-Agent and Referer both are "-" inside their quotes', async () => {
    await ensureOddKey();
    const r = await rawRequest(gw, { method: 'HEAD', path });
    expect(r.status).toBe(200);
    const rec = await recordOf(TARGET, Prefix, requestIdOf(r));
    expect([rec.referer, rec.userAgent]).toEqual(['-', '-']);
    expect(rec.line).toContain(' "-" "-" ');
  });

  it('GET whole, GET of a range and HEAD: operation, status, bytes sent and the object size', async () => {
    await ensureOddKey();
    const { r: whole, window: w1 } = await timed(() => rawRequest(gw, { method: 'GET', path }));
    expect(whole.status).toBe(200);
    expect(whole.body.equals(Body)).toBe(true);
    const { r: range, window: w2 } = await timed(() => rawRequest(gw, { method: 'GET', path, headers: { range: 'bytes=100-199' } }));
    expect(range.status).toBe(206);
    expect(range.body.length).toBe(100);
    const { r: head, window: w3 } = await timed(() => rawRequest(gw, { method: 'HEAD', path }));
    expect(head.status).toBe(200);
    const { byId } = await recordsOf(TARGET, Prefix, [requestIdOf(whole), requestIdOf(range), requestIdOf(head)]);
    const cases: [RawResponse, Window, string, string, string, string][] = [
      [whole, w1, 'REST.GET.OBJECT', '200', String(Body.length), String(Body.length)],
      [range, w2, 'REST.GET.OBJECT', '206', '100', String(Body.length)],
      [head, w3, 'REST.HEAD.OBJECT', '200', '-', String(Body.length)],
    ];
    for (const [res, window, operation, status, bytesSent, objectSize] of cases) {
      const rec = byId.get(requestIdOf(res))!;
      expectCommon(rec, { bucket: Bucket, requestId: requestIdOf(res), window, requester: ownerId });
      expect({ operation: rec.operation, key: rec.key, requestUri: rec.requestUri, status: rec.status, errorCode: rec.errorCode, bytesSent: rec.bytesSent, objectSize: rec.objectSize }).toEqual({
        operation,
        key: ODD_KEY_ENCODED,
        requestUri: `${operation === 'REST.HEAD.OBJECT' ? 'HEAD' : 'GET'} ${path} HTTP/1.1`,
        status,
        errorCode: '-',
        bytesSent,
        objectSize,
      });
      expect(signedBy(rec)).toEqual(['SigV4', 'AuthHeader']);
    }
  });

  it('GET of a missing key: 404 NoSuchKey, bytes sent of the error document, no object size, no turn-around', async () => {
    const { r, window } = await timed(() => rawRequest(gw, { method: 'GET', path: `/${Bucket}/missing/key.txt` }));
    expect(r.status).toBe(404);
    expectErrorXml(r.text, 'NoSuchKey', requestIdOf(r));
    const rec = await recordOf(TARGET, Prefix, requestIdOf(r));
    expectCommon(rec, { bucket: Bucket, requestId: requestIdOf(r), window, requester: ownerId });
    expect({ operation: rec.operation, key: rec.key, status: rec.status, errorCode: rec.errorCode, bytesSent: rec.bytesSent, objectSize: rec.objectSize, turnAround: rec.turnAround }).toEqual({
      operation: 'REST.GET.OBJECT',
      key: 'missing/key.txt',
      status: '404',
      errorCode: 'NoSuchKey',
      bytesSent: String(r.body.length),
      objectSize: '-',
      turnAround: '-',
    });
  });

  it('an anonymous GET of a public object: requester, signature version and authentication type "-"', async () => {
    await ensureOddKey();
    const { r, window } = await timed(() => rawRequest(gw, { method: 'GET', path, sign: false, headers: { 'user-agent': 'e2e-anonymous-reader' } }));
    expect(r.status).toBe(200);
    expect(r.body.equals(Body)).toBe(true);
    const rec = await recordOf(TARGET, Prefix, requestIdOf(r));
    expectCommon(rec, { bucket: Bucket, requestId: requestIdOf(r), window, requester: '-' });
    expect({ operation: rec.operation, status: rec.status, errorCode: rec.errorCode, bytesSent: rec.bytesSent, userAgent: rec.userAgent }).toEqual({
      operation: 'REST.GET.OBJECT',
      status: '200',
      errorCode: '-',
      bytesSent: String(Body.length),
      userAgent: 'e2e-anonymous-reader',
    });
    expect(signedBy(rec)).toEqual(['-', '-']);
  });

  it("an anonymous GET in a private bucket: 403 AccessDenied, logged in that bucket's log with requester \"-\"", async () => {
    const { r, window } = await timed(() => rawRequest(gw, { method: 'GET', path: `/${Private}/secret.txt`, sign: false }));
    expect(r.status).toBe(403);
    expectErrorXml(r.text, 'AccessDenied', requestIdOf(r));
    const rec = await recordOf(TARGET, 'private/', requestIdOf(r));
    expectCommon(rec, { bucket: Private, requestId: requestIdOf(r), window, requester: '-' });
    expect({ operation: rec.operation, key: rec.key, status: rec.status, errorCode: rec.errorCode, objectSize: rec.objectSize, turnAround: rec.turnAround }).toEqual({
      operation: 'REST.GET.OBJECT',
      key: 'secret.txt',
      status: '403',
      errorCode: 'AccessDenied',
      objectSize: '-',
      turnAround: '-',
    });
    expect(signedBy(rec)).toEqual(['-', '-']);
    // Only in the private bucket's own log.
    const fields = allRecords(await readLogs(TARGET, Prefix));
    expect(fields.find((x) => x.requestId === requestIdOf(r))).toBeUndefined();
  });

  it('a presigned GET: SigV4, QueryString, the request line with its query as sent', async () => {
    await ensureOddKey();
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: ODD_KEY }), { expiresIn: 300 }));
    const pathAndQuery = `${url.pathname}${url.search}`;
    expect(pathAndQuery).toContain('X-Amz-Signature=');
    const { r, window } = await timed(() => send(url, 'GET', pathAndQuery, { host: url.host }));
    expect(r.status).toBe(200);
    expect(r.body.equals(Body)).toBe(true);
    const rec = await recordOf(TARGET, Prefix, requestIdOf(r));
    expectCommon(rec, { bucket: Bucket, requestId: requestIdOf(r), window, requester: ownerId });
    expect({ operation: rec.operation, key: rec.key, requestUri: rec.requestUri, status: rec.status, bytesSent: rec.bytesSent }).toEqual({
      operation: 'REST.GET.OBJECT',
      key: ODD_KEY_ENCODED,
      requestUri: `GET ${pathAndQuery} HTTP/1.1`,
      status: '200',
      bytesSent: String(Body.length),
    });
    expect(signedBy(rec)).toEqual(['SigV4', 'QueryString']);
  });

  it('a virtual-hosted request: the Host header as sent, the bucket from it, the request line without the bucket', async () => {
    await ensureOddKey();
    const host = `${Bucket}.${VHOST_DOMAIN}:${gw.port}`;
    const { r, window } = await timed(() => rawRequest(gw, { method: 'GET', path: `/${ODD_KEY_ENCODED}`, host }));
    expect(r.status).toBe(200);
    expect(r.body.equals(Body)).toBe(true);
    const rec = await recordOf(TARGET, Prefix, requestIdOf(r));
    expectCommon(rec, { bucket: Bucket, requestId: requestIdOf(r), window, requester: ownerId, host });
    expect([rec.operation, rec.key, rec.requestUri]).toEqual(['REST.GET.OBJECT', ODD_KEY_ENCODED, `GET /${ODD_KEY_ENCODED} HTTP/1.1`]);
  });

  it("SDK operations: ListObjectsV2, CopyObject, DeleteObjects, DeleteObject, GetBucketLogging, with the SDK's request ids and user agent", async () => {
    await sdk.send(new PutObjectCommand({ Bucket, Key: 'to-delete-1', Body: 'a' }));
    await sdk.send(new PutObjectCommand({ Bucket, Key: 'to-delete-2', Body: 'b' }));
    const from = Date.now();
    const calls: { id: string; ua: string; req: SeenRequest }[] = [];
    const note = (out: { $metadata: { requestId?: string } }): void => {
      const req = seen[seen.length - 1]!;
      calls.push({ id: out.$metadata.requestId ?? '', ua: req.headers['user-agent'] ?? '', req });
    };
    note(await sdk.send(new ListObjectsV2Command({ Bucket, Prefix: 'dir/' })));
    note(await sdk.send(new CopyObjectCommand({ Bucket, Key: 'copied.txt', CopySource: `${Bucket}/plain.txt` })));
    note(await sdk.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'to-delete-1' }, { Key: 'to-delete-2' }] } })));
    note(await sdk.send(new DeleteObjectCommand({ Bucket, Key: 'copied.txt' })));
    note(await sdk.send(new GetBucketLoggingCommand({ Bucket })));
    const window = { from, to: Date.now() };
    const { byId } = await recordsOf(
      TARGET,
      Prefix,
      calls.map((c) => c.id),
    );
    const expected: [string, string, string, RegExp][] = [
      ['REST.GET.BUCKET', '-', '200', new RegExp(`^GET /${Bucket}/?\\?(.+&)?list-type=2(&.+)? HTTP/1\\.1$`)],
      ['REST.COPY.OBJECT', 'copied.txt', '200', new RegExp(`^PUT /${Bucket}/copied\\.txt(\\?.*)? HTTP/1\\.1$`)],
      ['REST.POST.MULTI_OBJECT_DELETE', '-', '200', new RegExp(`^POST /${Bucket}/?\\?(.+&)?delete(=)?(&.+)? HTTP/1\\.1$`)],
      ['REST.DELETE.OBJECT', 'copied.txt', '204', new RegExp(`^DELETE /${Bucket}/copied\\.txt(\\?.*)? HTTP/1\\.1$`)],
      ['REST.GET.LOGGING_STATUS', '-', '200', new RegExp(`^GET /${Bucket}/?\\?logging=? HTTP/1\\.1$`)],
    ];
    calls.forEach((c, n) => {
      const rec = byId.get(c.id)!;
      const [operation, key, status, line] = expected[n]!;
      expectCommon(rec, { bucket: Bucket, requestId: c.id, window, requester: ownerId });
      expect({ operation: rec.operation, key: rec.key, status: rec.status, errorCode: rec.errorCode, versionId: rec.versionId }).toEqual({ operation, key, status, errorCode: '-', versionId: '-' });
      expect(rec.requestUri).toMatch(line);
      expect(c.ua).toMatch(/^aws-sdk-js\//);
      expect(rec.userAgent).toBe(c.ua);
      expect(signedBy(rec)).toEqual(['SigV4', 'AuthHeader']);
    });
    // A listing's answer is a body: bytes sent is a number; a bucket operation has no object size.
    const list = byId.get(calls[0]!.id)!;
    expect(list.bytesSent).toMatch(/^[1-9]\d*$/);
    expect(list.objectSize).toBe('-');
  });

  it('a multipart upload: REST.POST.UPLOADS, REST.PUT.PART (twice), REST.POST.UPLOAD, the key on each', async () => {
    const Key = 'mp/big object.bin';
    const part1 = patternBytes(5 * 1024 * 1024, 11);
    const part2 = patternBytes(4321, 12);
    const ids: string[] = [];
    const from = Date.now();
    const created = await sdk.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    ids.push(created.$metadata.requestId!);
    const p1 = await sdk.send(new UploadPartCommand({ Bucket, Key, UploadId: created.UploadId, PartNumber: 1, Body: part1 }));
    ids.push(p1.$metadata.requestId!);
    const p2 = await sdk.send(new UploadPartCommand({ Bucket, Key, UploadId: created.UploadId, PartNumber: 2, Body: part2 }));
    ids.push(p2.$metadata.requestId!);
    const done = await sdk.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
    );
    ids.push(done.$metadata.requestId!);
    const window = { from, to: Date.now() };
    const { byId } = await recordsOf(TARGET, Prefix, ids);
    const ops = ids.map((id) => byId.get(id)!);
    expect(ops.map((r) => [r.operation, r.key, r.status])).toEqual([
      ['REST.POST.UPLOADS', 'mp/big%20object.bin', '200'],
      ['REST.PUT.PART', 'mp/big%20object.bin', '200'],
      ['REST.PUT.PART', 'mp/big%20object.bin', '200'],
      ['REST.POST.UPLOAD', 'mp/big%20object.bin', '200'],
    ]);
    for (const [n, rec] of ops.entries()) expectCommon(rec, { bucket: Bucket, requestId: ids[n]!, window, requester: ownerId });
    expect(ops[0]!.requestUri).toMatch(new RegExp(`^POST /${Bucket}/mp/big%20object\\.bin\\?(.+&)?uploads=?(&.+)? HTTP/1\\.1$`));
    expect(ops[1]!.requestUri).toMatch(/[?&]partNumber=1(&|\s)/);
    expect(ops[1]!.requestUri).toMatch(/[?&]uploadId=[^&\s]+/);
    expect(ops[2]!.requestUri).toMatch(/[?&]partNumber=2(&|\s)/);
    expect(ops[3]!.requestUri).toMatch(/^POST .*[?&]uploadId=/);
  }, 60_000);

  it("a key of another owner with a grant on the bucket: the requester is that key's canonical id, the bucket owner stays the owner's", async () => {
    await ensureOddKey();
    await admin(['key', 'allow', 'log-other', Bucket, '--read']);
    const { r, window } = await timed(() => rawRequest(gw, { method: 'GET', path: `/${Bucket}/plain.txt`, credentials: otherKey }));
    expect(r.status).toBe(200);
    const rec = await recordOf(TARGET, Prefix, requestIdOf(r));
    expectCommon(rec, { bucket: Bucket, requestId: requestIdOf(r), window, requester: otherId });
    expect(rec.bucketOwner).toBe(ownerId);
    expect(signedBy(rec)).toEqual(['SigV4', 'AuthHeader']);
  }, 60_000);

  it('a version id named by the request (?versionId=) is written; otherwise "-"', async () => {
    const B = 'log-versions';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    await enableLogging(B, { TargetBucket: TARGET, TargetPrefix: 'versions/' });
    const put = await rawRequest(gw, { method: 'PUT', path: `/${B}/v.txt`, body: 'version one' });
    expect(put.status).toBe(200);
    const versionId = header(put, 'x-amz-version-id');
    expect(versionId).toBeTruthy();
    const named = await rawRequest(gw, { method: 'GET', path: `/${B}/v.txt`, query: { versionId } });
    expect(named.status).toBe(200);
    expect(named.text).toBe('version one');
    const latest = await rawRequest(gw, { method: 'GET', path: `/${B}/v.txt` });
    expect(latest.status).toBe(200);
    const { byId } = await recordsOf(TARGET, 'versions/', [requestIdOf(put), requestIdOf(named), requestIdOf(latest)]);
    expect(byId.get(requestIdOf(named))!.versionId).toBe(versionId);
    expect(byId.get(requestIdOf(named))!.requestUri).toMatch(/^GET \/log-versions\/v\.txt\?versionId=\S+ HTTP\/1\.1$/);
    expect(byId.get(requestIdOf(put))!.versionId).toBe('-');
    expect(byId.get(requestIdOf(latest))!.versionId).toBe('-');
    for (const id of [requestIdOf(put), requestIdOf(named), requestIdOf(latest)]) expect(byId.get(id)!.bucket).toBe(B);
  });

  it('a browser POST upload: REST.POST.OBJECT, requester "-", authentication type HtmlForm', async () => {
    const { url, fields } = await createPresignedPost(s3, { Bucket, Key: 'form/upload.txt' });
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    fd.append('file', new Blob(['from a form']), 'upload.txt');
    const from = Date.now();
    const res = await fetch(url, { method: 'POST', body: fd, redirect: 'manual' });
    const window = { from, to: Date.now() };
    expect(res.status).toBe(204);
    const id = res.headers.get('x-amz-request-id') ?? '';
    const rec = await recordOf(TARGET, Prefix, id);
    expectCommon(rec, { bucket: Bucket, requestId: id, window, requester: '-' });
    expect({ operation: rec.operation, status: rec.status, errorCode: rec.errorCode, authType: rec.authType }).toEqual({
      operation: 'REST.POST.OBJECT',
      status: '204',
      errorCode: '-',
      authType: 'HtmlForm',
    });
    expect(rec.requestUri).toMatch(new RegExp(`^POST /${Bucket}/? HTTP/1\\.1$`));
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'form/upload.txt' }))).Body)).toString()).toBe('from a form');
  });

  it('ACL required: "Yes" when an object ACL (public-read) granted an anonymous GET; "-" when the owner reads or a bucket policy granted it', async () => {
    const B = 'log-acl';
    await s3.send(new CreateBucketCommand({ Bucket: B, ObjectOwnership: 'ObjectWriter' }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: B }));
    await enableLogging(B, { TargetBucket: TARGET, TargetPrefix: 'acl/' });
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'public.txt', Body: 'public by ACL', ACL: 'public-read' }));
    const anon = await rawRequest(gw, { method: 'GET', path: `/${B}/public.txt`, sign: false });
    expect(anon.status).toBe(200);
    const owner = await rawRequest(gw, { method: 'GET', path: `/${B}/public.txt` });
    expect(owner.status).toBe(200);
    const { byId } = await recordsOf(TARGET, 'acl/', [requestIdOf(anon), requestIdOf(owner)]);
    expect(byId.get(requestIdOf(anon))!.aclRequired).toBe('Yes');
    expect(byId.get(requestIdOf(owner))!.aclRequired).toBe('-');
    // log-fields is public by its bucket policy, not an ACL.
    await ensureOddKey();
    const byPolicy = await rawRequest(gw, { method: 'GET', path, sign: false });
    expect(byPolicy.status).toBe(200);
    expect((await recordOf(TARGET, Prefix, requestIdOf(byPolicy))).aclRequired).toBe('-');
  });

  it("CORS preflights and the website endpoint's requests are not logged", async () => {
    const base = new URL(gw.endpoint);
    await send(base, 'OPTIONS', `/${Bucket}/${ODD_KEY_ENCODED}`, {
      host: base.host,
      origin: 'https://example.org',
      'access-control-request-method': 'GET',
      'user-agent': 'e2e-preflight-probe',
    });
    const site = await send(new URL(gw.websiteEndpoint), 'GET', '/', { host: `${Bucket}.${WEB_DOMAIN}`, 'user-agent': 'e2e-website-probe' });
    expect(site.status).toBe(200);
    expect(site.text).toBe('<h1>log-fields</h1>');
    // A request after them that is logged: once its record is there, theirs would be too.
    const marker = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/plain.txt`, headers: { 'user-agent': 'e2e-after-probes' } });
    expect(marker.status).toBe(200);
    const { objects } = await recordsOf(TARGET, Prefix, [requestIdOf(marker)]);
    const records = allRecords(objects);
    expect(records.filter((x) => /e2e-(preflight|website)-probe/.test(x.userAgent)).map((x) => x.line)).toEqual([]);
    expect(records.filter((x) => x.operation === 'REST.OPTIONS.PREFLIGHT').map((x) => x.line)).toEqual([]);
    expect(records.filter((x) => x.hostHeader.includes(WEB_DOMAIN)).map((x) => x.line)).toEqual([]);
  });

  it('every record under fields/ names log-fields and its owner, and parses into the 26 fields', async () => {
    const marker = await rawRequest(gw, { method: 'GET', path: `/${Bucket}/plain.txt` });
    expect(marker.status).toBe(200);
    const records = allRecords((await recordsOf(TARGET, Prefix, [requestIdOf(marker)])).objects);
    expect(records.length).toBeGreaterThanOrEqual(1);
    for (const rec of records) {
      expect([rec.bucketOwner, rec.bucket]).toEqual([ownerId, Bucket]);
      expect(rec.status).toMatch(/^[1-5]\d\d$/);
      expect(rec.operation).toMatch(/^REST\.[A-Z]+\.[A-Z_]+$/);
      expect(rec.requestUri).toMatch(/^[A-Z]+ \/\S* HTTP\/1\.[01]$/);
    }
  });
});

// =========================================================================================================

describe(`log objects: keys, content, encryption, delivery (${E2E_MODE} mode)`, () => {
  /** Makes a signed GET of a missing key in `bucket` (a request every source can answer): its request id. */
  async function poke(bucket: string, ua = 'e2e-poke'): Promise<string> {
    const r = await rawRequest(gw, { method: 'GET', path: `/${bucket}/poke-${Math.random().toString(36).slice(2)}`, headers: { 'user-agent': ua } });
    expect(r.status).toBe(404);
    return requestIdOf(r);
  }

  it('SimplePrefix, as the default and when set: <prefix>YYYY-MM-DD-hh-mm-ss-<16 uppercase hex>, dated by the delivery', async () => {
    for (const [B, Prefix, format] of [
      ['log-simple-default', 'simple-default/', undefined],
      ['log-simple', 'simple/', { SimplePrefix: {} }],
    ] as const) {
      await s3.send(new CreateBucketCommand({ Bucket: B }));
      await enableLogging(B, { TargetBucket: TARGET, TargetPrefix: Prefix, ...(format && { TargetObjectKeyFormat: format }) });
      const from = Date.now();
      const id = await poke(B);
      const { objects } = await recordsOf(TARGET, Prefix, [id]);
      const to = Date.now();
      const re = new RegExp(`^${escapeRe(Prefix)}(\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2})-[0-9A-F]{16}$`);
      for (const o of objects) {
        const m = re.exec(o.key);
        if (!m) throw new Error(`log object key ${o.key} is not ${re}`);
        expectInWindow(stampTime(m[1]!), { from, to }, `the delivery time in ${o.key}`);
      }
    }
  });

  it.each(['EventTime', 'DeliveryTime'] as const)(
    'PartitionedPrefix (%s): <prefix><owner id>/<region>/<bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<16 uppercase hex>',
    async (PartitionDateSource) => {
      const B = `log-part-${PartitionDateSource.toLowerCase()}`;
      const Prefix = `part-${PartitionDateSource.toLowerCase()}/`;
      await s3.send(new CreateBucketCommand({ Bucket: B }));
      await enableLogging(B, { TargetBucket: TARGET, TargetPrefix: Prefix, TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource } } });
      const from = Date.now();
      const id = await poke(B);
      const { objects, byId } = await recordsOf(TARGET, Prefix, [id]);
      const to = Date.now();
      expect(byId.get(id)!.bucket).toBe(B);
      const re = new RegExp(
        `^${escapeRe(Prefix)}${ownerId}/${escapeRe(REGION)}/${escapeRe(B)}/(\\d{4})/(\\d{2})/(\\d{2})/((\\d{4})-(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2}))-[0-9A-F]{16}$`,
      );
      for (const o of objects) {
        const m = re.exec(o.key);
        if (!m) throw new Error(`log object key ${o.key} is not ${re}`);
        // The partition's date is the stamp's date.
        expect(`${m[1]}-${m[2]}-${m[3]}`).toBe(`${m[5]}-${m[6]}-${m[7]}`);
        const stamp = stampTime(m[4]!);
        if (PartitionDateSource === 'DeliveryTime') {
          expectInWindow(stamp, { from, to }, `the delivery time in ${o.key}`);
        } else {
          // The day of the records (AWS: "the hour, minutes and seconds are set to 00"; or the first record's time).
          expect([utcDay(from), utcDay(to)]).toContain(`${m[5]}-${m[6]}-${m[7]}`);
          if (`${m[8]}-${m[9]}-${m[10]}` !== '00-00-00') expectInWindow(stamp, { from, to }, `the event time in ${o.key}`);
        }
      }
    },
  );

  it('log objects are text/plain; unencrypted in a plain target; SSE-S3 (AES256) in a target whose default encryption is AES256', async () => {
    const Src = 'log-enc-src';
    const Enc = 'log-encrypted-target';
    await s3.send(new CreateBucketCommand({ Bucket: Src }));
    await s3.send(new CreateBucketCommand({ Bucket: Enc }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: Enc, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    await enableLogging(Src, { TargetBucket: Enc, TargetPrefix: 'enc/' });
    const encObjects = (await recordsOf(Enc, 'enc/', [await poke(Src)])).objects;
    for (const o of encObjects) {
      const h = await s3.send(new HeadObjectCommand({ Bucket: Enc, Key: o.key }));
      expect({ key: o.key, type: h.ContentType, sse: h.ServerSideEncryption, length: h.ContentLength }).toEqual({
        key: o.key,
        type: 'text/plain',
        sse: 'AES256',
        length: Buffer.byteLength(o.text),
      });
      const g = await s3.send(new GetObjectCommand({ Bucket: Enc, Key: o.key }));
      expect(g.ServerSideEncryption).toBe('AES256');
      expect((await bodyBytes(g.Body)).toString('utf8')).toBe(o.text);
    }
    // The same source logging into the plain target: no encryption.
    await enableLogging(Src, { TargetBucket: TARGET, TargetPrefix: 'enc-plain/' });
    const plainObjects = (await recordsOf(TARGET, 'enc-plain/', [await poke(Src)])).objects;
    for (const o of plainObjects) {
      const h = await s3.send(new HeadObjectCommand({ Bucket: TARGET, Key: o.key }));
      expect({ type: h.ContentType, sse: h.ServerSideEncryption }).toEqual({ type: 'text/plain', sse: undefined });
    }
  });

  it('two source buckets logging into one target and prefix: separate objects, each naming only its own bucket; requests to the target are not logged', async () => {
    const A = 'log-shared-a';
    const B = 'log-shared-b';
    const Shared = 'log-shared-target';
    for (const b of [A, B, Shared]) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enableLogging(A, { TargetBucket: Shared, TargetPrefix: 'shared/' });
    await enableLogging(B, { TargetBucket: Shared, TargetPrefix: 'shared/' });
    // Interleaved, within one flush period.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await poke(A));
      ids.push(await poke(B));
    }
    // Requests to the target itself (it has no logging): signed and anonymous.
    await s3.send(new PutObjectCommand({ Bucket: Shared, Key: 'not-a-log.txt', Body: 'x' }));
    expect((await rawRequest(gw, { method: 'GET', path: `/${Shared}/not-a-log.txt`, headers: { 'user-agent': 'e2e-target-reader' } })).status).toBe(200);
    const { objects, byId } = await recordsOf(Shared, 'shared/', ids);
    expect(ids.map((id) => byId.get(id)!.bucket)).toEqual([A, B, A, B, A, B]);
    const bucketsPerObject = objects.map((o) => [...new Set(o.records.map((r) => r.bucket))]);
    for (const [n, names] of bucketsPerObject.entries()) {
      if (names.length !== 1) throw new Error(`log object ${objects[n]!.key} mixes buckets ${names.join(', ')}:\n${objects[n]!.text}`);
    }
    expect(new Set(bucketsPerObject.flat())).toEqual(new Set([A, B]));
    // Nothing in the target names the target (listed and read many times meanwhile), and it holds
    // nothing but the log objects and the one object put there.
    expect(allRecords(await readLogs(Shared, 'shared/')).filter((r) => r.bucket === Shared || r.userAgent === 'e2e-target-reader').map((r) => r.line)).toEqual([]);
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: Shared }))).Contents ?? []).map((o) => o.Key!);
    expect(keys.filter((k) => !k.startsWith('shared/'))).toEqual(['not-a-log.txt']);
  });

  it('a bucket logging into itself: its requests are logged, the log writes never are', async () => {
    const Self = 'log-self';
    const Prefix = 'self/';
    await s3.send(new CreateBucketCommand({ Bucket: Self }));
    await s3.send(new PutObjectCommand({ Bucket: Self, Key: 'data.txt', Body: 'self data' }));
    const mine = new Set<string>([await enableLogging(Self, { TargetBucket: Self, TargetPrefix: Prefix })]);
    const get = await rawRequest(gw, { method: 'GET', path: `/${Self}/data.txt` });
    expect(get.status).toBe(200);
    mine.add(requestIdOf(get));
    // The reader's own requests (lists and reads of the log objects) are logged too: note them.
    let pollIds: string[] = [];
    const onRequestId = (id: string): void => {
      mine.add(id);
      pollIds.push(id);
    };
    await pollLogs(Self, Prefix, (objs) => {
      const found = allRecords(objs).some((r) => r.requestId === requestIdOf(get));
      if (!found) pollIds = [];
      return found;
    }, 'the GET of log-self', { onRequestId });
    // The requests of the poll that saw the first log object came after its write: once they are logged,
    // a record of that write would be too.
    const after = [...pollIds];
    const objects = await pollLogs(Self, Prefix, (objs) => {
      const ids = new Set(allRecords(objs).map((r) => r.requestId));
      return after.every((id) => ids.has(id));
    }, 'the records of the requests that read the first log object', { onRequestId });
    const records = allRecords(objects);
    expect(records.filter((r) => !mine.has(r.requestId)).map((r) => r.line)).toEqual([]);
    expect(records.filter((r) => r.operation === 'REST.PUT.OBJECT').map((r) => r.line)).toEqual([]);
    for (const r of records) expect([r.bucket, r.requester]).toEqual([Self, ownerId]);
  });

  it('turning logging off stops new records; turned on again, records go under the new prefix', async () => {
    const B = 'log-off';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await enableLogging(B, { TargetBucket: TARGET, TargetPrefix: 'off/' });
    const before = await poke(B, 'e2e-before-off');
    await recordsOf(TARGET, 'off/', [before]);
    expect((await s3.send(new PutBucketLoggingCommand({ Bucket: B, BucketLoggingStatus: {} }))).$metadata.httpStatusCode).toBe(200);
    expect(await loggingOf(B)).toBeUndefined();
    const whileOff = [await poke(B, 'e2e-while-off'), await poke(B, 'e2e-while-off')];
    await enableLogging(B, { TargetBucket: TARGET, TargetPrefix: 'off-again/' });
    const again = await poke(B, 'e2e-on-again');
    await recordsOf(TARGET, 'off-again/', [again]);
    const all = [...allRecords(await readLogs(TARGET, 'off/')), ...allRecords(await readLogs(TARGET, 'off-again/'))];
    expect(all.filter((r) => whileOff.includes(r.requestId) || r.userAgent === 'e2e-while-off').map((r) => r.line)).toEqual([]);
    // Nothing after the first prefix was left went there.
    expect(allRecords(await readLogs(TARGET, 'off/')).some((r) => r.requestId === again)).toBe(false);
  });

  /** A counter on /-/metrics (the label set written as in the exposition, e.g. `{result="ok"}`). */
  async function metric(name: string): Promise<number> {
    const res = await fetch(gw.gatewayMetricsUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    const m = new RegExp(`^${escapeRe(name)} (\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`${name} is not on ${gw.gatewayMetricsUrl}:\n${text.split('\n').filter((l) => l.includes('access_log')).join('\n')}`);
    return Number(m[1]);
  }
  const RECORDS = 's3_access_log_records_total';
  const OK = 's3_access_log_objects_total{result="ok"}';
  const ERROR = 's3_access_log_objects_total{result="error"}';
  const DROPPED = 's3_access_log_dropped_records_total';

  it('metrics: s3_access_log_records_total and s3_access_log_objects_total{result="ok"} grow with records and objects written', async () => {
    const B = 'log-metrics';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await enableLogging(B, { TargetBucket: TARGET, TargetPrefix: 'metrics/' });
    await recordsOf(TARGET, 'metrics/', [await poke(B)]); // the cache warm, a first object out
    const records0 = await metric(RECORDS);
    const ok0 = await metric(OK);
    const ids = [await poke(B), await poke(B), await poke(B)];
    const { objects } = await recordsOf(TARGET, 'metrics/', ids);
    const newObjects = objects.filter((o) => o.records.some((r) => ids.includes(r.requestId)));
    expect(newObjects.length).toBeGreaterThanOrEqual(1);
    expect((await metric(RECORDS)) - records0).toBeGreaterThanOrEqual(ids.length);
    expect((await metric(OK)) - ok0).toBeGreaterThanOrEqual(newObjects.length);
    for (const n of [ERROR, DROPPED]) expect(Number.isFinite(await metric(n))).toBe(true);
  });

  it("a deleted target bucket: the source's requests still succeed; the failed deliveries are counted (result=\"error\") and their records dropped", async () => {
    const Src = 'log-orphan';
    const Gone = 'log-orphan-target';
    await s3.send(new CreateBucketCommand({ Bucket: Src }));
    await s3.send(new CreateBucketCommand({ Bucket: Gone }));
    await enableLogging(Src, { TargetBucket: Gone, TargetPrefix: 'gone/' });
    // A first delivery that works: the configuration is cached and nothing older is left buffered.
    const { objects } = await recordsOf(Gone, 'gone/', [await poke(Src)]);
    await s3.send(new DeleteObjectsCommand({ Bucket: Gone, Delete: { Objects: objects.map((o) => ({ Key: o.key })) } }));
    await s3.send(new DeleteBucketCommand({ Bucket: Gone }));
    const error0 = await metric(ERROR);
    const dropped0 = await metric(DROPPED);
    const put = await rawRequest(gw, { method: 'PUT', path: `/${Src}/still-works.txt`, body: 'still works' });
    expect(put.status).toBe(200);
    const got = await rawRequest(gw, { method: 'GET', path: `/${Src}/still-works.txt` });
    expect([got.status, got.text]).toEqual([200, 'still works']);
    const deadline = Date.now() + 20_000;
    let dropped = dropped0;
    while (Date.now() < deadline) {
      dropped = await metric(DROPPED);
      if (dropped - dropped0 >= 2) break;
      await sleep(200);
    }
    expect(dropped - dropped0).toBeGreaterThanOrEqual(2);
    expect((await metric(ERROR)) - error0).toBeGreaterThanOrEqual(1);
    // The target was not brought back by a delivery.
    await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: Gone })), 'NoSuchBucket', 404);
  }, 60_000);
});

// =========================================================================================================

describe(`graceful shutdown writes what is buffered (${E2E_MODE} mode, MASSIVE_ACCESS_LOG_FLUSH_MS=600000)`, () => {
  const Src = 'log-shutdown-src';
  const Target = 'log-shutdown-target';
  let slowS3: S3Client;

  beforeAll(async () => {
    slowS3 = s3Client(slow);
    await slowS3.send(new CreateBucketCommand({ Bucket: Src }));
    await slowS3.send(new CreateBucketCommand({ Bucket: Target }));
    const r = await slowS3.send(new PutBucketLoggingCommand({ Bucket: Src, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: Target, TargetPrefix: 'shutdown/' } } }));
    expect(r.$metadata.httpStatusCode).toBe(200);
  });

  it('a buffer reaching 64 KiB is written at once, long before the flush delay', async () => {
    const Big = 'log-bigbuf-src';
    await slowS3.send(new CreateBucketCommand({ Bucket: Big }));
    const r = await slowS3.send(new PutBucketLoggingCommand({ Bucket: Big, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: Target, TargetPrefix: 'bigbuf/' } } }));
    expect(r.$metadata.httpStatusCode).toBe(200);
    // Records of about 2.3 KB each (a 2000-character user agent): 40 of them pass 64 KiB.
    const ua = `e2e-bigbuf-${'u'.repeat(2000)}`;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const g = await rawRequest(slow, { method: 'GET', path: `/${Big}/missing-${i}`, headers: { 'user-agent': ua } });
      expect(g.status).toBe(404);
      ids.push(requestIdOf(g));
    }
    const objects = await pollLogs(Target, 'bigbuf/', (objs) => objs.length > 0, 'a log object written at 64 KiB', { client: slowS3 });
    const records = allRecords(objects);
    expect(records.length).toBeGreaterThanOrEqual(20);
    for (const rec of records) expect(rec.bucket).toBe(Big);
    // The first object holds the earliest records, in order; the user agent whole.
    const firstIds = records.map((x) => x.requestId).filter((id) => ids.includes(id));
    expect(firstIds).toEqual(ids.slice(0, firstIds.length));
    expect(records.find((x) => x.requestId === ids[0])?.userAgent).toBe(ua);
    for (const o of objects) expect(Buffer.byteLength(o.text)).toBeGreaterThanOrEqual(64 * 1024);
  }, 60_000);

  it('records held for a ten-minute flush are written when the gateway stops (SIGTERM), and found after it starts again', async () => {
    const slowOwner = (await slowS3.send(new ListBucketsCommand({}))).Owner?.ID ?? '';
    const from = Date.now();
    const ids: string[] = [];
    const put = await rawRequest(slow, { method: 'PUT', path: `/${Src}/kept.txt`, body: 'kept across a restart' });
    expect(put.status).toBe(200);
    ids.push(requestIdOf(put));
    for (let i = 0; i < 3; i++) {
      const g = await rawRequest(slow, { method: 'GET', path: `/${Src}/kept.txt` });
      expect(g.status).toBe(200);
      ids.push(requestIdOf(g));
    }
    const to = Date.now();
    // Not written yet: the flush is ten minutes away.
    await sleep(1000);
    expect((await readLogs(Target, 'shutdown/', { client: slowS3 })).length).toBe(0);
    slowS3.destroy();
    expect(await slow.stop()).toBe(0);
    await slow.start();
    slowS3 = s3Client(slow);
    const { byId, objects } = await recordsOf(Target, 'shutdown/', ids, { client: slowS3, timeoutMs: 5_000 });
    expect(objects.length).toBeGreaterThanOrEqual(1);
    expect(ids.map((id) => byId.get(id)!.operation)).toEqual(['REST.PUT.OBJECT', 'REST.GET.OBJECT', 'REST.GET.OBJECT', 'REST.GET.OBJECT']);
    for (const id of ids) {
      const rec = byId.get(id)!;
      expect([rec.bucketOwner, rec.bucket, rec.requester, rec.key]).toEqual([slowOwner, Src, slowOwner, 'kept.txt']);
      expectInWindow(recordTime(rec.time), { from, to }, `record time of ${id}`);
    }
    for (const o of objects) {
      const h = await slowS3.send(new HeadObjectCommand({ Bucket: Target, Key: o.key }));
      expect(h.ContentType).toBe('text/plain');
    }
  }, 120_000);
});

// =========================================================================================================

/** The aws CLI (v1 or v2), Debian's package first. */
const AWS = findTool([process.env['MASSIVE_E2E_AWS_CLI'], '/usr/bin/aws', 'aws'], ['--version'], (v) => /^aws-cli\/[12]\./.test(v));
const describeCli = describeWithTool('access-logging.spec.ts (aws CLI)', AWS, 'the aws CLI is not installed', "Debian's awscli");

describeCli(`aws CLI: s3api put-bucket-logging / get-bucket-logging (${E2E_MODE} mode)`, () => {
  const Src = 'log-cli-src';
  const Target = 'log-cli-target';
  const cli = useAwsCli(AWS, gw, 'logging-cli');
  const { ok } = cli;

  beforeAll(async () => {
    writeFileSync(join(cli.work, 'file.txt'), 'uploaded by the aws cli');
    await s3.send(new CreateBucketCommand({ Bucket: Src }));
    await s3.send(new CreateBucketCommand({ Bucket: Target }));
  });

  it('put-bucket-logging sets it, get-bucket-logging shows it, and the CLI\'s own requests are logged with its user agent', async () => {
    await ok('s3api', 'put-bucket-logging', '--bucket', Src, '--bucket-logging-status', JSON.stringify({ LoggingEnabled: { TargetBucket: Target, TargetPrefix: 'cli/' } }));
    const got = JSON.parse(await ok('s3api', 'get-bucket-logging', '--bucket', Src)) as BucketLoggingStatus;
    expect(got).toEqual({ LoggingEnabled: { TargetBucket: Target, TargetPrefix: 'cli/' } });
    expect(await loggingOf(Src)).toEqual({ TargetBucket: Target, TargetPrefix: 'cli/' });
    const from = Date.now();
    await ok('s3api', 'put-object', '--bucket', Src, '--key', 'from cli/file.txt', '--body', join(cli.work, 'file.txt'));
    const to = Date.now();
    const objects = await pollLogs(
      Target,
      'cli/',
      (objs) => allRecords(objs).some((r) => r.operation === 'REST.PUT.OBJECT' && r.key === 'from%20cli/file.txt'),
      "the aws cli's put-object",
    );
    const rec = allRecords(objects).find((r) => r.operation === 'REST.PUT.OBJECT' && r.key === 'from%20cli/file.txt')!;
    expect([rec.bucketOwner, rec.bucket, rec.requester, rec.status, rec.errorCode]).toEqual([ownerId, Src, ownerId, '200', '-']);
    expect(rec.userAgent).toMatch(/^aws-cli\/[12]\./);
    expect(signedBy(rec)).toEqual(['SigV4', 'AuthHeader']);
    expectInWindow(recordTime(rec.time), { from, to }, 'the aws cli record time');
    // Off again with the CLI: an empty status.
    await ok('s3api', 'put-bucket-logging', '--bucket', Src, '--bucket-logging-status', '{}');
    expect(await loggingOf(Src)).toBeUndefined();
  }, 120_000);
});
