import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { s3Client } from '../support/clients';
import { CREDENTIALS, E2E_MODE, REGION, useGateway } from '../support/server';
import { bodyBytes, expectS3Error } from '../support/s3-assert';
import { NodeSha256, send } from '../support/raw-http';
import { describeWithTool, findTool, runAwsCli, runTool, succeeded } from '../support/cli-tools';

/**
 * Temporary credentials: the STS query API on the S3 port (AssumeRole, GetSessionToken,
 * GetCallerIdentity) through the SDK's own STS client and the aws CLI, and S3 requests signed with the
 * sessions it hands out (header-signed, SigV4 and SigV2 presigned URLs). A session acts as its key:
 * its grants, and its life (deleting the key ends its sessions).
 */
// A short body idle timeout, so that a stalled STS body is cut within the test.
const gw = useGateway({ MASSIVE_LOG_LEVEL: 'debug', MASSIVE_BODY_IDLE_TIMEOUT_MS: '1500' }, { keepLogs: true });
const ADMIN_CLI = resolve(__dirname, '../../../../tools/admin.mjs');
const run = promisify(execFile);
const ROLE = 'arn:aws:iam::000000000000:role/uploader';

interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

async function admin(args: readonly string[], as: { accessKey: string; secretKey: string } = { accessKey: CREDENTIALS.accessKeyId, secretKey: CREDENTIALS.secretAccessKey }): Promise<string> {
  const { stdout } = await run(process.execPath, [ADMIN_CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', MASSIVE_ADMIN_URL: gw.adminUrl, MASSIVE_ACCESS_KEY: as.accessKey, MASSIVE_SECRET_KEY: as.secretKey },
  });
  return stdout;
}

const stsOf = (credentials: Key = CREDENTIALS): STSClient => new STSClient({ region: REGION, endpoint: gw.endpoint, credentials, maxAttempts: 1 });

function sessionKey(c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Key {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('STS answered no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** An STS call signed by hand (service and body as given), for what the SDK will not send. */
async function rawSts(body: string, opts: { readonly service?: string; readonly credentials?: Key; readonly sign?: boolean } = {}): Promise<{ status: number; text: string }> {
  const url = new URL(gw.endpoint);
  const headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) };
  if (opts.sign !== false) {
    const signer = new SignatureV4({ service: opts.service ?? 'sts', region: REGION, credentials: opts.credentials ?? CREDENTIALS, sha256: NodeSha256, applyChecksum: false });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body });
    Object.assign(headers, signed.headers);
  }
  const r = await send(url, 'POST', '/', headers, Buffer.from(body));
  return { status: r.status, text: r.text };
}

const codeOf = (xml: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

const Bucket = `sts-${Date.now().toString(36)}`;
let root: S3Client;

beforeAll(async () => {
  root = s3Client(gw);
  await root.send(new CreateBucketCommand({ Bucket }));
  await root.send(new PutObjectCommand({ Bucket, Key: 'doc.txt', Body: 'from the root key' }));
});

describe(`STS temporary credentials (${E2E_MODE} mode)`, () => {
  it('GetCallerIdentity names the root key', async () => {
    const who = await stsOf().send(new GetCallerIdentityCommand({}));
    expect({ arn: who.Arn, account: who.Account, user: who.UserId }).toEqual({ arn: 'arn:aws:iam::000000000000:root', account: '000000000000', user: '000000000000' });
  });

  it('AssumeRole hands out expiring credentials that read and write as the key that asked, and name the role session', async () => {
    const before = Date.now();
    const out = await stsOf().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'nightly-job', DurationSeconds: 1200 }));
    const key = sessionKey(out.Credentials);
    expect(key.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::000000000000:assumed-role/uploader/nightly-job');
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 1199_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 1200_000);

    const s3 = s3Client(gw, { credentials: key });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'by-session.txt', Body: 'written with a session' }));
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'doc.txt' }))).Body)).toString()).toBe('from the root key');
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents?.map((o) => o.Key)).toEqual(['by-session.txt', 'doc.txt']);
    const who = await stsOf(key).send(new GetCallerIdentityCommand({}));
    expect({ arn: who.Arn, user: who.UserId }).toEqual({ arn: 'arn:aws:sts::000000000000:assumed-role/uploader/nightly-job', user: `${CREDENTIALS.accessKeyId}:nightly-job` });
  });

  it('GetSessionToken credentials work, also in a presigned URL (the token rides in the query, signed)', async () => {
    const key = sessionKey((await stsOf().send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials);
    const s3 = s3Client(gw, { credentials: key });
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'doc.txt' }), { expiresIn: 300 });
    expect(url).toContain('X-Amz-Security-Token=');
    const r = await fetch(url);
    expect([r.status, await r.text()]).toEqual([200, 'from the root key']);
    // The token is part of what was signed: another token in the same URL fails.
    const other = sessionKey((await stsOf().send(new GetSessionTokenCommand({}))).Credentials);
    const swapped = url.replace(/X-Amz-Security-Token=[^&]*/, `X-Amz-Security-Token=${encodeURIComponent(other.sessionToken ?? '')}`);
    const bad = await fetch(swapped);
    expect(bad.status).toBe(403);
    expect(codeOf(await bad.text())).toBe('InvalidAccessKeyId');
  });

  it('browser POST forms signed with a session: the policy names the token, the form writes as the key', async () => {
    const reader = JSON.parse(await admin(['key', 'create', '--name', 'sts-form', '--json'])) as Key;
    await admin(['key', 'allow', 'sts-form', Bucket, '--read']);
    const post = async (key: Key, objectKey: string, edit: (fields: Record<string, string>) => void = () => undefined): Promise<{ status: number; text: string }> => {
      const { url, fields } = await createPresignedPost(s3Client(gw, { credentials: key }), { Bucket, Key: objectKey });
      edit(fields);
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('file', new Blob(['posted with a session']));
      const r = await fetch(url, { method: 'POST', body: fd });
      return { status: r.status, text: await r.text() };
    };
    const rootSession = sessionKey((await stsOf().send(new GetSessionTokenCommand({}))).Credentials);
    const ok = await post(rootSession, 'form.txt', (f) => expect(Object.keys(f).map((k) => k.toLowerCase())).toContain('x-amz-security-token'));
    expect(ok.status).toBe(204);
    expect((await bodyBytes((await root.send(new GetObjectCommand({ Bucket, Key: 'form.txt' }))).Body)).toString()).toBe('posted with a session');
    // A read-only key's session may not write through a form either.
    const readerSession = sessionKey((await stsOf(reader).send(new GetSessionTokenCommand({}))).Credentials);
    const denied = await post(readerSession, 'form-denied.txt');
    expect([denied.status, codeOf(denied.text)]).toEqual([403, 'AccessDenied']);
    // Another session's token in the form (the policy still names the first): refused.
    const other = sessionKey((await stsOf().send(new GetSessionTokenCommand({}))).Credentials);
    const swapped = await post(rootSession, 'form-swapped.txt', (f) => {
      const name = Object.keys(f).find((k) => k.toLowerCase() === 'x-amz-security-token') ?? '';
      f[name] = other.sessionToken ?? '';
    });
    expect(swapped.status).toBe(403);
    const tampered = await post(rootSession, 'form-tampered.txt', (f) => {
      const name = Object.keys(f).find((k) => k.toLowerCase() === 'x-amz-security-token') ?? '';
      f[name] = `${f[name]}x`;
    });
    expect([tampered.status, codeOf(tampered.text)]).toEqual([400, 'InvalidToken']);
    await expectS3Error(root.send(new GetObjectCommand({ Bucket, Key: 'form-swapped.txt' })), 'NoSuchKey', 404);
  });

  it('refuses a changed token, a token of another session, a wrong secret, and a token without a signature', async () => {
    const key = sessionKey((await stsOf().send(new GetSessionTokenCommand({}))).Credentials);
    const token = key.sessionToken ?? '';
    const flipped = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    await expectS3Error(s3Client(gw, { credentials: { ...key, sessionToken: flipped } }).send(new GetObjectCommand({ Bucket, Key: 'doc.txt' })), 'InvalidToken', 400);
    await expectS3Error(s3Client(gw, { credentials: { ...key, sessionToken: `${token}x` } }).send(new GetObjectCommand({ Bucket, Key: 'doc.txt' })), 'InvalidToken', 400);
    await expectS3Error(s3Client(gw, { credentials: { ...key, sessionToken: 'not-a-token' } }).send(new GetObjectCommand({ Bucket, Key: 'doc.txt' })), 'InvalidToken', 400);
    const other = sessionKey((await stsOf().send(new GetSessionTokenCommand({}))).Credentials);
    await expectS3Error(s3Client(gw, { credentials: { ...key, sessionToken: other.sessionToken } }).send(new GetObjectCommand({ Bucket, Key: 'doc.txt' })), 'InvalidAccessKeyId', 403);
    await expectS3Error(s3Client(gw, { credentials: { ...key, secretAccessKey: other.secretAccessKey } }).send(new GetObjectCommand({ Bucket, Key: 'doc.txt' })), 'SignatureDoesNotMatch', 403);
    // The session's key id without its token is no key at all.
    await expectS3Error(s3Client(gw, { credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } }).send(new GetObjectCommand({ Bucket, Key: 'doc.txt' })), 'InvalidAccessKeyId', 403);
    const anon = await fetch(`${gw.endpoint}/${Bucket}/doc.txt`, { headers: { 'x-amz-security-token': token } });
    expect(anon.status).toBe(403);
  });

  it("a key's session has that key's grants, names the key, and ends when the key is deleted", async () => {
    const reader = JSON.parse(await admin(['key', 'create', '--name', 'sts-reader', '--json'])) as Key;
    await admin(['key', 'allow', 'sts-reader', Bucket, '--read']);
    const key = sessionKey((await stsOf(reader).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'reader-session' }))).Credentials);
    const s3 = s3Client(gw, { credentials: key });
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'doc.txt' }))).Body)).toString()).toBe('from the root key');
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket, Key: 'nope.txt', Body: 'x' })), 'AccessDenied', 403);
    await expectS3Error(root.send(new GetObjectCommand({ Bucket, Key: 'nope.txt' })), 'NoSuchKey', 404);
    const session = sessionKey((await stsOf(reader).send(new GetSessionTokenCommand({}))).Credentials);
    const who = await stsOf(session).send(new GetCallerIdentityCommand({}));
    expect({ arn: who.Arn, user: who.UserId }).toEqual({ arn: 'arn:aws:iam::000000000000:user/sts-reader', user: reader.accessKeyId });

    await admin(['key', 'delete', 'sts-reader']);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'doc.txt' })), 'InvalidToken', 400);
  });

  it('a session cannot mint sessions or use the admin API', async () => {
    const key = sessionKey((await stsOf().send(new GetSessionTokenCommand({}))).Credentials);
    await expectS3Error(stsOf(key).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'chained' })), 'AccessDenied', 403);
    await expectS3Error(stsOf(key).send(new GetSessionTokenCommand({})), 'AccessDenied', 403);
    await expect(admin(['key', 'list'], { accessKey: key.accessKeyId, secretKey: key.secretAccessKey })).rejects.toMatchObject({ code: 1 });
  });

  it("refuses what it does not do, in STS's words: bad durations and names, session policies, unknown actions", async () => {
    const sts = stsOf();
    await expectS3Error(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's', DurationSeconds: 3600 })), 'ValidationError', 400);
    await expectS3Error(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ok-name', DurationSeconds: 899 })), 'ValidationError', 400);
    await expectS3Error(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ok-name', DurationSeconds: 43_201 })), 'ValidationError', 400);
    await expectS3Error(sts.send(new AssumeRoleCommand({ RoleArn: 'role/x', RoleSessionName: 'ok-name' })), 'ValidationError', 400);
    await expectS3Error(sts.send(new GetSessionTokenCommand({ DurationSeconds: 129_601 })), 'ValidationError', 400);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    await expectS3Error(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'narrow', Policy: policy })), 'ValidationError', 400);
    await expectS3Error(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'tagged', Tags: [{ Key: 'team', Value: 'a' }] })), 'ValidationError', 400);
    await expectS3Error(sts.send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::000000000000:mfa/x', TokenCode: '123456' })), 'ValidationError', 400);

    const unknown = await rawSts('Action=GetFederationToken&Version=2011-06-15&Name=x');
    expect([unknown.status, codeOf(unknown.text)]).toEqual([400, 'InvalidAction']);
    expect(unknown.text).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    const noVersion = await rawSts('Action=GetCallerIdentity');
    expect([noVersion.status, codeOf(noVersion.text)]).toEqual([400, 'InvalidAction']);
    const missing = await rawSts(`Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}`);
    expect([missing.status, codeOf(missing.text)]).toEqual([400, 'MissingParameter']);
    const huge = await rawSts(`Action=GetCallerIdentity&Version=2011-06-15&Pad=${'x'.repeat(70 * 1024)}`);
    expect([huge.status, codeOf(huge.text)]).toEqual([400, 'ValidationError']);
  });

  it('a form body that stalls is cut after the body idle timeout, not held open', async () => {
    const url = new URL(gw.endpoint);
    const started = Date.now();
    const closed = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), '127.0.0.1', () => {
        socket.write(`POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Get`);
      });
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('still open after 10 s')), 10_000).unref();
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(closed === '' || closed.includes('RequestTimeout')).toBe(true);
  }, 15_000);

  it('checks the signature as STS does: unsigned, signed for s3, signed by an unknown key, a changed body', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const unsigned = await rawSts(body, { sign: false });
    expect([unsigned.status, codeOf(unsigned.text)]).toEqual([403, 'MissingAuthenticationToken']);
    const forS3 = await rawSts(body, { service: 's3' });
    expect([forS3.status, codeOf(forS3.text)]).toEqual([400, 'IncompleteSignature']);
    const unknown = await rawSts(body, { credentials: { accessKeyId: 'AKIDUNKNOWN0000000', secretAccessKey: 'x'.repeat(40) } });
    expect([unknown.status, codeOf(unknown.text)]).toEqual([403, 'InvalidClientTokenId']);
    const ok = await rawSts(body);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');

    // The signature covers the body: sign one, send another.
    const url = new URL(gw.endpoint);
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const signer = new SignatureV4({ service: 'sts', region: REGION, credentials: CREDENTIALS, sha256: NodeSha256, applyChecksum: false });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body });
    const changed = 'Action=GetSessionToken&Version=2011-06-15';
    const r = await send(url, 'POST', '/', { ...headers, ...signed.headers, 'content-length': String(changed.length) }, Buffer.from(changed));
    expect([r.status, codeOf(r.text)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('GET /?Action=… works too, header-signed or presigned (a presigned GetCallerIdentity is how some tools prove who they are)', async () => {
    const url = new URL(gw.endpoint);
    const query = { Action: 'GetCallerIdentity', Version: '2011-06-15' };
    const signer = new SignatureV4({ service: 'sts', region: REGION, credentials: CREDENTIALS, sha256: NodeSha256, applyChecksum: false });
    const request = { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query, headers: { host: url.host } };
    const qs = (q: Record<string, unknown>) => Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    const signed = await signer.sign(request);
    const byHeader = await send(url, 'GET', `/?${qs(query)}`, signed.headers as Record<string, string>);
    expect(byHeader.status).toBe(200);
    expect(byHeader.text).toContain('<Arn>arn:aws:iam::000000000000:root</Arn>');
    const presigned = await signer.presign(request, { expiresIn: 60 });
    const byUrl = await send(url, 'GET', `/?${qs(presigned.query as Record<string, unknown>)}`, { host: url.host });
    expect(byUrl.status).toBe(200);
    expect(byUrl.text).toContain('<GetCallerIdentityResult>');
    // The same URL with its action changed no longer matches its signature.
    const altered = await send(url, 'GET', `/?${qs({ ...(presigned.query as Record<string, unknown>), Action: 'GetSessionToken' })}`, { host: url.host });
    expect([altered.status, codeOf(altered.text)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('sessions outlive a gateway restart (the token carries the session; the master key is kept)', async () => {
    const key = sessionKey((await stsOf().send(new GetSessionTokenCommand({}))).Credentials);
    await gw.restart();
    const s3 = s3Client(gw, { credentials: key });
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key: 'doc.txt' }))).Body)).toString()).toBe('from the root key');
  }, 60_000);

  it('no secret or session token reaches the logs', async () => {
    const key = sessionKey((await stsOf().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'log-check' }))).Credentials);
    await s3Client(gw, { credentials: key }).send(new GetObjectCommand({ Bucket, Key: 'doc.txt' }));
    // Waited for: the line comes through a pipe, not with the answer (a read right after it once ran ahead).
    const logs = await gw.logged(key.accessKeyId);
    expect(logs).toContain('sts session issued');
    expect(logs).not.toContain(key.secretAccessKey);
    expect(logs).not.toContain(key.sessionToken ?? '-');
  });
});

/** The aws CLI (v1 or v2), Debian's package first. */
const AWS = findTool([process.env['MASSIVE_E2E_AWS_CLI'], '/usr/bin/aws', 'aws'], ['--version'], (v) => /^aws-cli\/[12]\./.test(v));
const describeCli = describeWithTool('sts.spec.ts (aws CLI)', AWS, 'the aws CLI is not installed', "Debian's awscli");

describeCli(`aws CLI: sts assume-role, then s3 with the session (${E2E_MODE} mode)`, () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-sts-cli-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const home = () => work;
  const aws = async (env: Record<string, string>, ...args: string[]): Promise<string> => succeeded('aws', args, await runAwsCli(AWS.path!, gw.endpoint, home(), args, undefined, env));

  it('assume-role, get-caller-identity, s3 cp up and down, and s3 presign (SigV2 and SigV4 URLs) with the session', async () => {
    const out = JSON.parse(await aws({}, 'sts', 'assume-role', '--role-arn', ROLE, '--role-session-name', 'cli', '--duration-seconds', '900')) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    };
    const env = { AWS_ACCESS_KEY_ID: out.Credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: out.Credentials.SecretAccessKey, AWS_SESSION_TOKEN: out.Credentials.SessionToken };
    expect((JSON.parse(await aws(env, 'sts', 'get-caller-identity')) as { Arn: string }).Arn).toBe('arn:aws:sts::000000000000:assumed-role/uploader/cli');
    const file = join(home(), 'sts-cli.txt');
    writeFileSync(file, 'uploaded by the aws CLI with a session');
    await aws(env, 's3', 'cp', '--no-progress', file, `s3://${Bucket}/cli.txt`);
    const back = await aws(env, 's3', 'cp', '--no-progress', `s3://${Bucket}/cli.txt`, '-');
    expect(back).toBe('uploaded by the aws CLI with a session');
    // aws CLI v1 presigns with SigV2 unless told otherwise (the token as x-amz-security-token), v2 with SigV4.
    for (const extra of [[], ['--region', REGION]]) {
      const url = (await aws(env, 's3', 'presign', ...extra, `s3://${Bucket}/cli.txt`)).trim();
      expect(url.toLowerCase()).toContain('x-amz-security-token=');
      const r = await fetch(url);
      expect([r.status, await r.text()]).toEqual([200, 'uploaded by the aws CLI with a session']);
    }
  }, 60_000);
});

/** s3cmd with a session's `access_token`, signing SigV2 (the token as a signed x-amz header) and SigV4: Debian's package, required in CI. */
const S3CMD = findTool([process.env['MASSIVE_E2E_S3CMD'], '/usr/bin/s3cmd', 's3cmd'], ['--version']);
const describeS3cmd = describeWithTool('sts.spec.ts (s3cmd)', S3CMD, 's3cmd is not installed', "Debian's s3cmd");

describeS3cmd(`s3cmd with temporary credentials (${E2E_MODE} mode)`, () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-sts-s3cmd-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('put, get and ls with a session token, under SigV2 and SigV4', async () => {
    const key = sessionKey((await stsOf().send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials);
    const host = new URL(gw.endpoint).host;
    const file = join(work, 'up.txt');
    writeFileSync(file, 'uploaded by s3cmd with a session');
    for (const v2 of [true, false]) {
      const cfg = join(work, `s3cfg-${v2 ? 'v2' : 'v4'}`);
      writeFileSync(
        cfg,
        [
          '[default]',
          `access_key = ${key.accessKeyId}`,
          `secret_key = ${key.secretAccessKey}`,
          `access_token = ${key.sessionToken ?? ''}`,
          `host_base = ${host}`,
          `host_bucket = ${host}`,
          'use_https = False',
          `signature_v2 = ${v2 ? 'True' : 'False'}`,
          'bucket_location = us-east-1',
          'progress_meter = False',
          '',
        ].join('\n'),
      );
      const s3cmd = async (...args: string[]) => succeeded('s3cmd', args, await runTool(S3CMD.path!, ['-c', cfg, ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: work } }));
      const name = `s3cmd-${v2 ? 'v2' : 'v4'}.txt`;
      await s3cmd('put', file, `s3://${Bucket}/${name}`);
      const back = join(work, `back-${name}`);
      await s3cmd('get', '--force', `s3://${Bucket}/${name}`, back);
      expect(readFileSync(back, 'utf8')).toBe('uploaded by s3cmd with a session');
      expect(await s3cmd('ls', `s3://${Bucket}/${name}`)).toContain(name);
      // (s3cmd's signurl leaves the token out of its URLs, so they cannot work with a session anywhere.)
    }
  }, 60_000);
});
