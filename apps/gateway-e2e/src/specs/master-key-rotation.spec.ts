import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { CREDENTIALS, useGateway } from '../support/server';
import { bodyBytes, expectS3Error, patternBytes } from '../support/s3-assert';

/**
 * Rotating the master key: MASSIVE_MASTER_KEY becomes a new key and the old one moves to
 * MASSIVE_PREVIOUS_MASTER_KEYS. Access keys and SSE-S3 objects sealed under the old key keep working,
 * new ones are sealed under the new key, a metric counts what still needs the old one, the start seals
 * access keys again under the new key, and once nothing needs the old key (objects copied onto
 * themselves) it can go.
 */
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const gw = useGateway({ MASSIVE_MASTER_KEY: OLD, MASSIVE_METRICS_PUBLIC: 'true' });
const ADMIN_CLI = resolve(__dirname, '../../../../tools/admin.mjs');
const run = promisify(execFile);
const Bucket = 'rotation';
const MiB = 1024 * 1024;

interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

async function admin(args: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [ADMIN_CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', MASSIVE_ADMIN_URL: gw.adminUrl, MASSIVE_ACCESS_KEY: CREDENTIALS.accessKeyId, MASSIVE_SECRET_KEY: CREDENTIALS.secretAccessKey },
  });
  return stdout;
}

async function read(Key: string, key?: Key): Promise<Buffer> {
  const s3 = s3Client(gw, key ? { credentials: key } : {});
  return bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key }))).Body);
}

async function previousUses(): Promise<Record<string, number>> {
  const text = await (await fetch(gw.gatewayMetricsUrl)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^master_key_previous_uses_total\{use="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** `master_key_reseals_total`, once the start's re-seal pass has counted `atLeast` (it runs in the background). */
async function resealsReaching(atLeast: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = /^master_key_reseals_total (\d+)/m.exec(await (await fetch(gw.gatewayMetricsUrl)).text());
    const n = m ? Number(m[1]) : NaN;
    if (n >= atLeast || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('master key rotation', () => {
  const small = Buffer.from('sealed under the old master key');
  const big = patternBytes(3 * MiB + 17, 5);
  let app: Key;

  beforeAll(async () => {
    const s3 = s3Client(gw);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'small', Body: small, ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'big', Body: big, ServerSideEncryption: 'AES256' }));
    app = JSON.parse(await admin(['key', 'create', '--name', 'rotated', '--json'])) as Key;
    await admin(['key', 'allow', 'rotated', Bucket, '--read', '--write']);
    expect((await read('small', app)).equals(small)).toBe(true);
  });

  it('with the old key listed as previous: old access keys and objects work, and the metric says the old key is still needed', async () => {
    gw.setEnv({ MASSIVE_MASTER_KEY: NEW, MASSIVE_PREVIOUS_MASTER_KEYS: OLD });
    await gw.restart();
    expect((await previousUses())['sse']).toBe(0);
    // The start seals the access key again under the new key: the old key opened it once, for that.
    expect(await resealsReaching(1)).toBe(1);
    expect((await previousUses())['access_key']).toBe(1);
    expect((await read('small', app)).equals(small)).toBe(true);
    expect((await read('big')).equals(big)).toBe(true);
    const uses = await previousUses();
    expect(uses['access_key']).toBe(1);
    expect(uses['sse']).toBeGreaterThanOrEqual(2);

    // New writes are sealed under the new key; copying an object onto itself re-seals it there.
    const s3 = s3Client(gw, { credentials: app });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'fresh', Body: 'sealed under the new key', ServerSideEncryption: 'AES256' }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'big', CopySource: `${Bucket}/big`, ServerSideEncryption: 'AES256' }));
  });

  it('without the old key: the re-sealed access key and objects work, an object not re-sealed fails loudly (never wrong bytes)', async () => {
    gw.setEnv({ MASSIVE_MASTER_KEY: NEW });
    await gw.restart();
    expect((await read('fresh', app)).toString()).toBe('sealed under the new key');
    expect((await read('big', app)).equals(big)).toBe(true);
    expect((await s3Client(gw, { credentials: app }).send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(3);
    await expectS3Error(s3Client(gw).send(new GetObjectCommand({ Bucket, Key: 'small' })), 'InternalError', 500);
    expect(await previousUses()).toEqual({ access_key: 0, sse: 0 });
  });

  it('an access key that opens with no configured master key is refused (InvalidAccessKeyId), never let in', async () => {
    const other = randomBytes(32).toString('base64');
    gw.setEnv({ MASSIVE_MASTER_KEY: other });
    await gw.restart();
    await expectS3Error(s3Client(gw, { credentials: app }).send(new ListObjectsV2Command({ Bucket })), 'InvalidAccessKeyId', 403);
  });

  it('a previous key that is the current one, or is not a key, stops the start', async () => {
    gw.setEnv({ MASSIVE_MASTER_KEY: NEW, MASSIVE_PREVIOUS_MASTER_KEYS: `${OLD}, ${NEW}` });
    await expect(gw.restart()).rejects.toThrow(/MASSIVE_PREVIOUS_MASTER_KEYS \(key 2\) is the current master key/);
    gw.setEnv({ MASSIVE_MASTER_KEY: NEW, MASSIVE_PREVIOUS_MASTER_KEYS: 'c2hvcnQ=' });
    await expect(gw.start()).rejects.toThrow(/MASSIVE_PREVIOUS_MASTER_KEYS \(key 1\) must be base64 of exactly 32 bytes/);
    gw.setEnv({ MASSIVE_MASTER_KEY: NEW, MASSIVE_PREVIOUS_MASTER_KEYS: OLD });
    await gw.start();
    expect((await s3Client(gw).send(new HeadObjectCommand({ Bucket, Key: 'small' }))).ServerSideEncryption).toBe('AES256');
  });
});
