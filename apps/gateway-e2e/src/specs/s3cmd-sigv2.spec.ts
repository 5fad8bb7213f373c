import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeWithTool, findTool, runTool, succeeded, type ToolResult } from '../support/cli-tools';
import { s3Client } from '../support/clients';
import { bodyBytes, md5Hex, patternBytes } from '../support/s3-assert';
import { CREDENTIALS, E2E_MODE, useGateway } from '../support/server';

const MiB = 1024 * 1024;

/**
 * s3cmd signing with AWS Signature Version 2 (`signature_v2 = True`), and its `signurl`, which signs
 * query strings with SigV2 whatever the config says: a real client's SigV2, not ours reflected back.
 * Debian's package (what CI installs); required when CI is set.
 */
const S3CMD = findTool([process.env['MASSIVE_E2E_S3CMD'], '/usr/bin/s3cmd', 's3cmd'], ['--version']);
const describeCli = describeWithTool('s3cmd-sigv2.spec.ts', S3CMD, 's3cmd is not installed', "Debian's s3cmd");

describeCli(`s3cmd signing with SigV2 against the gateway (${E2E_MODE} mode)`, () => {
  const gw = useGateway();
  const bucket = 's3cmd-v2';
  let work = '';
  let s3: S3Client;
  let small = '';
  let big = '';
  let bigBytes: Buffer = Buffer.alloc(0);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-s3cmd-'));
    const host = new URL(gw.endpoint).host;
    writeFileSync(
      join(work, 's3cfg'),
      [
        '[default]',
        `access_key = ${CREDENTIALS.accessKeyId}`,
        `secret_key = ${CREDENTIALS.secretAccessKey}`,
        `host_base = ${host}`,
        `host_bucket = ${host}`,
        'use_https = False',
        'signature_v2 = True',
        'bucket_location = us-east-1',
        'progress_meter = False',
        '',
      ].join('\n'),
    );
    small = join(work, 'small.txt');
    big = join(work, 'big.bin');
    bigBytes = patternBytes(12 * MiB, 5);
    writeFileSync(small, 'hello from s3cmd\n');
    writeFileSync(big, bigBytes);
    s3 = s3Client(gw);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function s3cmd(...args: string[]): Promise<ToolResult> {
    return runTool(S3CMD.path!, ['-c', join(work, 's3cfg'), ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: work } });
  }
  async function ok(...args: string[]): Promise<string> {
    return succeeded('s3cmd', args, await s3cmd(...args));
  }

  it('makes a bucket, uploads (one with x-amz-meta headers, one in 5 MiB parts), lists, downloads the same bytes, and reads ACLs', async () => {
    await ok('mb', `s3://${bucket}`);
    await ok('put', '--add-header=x-amz-meta-colour:blue', small, `s3://${bucket}/docs/small.txt`);
    // Multipart under SigV2: ?uploads, then ?partNumber=N&uploadId=... and ?uploadId=... are signed sub-resources.
    await ok('put', '--multipart-chunk-size-mb=5', big, `s3://${bucket}/blobs/big.bin`);
    const listing = await ok('ls', '--recursive', `s3://${bucket}`);
    expect(listing).toMatch(new RegExp(`\\s${12 * MiB}\\s+s3://${bucket}/blobs/big.bin`));
    expect(listing).toMatch(new RegExp(`s3://${bucket}/docs/small.txt`));
    await ok('get', '--force', `s3://${bucket}/blobs/big.bin`, join(work, 'big.out'));
    expect(md5Hex(readFileSync(join(work, 'big.out')))).toBe(md5Hex(bigBytes));
    // A key that needs percent-encoding in the signed path: spaces, UTF-8, '+' and '%'.
    await ok('put', small, `s3://${bucket}/ünï cödé+%.txt`);
    await ok('get', '--force', `s3://${bucket}/ünï cödé+%.txt`, join(work, 'unicode.out'));
    expect(readFileSync(join(work, 'unicode.out'), 'utf8')).toBe('hello from s3cmd\n');
    const info = await ok('info', `s3://${bucket}/docs/small.txt`);
    expect(info).toMatch(/x-amz-meta-colour: blue/);
    expect(info).toMatch(new RegExp(`ACL:\\s+\\S+: FULL_CONTROL`));
    // What the SDK (SigV4) reads back is what s3cmd (SigV2) wrote.
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/small.txt' }));
    expect(got.Metadata).toMatchObject({ colour: 'blue' });
    expect((await bodyBytes(got.Body)).toString()).toBe('hello from s3cmd\n');
  }, 120_000);

  it('signurl: the URL fetches the object until it expires; a changed one is refused', async () => {
    const url = (await ok('signurl', `s3://${bucket}/docs/small.txt`, '+600')).trim();
    expect(url).toMatch(/[?&]AWSAccessKeyId=/);
    const r = await fetch(url);
    expect([r.status, await r.text()]).toEqual([200, 'hello from s3cmd\n']);
    const unicode = (await ok('signurl', `s3://${bucket}/ünï cödé+%.txt`, '+600')).trim();
    const u = await fetch(unicode);
    expect([u.status, await u.text()]).toEqual([200, 'hello from s3cmd\n']);
    const other = await fetch(url.replace('/docs/small.txt', '/blobs/big.bin'));
    expect([other.status, /<Code>([^<]+)/.exec(await other.text())?.[1]]).toEqual([403, 'SignatureDoesNotMatch']);
    const stale = (await ok('signurl', `s3://${bucket}/docs/small.txt`, String(Math.floor(Date.now() / 1000) - 60))).trim();
    const gone = await fetch(stale);
    const text = await gone.text();
    expect([gone.status, /<Code>([^<]+)/.exec(text)?.[1], /<Message>([^<]+)/.exec(text)?.[1]]).toEqual([403, 'AccessDenied', 'Request has expired']);
  });

  it('a bucket policy can refuse SigV2 with s3:signatureversion, as on AWS; SigV4 requests still pass', async () => {
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoSigV2',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${bucket}/*`,
          Condition: { StringEquals: { 's3:signatureversion': 'AWS' } },
        },
      ],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy }));
    const refused = await s3cmd('get', '--force', `s3://${bucket}/docs/small.txt`, join(work, 'refused.out'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/403|AccessDenied/);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/small.txt' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('hello from s3cmd\n');
  });
});
