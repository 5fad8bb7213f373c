import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { rawRequest, type RawResponse } from '../support/raw-http';
import { bodyBytes, expectErrorXml, expectS3Error, md5Base64 } from '../support/s3-assert';
import { useGateway } from '../support/server';

/**
 * S3 Object Lock: a bucket's configuration and default retention, a version's retention (GOVERNANCE, COMPLIANCE)
 * and legal hold, and the deletes and changes they refuse. Locked versions cannot be removed, so no bucket here is
 * emptied afterwards: the gateway's data dir goes with the run (useGateway's dispose).
 */
const gw = useGateway();
let s3: S3Client;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LOCKED_MESSAGE = 'Access Denied because object protected by object lock.';

beforeAll(() => {
  s3 = s3Client(gw);
});

/** A date `ms` from now, never on a whole second, so a server that drops the milliseconds is caught. */
function fromNow(ms: number): Date {
  const d = new Date(Date.now() + ms);
  if (d.getUTCMilliseconds() === 0) d.setUTCMilliseconds(123);
  return d;
}

const tomorrow = (): Date => fromNow(DAY);

async function createLockBucket(Bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
}

/** PutObject with the given lock parameters; answers the new version's id. */
async function putVersion(Bucket: string, Key: string, lock: Partial<PutObjectCommandInput> = {}): Promise<string> {
  const r = await s3.send(new PutObjectCommand({ Bucket, Key, Body: `body of ${Key}`, ...lock }));
  expect(r.VersionId).toMatch(/^\S+$/);
  return r.VersionId!;
}

/** What HeadObject says of a version's lock: mode, retain-until (ms since the epoch) and legal hold. */
async function headLock(Bucket: string, Key: string, VersionId?: string): Promise<{ mode?: string; until?: number; hold?: string }> {
  const h = await s3.send(new HeadObjectCommand({ Bucket, Key, VersionId }));
  return { mode: h.ObjectLockMode, until: h.ObjectLockRetainUntilDate?.getTime(), hold: h.ObjectLockLegalHoldStatus };
}

/** GetObjectRetention's answer as mode and ms. */
async function retentionOf(Bucket: string, Key: string, VersionId: string): Promise<{ mode?: string; until?: number }> {
  const r = await s3.send(new GetObjectRetentionCommand({ Bucket, Key, VersionId }));
  return { mode: r.Retention?.Mode, until: r.Retention?.RetainUntilDate?.getTime() };
}

function deleteVersion(Bucket: string, Key: string, VersionId: string, bypass = false) {
  return s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId, ...(bypass && { BypassGovernanceRetention: true }) }));
}

/** A removal refused by the lock: 403 AccessDenied with AWS's message. */
async function expectLocked(p: Promise<unknown>): Promise<void> {
  const err = await expectS3Error(p, 'AccessDenied', 403);
  expect(err.message).toBe(LOCKED_MESSAGE);
}

/** The version is still there and readable by its id. */
async function expectReadable(Bucket: string, Key: string, VersionId: string): Promise<void> {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  expect(got.VersionId).toBe(VersionId);
  expect((await bodyBytes(got.Body)).toString()).toBe(`body of ${Key}`);
}

/** An error document with this code and status, for raw requests. */
function expectRawError(r: RawResponse, code: string, status: number): Record<string, string> {
  expect(r.status).toBe(status);
  return expectErrorXml(r.text, code, r.headers['x-amz-request-id'] as string);
}

describe('enabling Object Lock on a bucket', () => {
  const Created = 'lock-created';
  const Plain = 'lock-plain-config';
  const Later = 'lock-enabled-later';

  beforeAll(async () => {
    await createLockBucket(Created);
    await s3.send(new CreateBucketCommand({ Bucket: Plain }));
    await s3.send(new CreateBucketCommand({ Bucket: Later }));
  });

  it('CreateBucket with ObjectLockEnabledForBucket: versioning Enabled, Object Lock Enabled without a Rule; a plain bucket has no configuration (404)', async () => {
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: Created }))).Status).toBe('Enabled');
    const conf = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: Created }));
    expect(conf.ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
    expect(conf.ObjectLockConfiguration?.Rule).toBeUndefined();
    await expectS3Error(s3.send(new GetObjectLockConfigurationCommand({ Bucket: Plain })), 'ObjectLockConfigurationNotFoundError', 404);
  });

  it('versioning cannot be suspended on a lock bucket (409 InvalidBucketState); Enabled again is accepted', async () => {
    const err = await expectS3Error(
      s3.send(new PutBucketVersioningCommand({ Bucket: Created, VersioningConfiguration: { Status: 'Suspended' } })),
      'InvalidBucketState',
      409,
    );
    expect(err.message).toBe('An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: Created }))).Status).toBe('Enabled');
    const again = await s3.send(new PutBucketVersioningCommand({ Bucket: Created, VersioningConfiguration: { Status: 'Enabled' } }));
    expect(again.$metadata.httpStatusCode).toBe(200);
  });

  it('PutObjectLockConfiguration needs versioning Enabled (409 InvalidBucketState); then it enables Object Lock', async () => {
    const enable = () => s3.send(new PutObjectLockConfigurationCommand({ Bucket: Later, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
    const err = await expectS3Error(enable(), 'InvalidBucketState', 409);
    expect(err.message).toBe("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
    await expectS3Error(s3.send(new GetObjectLockConfigurationCommand({ Bucket: Later })), 'ObjectLockConfigurationNotFoundError', 404);

    await s3.send(new PutBucketVersioningCommand({ Bucket: Later, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await enable()).$metadata.httpStatusCode).toBe(200);
    const conf = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: Later }));
    expect(conf.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
  });

  it('a default retention Rule is returned as set; a configuration without a Rule removes it', async () => {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: Created,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
      }),
    );
    const withRule = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: Created }));
    expect(withRule.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } });

    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: Created, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
    const without = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: Created }));
    expect(without.ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
    expect(without.ObjectLockConfiguration?.Rule).toBeUndefined();
  });

  it('bad documents: Days 0 → 400 InvalidArgument; Days and Years, or an unknown Mode → 400 MalformedXML; nothing changes', async () => {
    const ns = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
    const doc = (mode: string) =>
      `<ObjectLockConfiguration ${ns}><ObjectLockEnabled>Enabled</ObjectLockEnabled>` +
      `<Rule><DefaultRetention><Mode>${mode}</Mode><Days>2</Days></DefaultRetention></Rule></ObjectLockConfiguration>`;
    const putRaw = (body: string) => rawRequest(gw, { method: 'PUT', path: `/${Later}`, query: { 'object-lock': '' }, body, headers: { 'content-md5': md5Base64(body) } });
    // The raw request itself is right: a good document sent the same way is taken.
    expect((await putRaw(doc('GOVERNANCE'))).status).toBe(200);
    const stored = { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2 } } };
    expect((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: Later }))).ObjectLockConfiguration).toEqual(stored);

    const put = (DefaultRetention: { Days?: number; Years?: number }) =>
      s3.send(new PutObjectLockConfigurationCommand({ Bucket: Later, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', ...DefaultRetention } } } }));
    await expectS3Error(put({ Days: 0 }), 'InvalidArgument', 400);
    await expectS3Error(put({ Days: 1, Years: 1 }), 'MalformedXML', 400);
    expectRawError(await putRaw(doc('bogus')), 'MalformedXML', 400);

    expect((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: Later }))).ObjectLockConfiguration).toEqual(stored);
  });
});

describe('retention on object versions', () => {
  const Bucket = 'lock-retention';

  beforeAll(() => createLockBucket(Bucket));

  it('GOVERNANCE: HEAD, GET and GetObjectRetention report it; a delete by id is refused (403) unless governance is bypassed (204)', async () => {
    const Key = 'governed';
    const until = tomorrow();
    const v = await putVersion(Bucket, Key, { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until });

    expect(await headLock(Bucket, Key, v)).toEqual({ mode: 'GOVERNANCE', until: until.getTime(), hold: undefined });
    const got = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId: v }));
    await bodyBytes(got.Body);
    expect(got.ObjectLockMode).toBe('GOVERNANCE');
    expect(got.ObjectLockRetainUntilDate?.getTime()).toBe(until.getTime());
    expect(got.ObjectLockLegalHoldStatus).toBeUndefined();
    expect(await retentionOf(Bucket, Key, v)).toEqual({ mode: 'GOVERNANCE', until: until.getTime() });

    await expectLocked(deleteVersion(Bucket, Key, v));
    await expectReadable(Bucket, Key, v);
    const del = await deleteVersion(Bucket, Key, v, true);
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(del.VersionId).toBe(v);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key, VersionId: v })), 'NoSuchVersion', 404);
  });

  it('COMPLIANCE: no delete by id even with bypass; cannot be shortened (even with bypass) or turned to GOVERNANCE; can be extended', async () => {
    const Key = 'compliant';
    const until = tomorrow();
    const v = await putVersion(Bucket, Key, { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until });
    await expectLocked(deleteVersion(Bucket, Key, v));
    await expectLocked(deleteVersion(Bucket, Key, v, true));

    const setRetention = (Mode: 'GOVERNANCE' | 'COMPLIANCE', RetainUntilDate: Date, bypass = false) =>
      s3.send(new PutObjectRetentionCommand({ Bucket, Key, VersionId: v, Retention: { Mode, RetainUntilDate }, ...(bypass && { BypassGovernanceRetention: true }) }));
    const shorter = new Date(until.getTime() - HOUR);
    await expectS3Error(setRetention('COMPLIANCE', shorter), 'AccessDenied', 403);
    await expectS3Error(setRetention('COMPLIANCE', shorter, true), 'AccessDenied', 403);
    await expectS3Error(setRetention('GOVERNANCE', until), 'AccessDenied', 403);
    await expectS3Error(setRetention('GOVERNANCE', until, true), 'AccessDenied', 403);
    expect(await retentionOf(Bucket, Key, v)).toEqual({ mode: 'COMPLIANCE', until: until.getTime() });

    const longer = new Date(until.getTime() + HOUR);
    expect((await setRetention('COMPLIANCE', longer)).$metadata.httpStatusCode).toBe(200);
    expect(await retentionOf(Bucket, Key, v)).toEqual({ mode: 'COMPLIANCE', until: longer.getTime() });
    expect((await headLock(Bucket, Key, v)).until).toBe(longer.getTime());
    await expectReadable(Bucket, Key, v);
  });

  it('GOVERNANCE: shortening is refused (403) unless governance is bypassed (200)', async () => {
    const Key = 'governed-shortened';
    const until = tomorrow();
    const v = await putVersion(Bucket, Key, { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until });
    const shorter = new Date(until.getTime() - HOUR);
    const shorten = (bypass: boolean) =>
      s3.send(new PutObjectRetentionCommand({ Bucket, Key, VersionId: v, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: shorter }, ...(bypass && { BypassGovernanceRetention: true }) }));
    await expectS3Error(shorten(false), 'AccessDenied', 403);
    expect(await retentionOf(Bucket, Key, v)).toEqual({ mode: 'GOVERNANCE', until: until.getTime() });
    expect((await shorten(true)).$metadata.httpStatusCode).toBe(200);
    expect(await retentionOf(Bucket, Key, v)).toEqual({ mode: 'GOVERNANCE', until: shorter.getTime() });
  });

  it('a DELETE without a version id adds a delete marker (204); the locked version stays listed and readable', async () => {
    const Key = 'marked';
    const v = await putVersion(Bucket, Key, { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: tomorrow() });
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toMatch(/^\S+$/);
    expect(del.VersionId).not.toBe(v);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key })), 'NoSuchKey', 404);

    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }));
    expect(listed.Versions?.map((x) => ({ Key: x.Key, VersionId: x.VersionId, IsLatest: x.IsLatest }))).toEqual([{ Key, VersionId: v, IsLatest: false }]);
    expect(listed.DeleteMarkers?.map((m) => ({ Key: m.Key, VersionId: m.VersionId, IsLatest: m.IsLatest }))).toEqual([{ Key, VersionId: del.VersionId, IsLatest: true }]);
    await expectReadable(Bucket, Key, v);
  });

  it('DeleteObjects by version id: the locked version is an AccessDenied error, the unlocked one is deleted (200)', async () => {
    const locked = await putVersion(Bucket, 'batch-locked', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: tomorrow() });
    const free = await putVersion(Bucket, 'batch-free');
    const res = await s3.send(
      new DeleteObjectsCommand({
        Bucket,
        Delete: {
          Objects: [
            { Key: 'batch-locked', VersionId: locked },
            { Key: 'batch-free', VersionId: free },
          ],
        },
      }),
    );
    expect(res.$metadata.httpStatusCode).toBe(200);
    expect(res.Errors).toEqual([{ Key: 'batch-locked', VersionId: locked, Code: 'AccessDenied', Message: expect.any(String) }]);
    expect(res.Deleted).toEqual([{ Key: 'batch-free', VersionId: free }]);
    await expectReadable(Bucket, 'batch-locked', locked);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'batch-free', VersionId: free })), 'NoSuchVersion', 404);
  });
});

describe('legal hold', () => {
  const Bucket = 'lock-legal-hold';

  beforeAll(() => createLockBucket(Bucket));

  it('ON blocks deletes by id, with or without bypass (403), until it is set OFF (then 204)', async () => {
    const Key = 'held';
    const v = await putVersion(Bucket, Key, { ObjectLockLegalHoldStatus: 'ON' });
    expect(await headLock(Bucket, Key, v)).toEqual({ mode: undefined, until: undefined, hold: 'ON' });
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key, VersionId: v }))).LegalHold?.Status).toBe('ON');
    await expectLocked(deleteVersion(Bucket, Key, v));
    await expectLocked(deleteVersion(Bucket, Key, v, true));
    await expectReadable(Bucket, Key, v);

    await s3.send(new PutObjectLegalHoldCommand({ Bucket, Key, VersionId: v, LegalHold: { Status: 'OFF' } }));
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key, VersionId: v }))).LegalHold?.Status).toBe('OFF');
    const del = await deleteVersion(Bucket, Key, v);
    expect(del.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key, VersionId: v })), 'NoSuchVersion', 404);
  });

  it('a version that never had a legal hold or a retention: GetObjectLegalHold / GetObjectRetention → 404 NoSuchObjectLockConfiguration', async () => {
    const plain = await putVersion(Bucket, 'never-locked');
    await expectS3Error(s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'never-locked', VersionId: plain })), 'NoSuchObjectLockConfiguration', 404);
    await expectS3Error(s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'never-locked', VersionId: plain })), 'NoSuchObjectLockConfiguration', 404);
    // Each is independent of the other: a retention is no legal hold, a legal hold no retention.
    const retained = await putVersion(Bucket, 'retained-only', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: tomorrow() });
    await expectS3Error(s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'retained-only', VersionId: retained })), 'NoSuchObjectLockConfiguration', 404);
    const held = await putVersion(Bucket, 'held-only', { ObjectLockLegalHoldStatus: 'ON' });
    await expectS3Error(s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'held-only', VersionId: held })), 'NoSuchObjectLockConfiguration', 404);
  });
});

describe('bucket default retention', () => {
  const Bucket = 'lock-default';

  beforeAll(async () => {
    await createLockBucket(Bucket);
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
      }),
    );
  });

  it('a PutObject without lock parameters gets COMPLIANCE until about a day after the PUT', async () => {
    const before = Date.now();
    const v = await putVersion(Bucket, 'defaulted');
    const after = Date.now();
    const lock = await headLock(Bucket, 'defaulted', v);
    expect(lock.mode).toBe('COMPLIANCE');
    expect(lock.until).toBeGreaterThanOrEqual(before + DAY - MINUTE);
    expect(lock.until).toBeLessThanOrEqual(after + DAY + MINUTE);
    await expectLocked(deleteVersion(Bucket, 'defaulted', v, true));
  });

  it('explicit lock headers on the PUT win over the default', async () => {
    const until = fromNow(2 * HOUR);
    const v = await putVersion(Bucket, 'explicit', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until });
    expect(await headLock(Bucket, 'explicit', v)).toEqual({ mode: 'GOVERNANCE', until: until.getTime(), hold: undefined });
    expect(await retentionOf(Bucket, 'explicit', v)).toEqual({ mode: 'GOVERNANCE', until: until.getTime() });
  });
});

describe('x-amz-object-lock-* headers on PutObject', () => {
  const Bucket = 'lock-headers';
  const Plain = 'lock-headers-plain';

  beforeAll(async () => {
    await createLockBucket(Bucket);
    await s3.send(new CreateBucketCommand({ Bucket: Plain }));
  });

  const expectNothingStored = (B: string, Key: string) => expectS3Error(s3.send(new HeadObjectCommand({ Bucket: B, Key })), 'NotFound', 404);

  it('a mode without a date, or a date in the past → 400 InvalidArgument; nothing stored', async () => {
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'no-date', Body: 'x', ObjectLockMode: 'GOVERNANCE' })), 'InvalidArgument', 400);
    await expectNothingStored(Bucket, 'no-date');
    const past = await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket, Key: 'past', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() - MINUTE) })),
      'InvalidArgument',
      400,
    );
    expect(past.message).toBe('The retain until date must be in the future!');
    await expectNothingStored(Bucket, 'past');
  });

  it('lock parameters on a bucket without Object Lock → 400 InvalidRequest', async () => {
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: Plain, Key: 'retained', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: tomorrow() })),
      'InvalidRequest',
      400,
    );
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: Plain, Key: 'held', Body: 'x', ObjectLockLegalHoldStatus: 'ON' })), 'InvalidRequest', 400);
    await expectNothingStored(Plain, 'retained');
    await expectNothingStored(Plain, 'held');
  });

  // rawRequest signs the payload (x-amz-content-sha256 is its SHA-256) and sends no x-amz-checksum-* or
  // x-amz-sdk-checksum-algorithm header: Content-MD5 below is the only integrity header there is.
  const rawPut = (Key: string, headers: Record<string, string>, body = Buffer.from(`raw ${Key}`)) =>
    rawRequest(gw, { method: 'PUT', path: `/${Bucket}/${Key}`, body, headers });

  it('a legal hold other than ON/OFF (raw header) → 400 InvalidArgument', async () => {
    const body = Buffer.from('raw maybe');
    expectRawError(await rawPut('maybe', { 'x-amz-object-lock-legal-hold': 'maybe', 'content-md5': md5Base64(body) }, body), 'InvalidArgument', 400);
    await expectNothingStored(Bucket, 'maybe');
  });

  it('lock headers without Content-MD5 or a checksum → 400 InvalidRequest naming Content-MD5; with Content-MD5 they are taken', async () => {
    const until = tomorrow();
    const lock = { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': until.toISOString() };
    const body = Buffer.from('raw locked');
    const refused = expectRawError(await rawPut('raw-locked', lock, body), 'InvalidRequest', 400);
    expect(refused['Message']).toMatch(/Content-MD5/);
    await expectNothingStored(Bucket, 'raw-locked');

    const ok = await rawPut('raw-locked', { ...lock, 'content-md5': md5Base64(body) }, body);
    expect(ok.status).toBe(200);
    const v = ok.headers['x-amz-version-id'] as string;
    expect(v).toMatch(/^\S+$/);
    expect(await headLock(Bucket, 'raw-locked', v)).toEqual({ mode: 'GOVERNANCE', until: until.getTime(), hold: undefined });
  });
});

describe('multipart uploads and copies', () => {
  const Bucket = 'lock-mp-copy';

  beforeAll(() => createLockBucket(Bucket));

  it('CreateMultipartUpload with a retention: the completed object has it, and a delete by id is refused', async () => {
    const Key = 'mp-locked';
    const until = tomorrow();
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: `body of ${Key}` }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }));
    expect(done.VersionId).toMatch(/^\S+$/);
    expect(await headLock(Bucket, Key, done.VersionId)).toEqual({ mode: 'GOVERNANCE', until: until.getTime(), hold: undefined });
    await expectLocked(deleteVersion(Bucket, Key, done.VersionId!));
    await expectReadable(Bucket, Key, done.VersionId!);
  });

  it('CopyObject: without lock parameters (and no bucket default) the copy has no retention; with them it has theirs', async () => {
    const source = await putVersion(Bucket, 'source', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: tomorrow() });
    const CopySource = `${Bucket}/source?versionId=${source}`;

    const plain = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-plain', CopySource }));
    expect(plain.VersionId).toMatch(/^\S+$/);
    expect(await headLock(Bucket, 'copy-plain', plain.VersionId)).toEqual({ mode: undefined, until: undefined, hold: undefined });
    await expectS3Error(s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'copy-plain', VersionId: plain.VersionId })), 'NoSuchObjectLockConfiguration', 404);

    const until = fromNow(DAY + 2 * HOUR);
    const locked = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-locked', CopySource, ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }));
    expect(await headLock(Bucket, 'copy-locked', locked.VersionId)).toEqual({ mode: 'COMPLIANCE', until: until.getTime(), hold: undefined });
    await expectLocked(deleteVersion(Bucket, 'copy-locked', locked.VersionId!, true));

    // The unlocked copy really is unprotected.
    expect((await deleteVersion(Bucket, 'copy-plain', plain.VersionId!)).$metadata.httpStatusCode).toBe(204);
  });
});

describe('Object Lock requests on a bucket without Object Lock', () => {
  const Bucket = 'lock-none';

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'body of k' }));
  });

  it('GetObjectRetention and PutObjectLegalHold → 400 InvalidRequest', async () => {
    await expectS3Error(s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'k' })), 'InvalidRequest', 400);
    await expectS3Error(s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'k', LegalHold: { Status: 'ON' } })), 'InvalidRequest', 400);
  });

  it('DeleteObject with BypassGovernanceRetention → 400 InvalidArgument, and the object stays', async () => {
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', BypassGovernanceRetention: true })), 'InvalidArgument', 400);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('body of k');
  });
});

describe('bucket policies on Object Lock', () => {
  const Bucket = 'lock-policy';

  it('a Deny on s3:object-lock-remaining-retention-days caps retentions, from PUT headers and retention bodies alike (AWS\'s example)', async () => {
    await createLockBucket(Bucket);
    const cap = {
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:PutObject', 's3:PutObjectRetention'],
      Resource: `arn:aws:s3:::${Bucket}/*`,
      Condition: { NumericGreaterThan: { 's3:object-lock-remaining-retention-days': '10' } },
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [cap] }) }));
    await expectS3Error(putVersion(Bucket, 'long', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: fromNow(30 * DAY) }), 'AccessDenied', 403);
    const v = await putVersion(Bucket, 'short', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: fromNow(5 * DAY) });
    const longer = (days: number) => s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'short', VersionId: v, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: fromNow(days * DAY) } }));
    await expectS3Error(longer(30), 'AccessDenied', 403);
    expect((await retentionOf(Bucket, 'short', v)).until! - Date.now()).toBeLessThan(6 * DAY);
    await longer(8);
    expect((await retentionOf(Bucket, 'short', v)).until! - Date.now()).toBeGreaterThan(7 * DAY);
  });
});

describe('deleting a lock bucket', () => {
  it('is refused while a locked version remains (409 BucketNotEmpty)', async () => {
    const Bucket = 'lock-undeletable';
    await createLockBucket(Bucket);
    await putVersion(Bucket, 'k', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: tomorrow() });
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket })), 'BucketNotEmpty', 409);
    expect((await s3.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
  });
});
