import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { describeWithTool, findTool, runTool, succeeded, type ToolResult } from '../support/cli-tools';
import { s3Client } from '../support/clients';
import { patternBytes } from '../support/s3-assert';
import { CREDENTIALS, E2E_MODE, useGateway } from '../support/server';

const MiB = 1024 * 1024;

/**
 * restic, a backup tool on minio-go (the Go S3 SDK MinIO publishes): a third real client beside the aws
 * CLI (botocore) and s3cmd, with its own habits. It checks the bucket with GetBucketLocation and HEAD,
 * uploads content-addressed packs of several MiB, reads pack headers with ranged GETs, lists prefixes
 * with ListObjectsV2, takes and removes lock objects, and `check --read-data` reads every pack back and
 * verifies every blob's SHA-256. Debian's package (what CI installs); required when CI is set.
 */
const RESTIC = findTool([process.env['MASSIVE_E2E_RESTIC'], '/usr/bin/restic', 'restic'], ['version'], (v) => /^restic \d/.test(v));
const describeCli = describeWithTool('restic.spec.ts', RESTIC, 'restic is not installed', "Debian's restic");

describeCli(`restic (minio-go) backing up to the gateway (${E2E_MODE} mode)`, () => {
  const gw = useGateway();
  const bucket = 'restic-e2e';
  const prefix = 'repo';
  let work = '';
  let src = '';
  let s3: S3Client;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'massive-e2e-restic-'));
    src = join(work, 'src');
    // Content-defined chunking cuts the large file into several data blobs across packs; the many
    // small files make tree blobs and packs of many blobs.
    mkdirSync(join(src, 'docs', 'many'), { recursive: true });
    writeFileSync(join(src, 'big.bin'), patternBytes(24 * MiB, 11));
    writeFileSync(join(src, 'docs', 'a.txt'), 'first version\n');
    writeFileSync(join(src, 'docs', 'ünï cödé.txt'), 'a name that needs percent-encoding\n');
    writeFileSync(join(src, 'docs', 'empty'), '');
    for (let i = 0; i < 150; i++) writeFileSync(join(src, 'docs', 'many', `f${i}.txt`), patternBytes(100 + i * 37, i + 100));
    s3 = s3Client(gw);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function restic(args: readonly string[], secret: string = CREDENTIALS.secretAccessKey): Promise<ToolResult> {
    return runTool(RESTIC.path!, ['--repo', `s3:${gw.endpoint}/${bucket}/${prefix}`, '--no-cache', ...args], {
      cwd: work,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: work,
        RESTIC_PASSWORD: 'e2e-restic-password',
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: secret,
      },
    });
  }
  async function ok(...args: string[]): Promise<string> {
    return succeeded('restic', args, await restic(args));
  }
  async function keys(under: string): Promise<string[]> {
    const out: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/${under}`, ContinuationToken }));
      out.push(...(page.Contents ?? []).map((o) => o.Key!));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return out;
  }
  /** Backs up `src`; the summary restic prints last with --json (files new and changed, bytes added). */
  async function backup(): Promise<Record<string, unknown> | undefined> {
    const lines = (await ok('backup', '--json', 'src')).split('\n').filter((l) => l.trim() !== '');
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m['message_type'] === 'summary');
  }
  async function snapshots(): Promise<{ id: string; paths: string[] }[]> {
    return JSON.parse(await ok('snapshots', '--json')) as { id: string; paths: string[] }[];
  }
  /** Restores the latest snapshot into a fresh directory and compares it with `src`, file by file. */
  async function expectRestoredEqualsSource(): Promise<void> {
    const target = mkdtempSync(join(work, 'restore-'));
    await ok('restore', 'latest', '--target', target);
    const want = files(src);
    expect(files(join(target, 'src'))).toEqual(want);
    for (const f of want) {
      expect({ f, same: readFileSync(join(target, 'src', f)).equals(readFileSync(join(src, f))) }).toEqual({ f, same: true });
    }
  }

  it('init makes the bucket and writes the repository config and key as objects in it', async () => {
    await ok('init');
    expect(await keys('config')).toEqual([`${prefix}/config`]);
    expect(await keys('keys/')).toHaveLength(1);
  });

  it('backs up a tree; check --read-data reads every pack back and verifies every blob', async () => {
    const summary = await backup();
    expect(summary).toMatchObject({ files_new: 154, files_changed: 0 });
    expect(summary!['data_added']).toBeGreaterThan(24 * MiB);
    expect((await keys('data/')).length).toBeGreaterThanOrEqual(3);
    expect(await snapshots()).toHaveLength(1);
    expect(await ok('check', '--read-data')).toMatch(/no errors were found/);
  }, 120_000);

  it('restores the same tree, byte for byte', async () => {
    await expectRestoredEqualsSource();
  }, 120_000);

  it('a second backup stores only what changed; forget --prune deletes the packs no snapshot needs, and the rest still checks and restores', async () => {
    appendFileSync(join(src, 'docs', 'a.txt'), 'second version\n');
    rmSync(join(src, 'big.bin'));
    writeFileSync(join(src, 'new.bin'), patternBytes(6 * MiB, 12));
    const summary = await backup();
    expect(summary).toMatchObject({ files_new: 1, files_changed: 1 });
    expect(await snapshots()).toHaveLength(2);

    const before = await keys('data/');
    await ok('forget', '--keep-last', '1', '--prune');
    const after = await keys('data/');
    expect(after.length).toBeLessThan(before.length);
    expect(await snapshots()).toHaveLength(1);
    expect(await ok('check', '--read-data')).toMatch(/no errors were found/);
    await expectRestoredEqualsSource();
  }, 180_000);

  it('takes its locks as objects and leaves none behind', async () => {
    expect((await ok('list', 'locks')).trim()).toBe('');
    expect(await keys('locks/')).toEqual([]);
  });

  it('a wrong secret key is refused, and restic reports the signature mismatch', async () => {
    const r = await restic(['snapshots'], 'not-the-secret-key-0123456789');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/signature we calculated does not match|SignatureDoesNotMatch/i);
  }, 60_000);
});

/** Every regular file under `root`, as sorted relative paths. */
function files(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}
