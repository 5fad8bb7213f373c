import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeWithTool, findTool, rcloneEnv, runTool, succeeded, type ToolResult } from '../support/cli-tools';
import { s3Client } from '../support/clients';
import { md5Hex, patternBytes } from '../support/s3-assert';
import { E2E_MODE, useGateway } from '../support/server';

const MiB = 1024 * 1024;

/**
 * rclone, the sync tool most often pointed at self-hosted S3 (its own S3 code on the Go SDK v1). It
 * keeps a file's MD5 and mtime in `x-amz-meta-*` for multipart uploads, compares listings' ETags and
 * sizes to decide what to send, copies server-side (CopyObject, and UploadPartCopy above its copy
 * cutoff), and reads ranges. Debian's package (what CI installs); required when CI is set.
 */
const RCLONE = findTool([process.env['MASSIVE_E2E_RCLONE'], '/usr/bin/rclone', 'rclone'], ['version'], (v) => /^rclone v1\./.test(v));
const describeCli = describeWithTool('rclone.spec.ts', RCLONE, 'rclone is not installed', "Debian's rclone");

describeCli(`rclone against the gateway (${E2E_MODE} mode)`, () => {
  const gw = useGateway();
  const bucket = 'rclone-e2e';
  let work = '';
  let src = '';
  let s3: S3Client;
  const big = patternBytes(12 * MiB, 21);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-rclone-'));
    src = join(work, 'src');
    mkdirSync(join(src, 'docs'), { recursive: true });
    writeFileSync(join(src, 'big.bin'), big);
    writeFileSync(join(src, 'docs', 'a.txt'), 'first version\n');
    writeFileSync(join(src, 'docs', 'ünï cödé+%.txt'), 'a name that needs percent-encoding\n');
    writeFileSync(join(src, 'docs', 'empty'), '');
    writeFileSync(join(work, 'rclone.conf'), '');
    s3 = s3Client(gw);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function rclone(...args: string[]): Promise<ToolResult> {
    return runTool(
      RCLONE.path!,
      // Multipart above 5 MiB in 5 MiB parts, so the 12 MiB file goes up in three parts.
      ['--config', join(work, 'rclone.conf'), '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--retries', '1', '--low-level-retries', '1', ...args],
      {
        env: rcloneEnv(work, gw.endpoint),
      },
    );
  }
  async function ok(...args: string[]): Promise<string> {
    return succeeded('rclone', args, await rclone(...args));
  }
  async function listing(): Promise<Map<string, { size: number; md5?: string; mtime: string }>> {
    const entries = JSON.parse(await ok('lsjson', '--recursive', '--files-only', '--hash', `ms:${bucket}`)) as {
      Path: string;
      Size: number;
      ModTime: string;
      Hashes?: { md5?: string };
    }[];
    return new Map(entries.map((e) => [e.Path, { size: e.Size, md5: e.Hashes?.md5, mtime: e.ModTime }]));
  }

  it('syncs a tree up (the large file in parts) and check finds every size and MD5 equal', async () => {
    await ok('mkdir', `ms:${bucket}`);
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    await ok('sync', src, `ms:${bucket}/tree`);
    await ok('check', src, `ms:${bucket}/tree`);
    const l = await listing();
    expect([...l.keys()].sort()).toEqual(['tree/big.bin', 'tree/docs/a.txt', 'tree/docs/empty', 'tree/docs/ünï cödé+%.txt']);
    // A multipart ETag is no MD5: rclone reads the file's MD5 from the metadata it stored with it.
    expect(l.get('tree/big.bin')).toMatchObject({ size: 12 * MiB, md5: md5Hex(big) });
    expect(l.get('tree/docs/a.txt')).toMatchObject({ size: 14, md5: md5Hex('first version\n') });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'tree/big.bin' }));
    expect(head.ETag).toMatch(/-3"$/);
    expect(head.Metadata?.['md5chksum']).toBe(Buffer.from(md5Hex(big), 'hex').toString('base64'));
  }, 120_000);

  it('downloads what it uploaded, whole and as byte ranges', async () => {
    await ok('copy', `ms:${bucket}/tree`, join(work, 'down'));
    expect(md5Hex(readFileSync(join(work, 'down', 'big.bin')))).toBe(md5Hex(big));
    expect(readFileSync(join(work, 'down', 'docs', 'ünï cödé+%.txt'), 'utf8')).toBe('a name that needs percent-encoding\n');
    expect(readFileSync(join(work, 'down', 'docs', 'empty'))).toHaveLength(0);
    // A range across the first part boundary (5 MiB), and one ending at the last byte.
    const across = await rclone('cat', '--offset', String(5 * MiB - 1000), '--count', '3000', `ms:${bucket}/tree/big.bin`);
    expect(across.code).toBe(0);
    expect(across.stdoutBytes.equals(big.subarray(5 * MiB - 1000, 5 * MiB + 2000))).toBe(true);
    const tail = await rclone('cat', '--offset', String(12 * MiB - 10), `ms:${bucket}/tree/big.bin`);
    expect(tail.stdoutBytes.equals(big.subarray(12 * MiB - 10))).toBe(true);
  }, 120_000);

  it('copies server-side: CopyObject, and UploadPartCopy above its copy cutoff', async () => {
    await ok('copyto', `ms:${bucket}/tree/docs/a.txt`, `ms:${bucket}/copies/a.txt`);
    await ok('copyto', '--s3-copy-cutoff', '5M', `ms:${bucket}/tree/big.bin`, `ms:${bucket}/copies/big.bin`);
    const l = await listing();
    expect(l.get('copies/a.txt')).toMatchObject({ size: 14, md5: md5Hex('first version\n') });
    expect(l.get('copies/big.bin')).toMatchObject({ size: 12 * MiB, md5: md5Hex(big) });
    // Copied in three 5 MiB ranges of the source: a multipart ETag.
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copies/big.bin' }));
    expect(head.ETag).toMatch(/-3"$/);
    const copied = await rclone('cat', `ms:${bucket}/copies/big.bin`);
    expect(md5Hex(copied.stdoutBytes)).toBe(md5Hex(big));
  }, 120_000);

  it('a second sync sends only what changed and deletes what is gone', async () => {
    writeFileSync(join(src, 'docs', 'a.txt'), 'second version, longer\n');
    rmSync(join(src, 'docs', 'empty'));
    const r = await rclone('sync', '-v', src, `ms:${bucket}/tree`);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/docs\/a\.txt: Copied \(replaced existing\)/);
    expect(r.stderr).toMatch(/docs\/empty: Deleted/);
    expect(r.stderr).not.toMatch(/big\.bin: Copied/);
    await ok('check', src, `ms:${bucket}/tree`);
    const l = await listing();
    expect(l.has('tree/docs/empty')).toBe(false);
    expect(l.get('tree/docs/a.txt')).toMatchObject({ md5: md5Hex('second version, longer\n') });
  }, 120_000);

  it('touch sets the modification time it keeps in metadata (a copy onto itself, metadata replaced)', async () => {
    await ok('touch', '--timestamp', '2020-01-02T03:04:05', `ms:${bucket}/tree/docs/a.txt`);
    const l = await listing();
    expect(l.get('tree/docs/a.txt')).toMatchObject({ md5: md5Hex('second version, longer\n') });
    expect(new Date(l.get('tree/docs/a.txt')!.mtime).toISOString()).toBe('2020-01-02T03:04:05.000Z');
    // Nothing else changed: the body reads back as before.
    expect((await ok('cat', `ms:${bucket}/tree/docs/a.txt`))).toBe('second version, longer\n');
  }, 60_000);

  it('purge deletes every object and then the bucket', async () => {
    await ok('purge', `ms:${bucket}`);
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  }, 60_000);
});
