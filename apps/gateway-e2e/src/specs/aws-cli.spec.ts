import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTool, findTool, useAwsCli } from '../support/cli-tools';
import { E2E_MODE, useGateway } from '../support/server';
import { md5Hex, patternBytes } from '../support/s3-assert';

const MiB = 1024 * 1024;

/**
 * Debian's package (/usr/bin/aws, what CI installs) first, then whatever `aws` is on PATH; version 2
 * only. The spec relies on v2's behaviour: `s3 cp` between keys copies the source's tags (`--copy-props`,
 * which v1 lacks: a v1 `aws` on PATH, as pyenv installs, made a multipart copy without tags and failed
 * the tagging case for no fault of the gateway's).
 */
const AWS = findTool([process.env['MASSIVE_E2E_AWS_CLI'], '/usr/bin/aws', 'aws'], ['--version'], (v) => /^aws-cli\/2\./.test(v));
const describeCli = describeWithTool('aws-cli.spec.ts', AWS, 'the aws CLI (version 2) is not installed', "Debian's awscli");

describeCli(`aws CLI against the gateway (${E2E_MODE} mode)`, () => {
  const gw = useGateway();
  const cli = useAwsCli(AWS, gw, 'cli');
  const { aws, ok } = cli;
  const bucket = 'cli-bucket';
  let small = '';
  let big = '';
  let bigBytes: Buffer = Buffer.alloc(0);

  beforeAll(() => {
    small = join(cli.work, 'small.txt');
    big = join(cli.work, 'big.bin');
    bigBytes = patternBytes(50 * MiB, 77);
    writeFileSync(small, 'hello from the aws cli\n');
    writeFileSync(big, bigBytes);
  });

  it('mb creates a bucket; mb again succeeds, as in us-east-1 on AWS', async () => {
    expect(await ok('s3', 'mb', `s3://${bucket}`)).toContain(`make_bucket: ${bucket}`);
    expect(await ok('s3', 'mb', `s3://${bucket}`)).toContain(`make_bucket: ${bucket}`);
    expect(await ok('s3', 'ls')).toContain(bucket);
  });

  it('cp uploads a small file', async () => {
    expect(await ok('s3', 'cp', '--no-progress', small, `s3://${bucket}/docs/small.txt`)).toContain('upload:');
    const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', bucket, '--key', 'docs/small.txt')) as { ETag: string; ContentLength: number };
    expect(head.ETag).toBe(`"${md5Hex(readFileSync(small))}"`);
    expect(head.ContentLength).toBe(statSync(small).size);
  });

  it('cp uploads a 50 MiB file as a multipart upload', async () => {
    expect(await ok('s3', 'cp', '--no-progress', big, `s3://${bucket}/blobs/big.bin`)).toContain('upload:');
    const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', bucket, '--key', 'blobs/big.bin')) as { ETag: string; ContentLength: number };
    expect(head.ContentLength).toBe(50 * MiB);
    // The CLI splits at 8 MiB: 7 parts.
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-7"$/);
    const uploads = JSON.parse((await ok('s3api', 'list-multipart-uploads', '--bucket', bucket)) || '{}') as { Uploads?: unknown[] };
    expect(uploads.Uploads ?? []).toEqual([]);
  }, 120_000);

  it('ls lists keys, sizes and prefixes; ls --recursive lists everything', async () => {
    const top = await ok('s3', 'ls', `s3://${bucket}/`);
    expect(top).toMatch(/PRE blobs\//);
    expect(top).toMatch(/PRE docs\//);
    const all = await ok('s3', 'ls', '--recursive', `s3://${bucket}/`);
    expect(all).toMatch(new RegExp(`\\s${50 * MiB} blobs/big.bin`));
    expect(all).toMatch(new RegExp(`\\s${statSync(small).size} docs/small.txt`));
  });

  it('s3api get-object --range fetches exactly that range', async () => {
    const out = join(cli.work, 'range.bin');
    const meta = JSON.parse(await ok('s3api', 'get-object', '--bucket', bucket, '--key', 'blobs/big.bin', '--range', `bytes=${8 * MiB - 50}-${8 * MiB + 49}`, out)) as {
      ContentRange: string;
      ContentLength: number;
    };
    expect(meta.ContentRange).toBe(`bytes ${8 * MiB - 50}-${8 * MiB + 49}/${50 * MiB}`);
    expect(meta.ContentLength).toBe(100);
    expect(readFileSync(out).equals(bigBytes.subarray(8 * MiB - 50, 8 * MiB + 50))).toBe(true);
  });

  it('s3api get-object of a missing key fails with NoSuchKey', async () => {
    const r = await aws('s3api', 'get-object', '--bucket', bucket, '--key', 'nope', join(cli.work, 'nope'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('NoSuchKey');
  });

  it('cp downloads both files back byte for byte', async () => {
    const backSmall = join(cli.work, 'back-small.txt');
    const backBig = join(cli.work, 'back-big.bin');
    await ok('s3', 'cp', '--no-progress', `s3://${bucket}/docs/small.txt`, backSmall);
    await ok('s3', 'cp', '--no-progress', `s3://${bucket}/blobs/big.bin`, backBig);
    expect(readFileSync(backSmall).equals(readFileSync(small))).toBe(true);
    expect(md5Hex(readFileSync(backBig))).toBe(md5Hex(bigBytes));
  }, 120_000);

  it('cp between keys (server-side copy) works', async () => {
    expect(await ok('s3', 'cp', `s3://${bucket}/docs/small.txt`, `s3://${bucket}/docs/copy of small.txt`)).toContain('copy:');
    const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', bucket, '--key', 'docs/copy of small.txt')) as { ETag: string };
    expect(head.ETag).toBe(`"${md5Hex(readFileSync(small))}"`);
  });

  it('rb refuses a non-empty bucket; rm --recursive empties it; rb removes it', async () => {
    const refused = await aws('s3', 'rb', `s3://${bucket}`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('BucketNotEmpty');
    const rm = await ok('s3', 'rm', '--recursive', `s3://${bucket}/`);
    expect(rm.match(/^delete: /gm)?.length).toBe(3);
    expect((await ok('s3', 'ls', '--recursive', `s3://${bucket}/`)).trim()).toBe('');
    expect(await ok('s3', 'rb', `s3://${bucket}`)).toContain(`remove_bucket: ${bucket}`);
    const head = await aws('s3api', 'head-bucket', '--bucket', bucket);
    expect(head.code).not.toBe(0);
    expect(head.stderr).toMatch(/404|Not Found/);
  });

  it('s3api versioning: put-bucket-versioning, versions, a delete marker, list-object-versions, get by id', async () => {
    const vb = 'cli-versioned';
    await ok('s3', 'mb', `s3://${vb}`);
    await ok('s3api', 'put-bucket-versioning', '--bucket', vb, '--versioning-configuration', 'Status=Enabled');
    expect(JSON.parse(await ok('s3api', 'get-bucket-versioning', '--bucket', vb))).toEqual({ Status: 'Enabled' });
    const v1 = (JSON.parse(await ok('s3api', 'put-object', '--bucket', vb, '--key', 'k', '--body', small)) as { VersionId: string }).VersionId;
    const second = join(cli.work, 'second.txt');
    writeFileSync(second, 'second version\n');
    const v2 = (JSON.parse(await ok('s3api', 'put-object', '--bucket', vb, '--key', 'k', '--body', second)) as { VersionId: string }).VersionId;
    const del = JSON.parse(await ok('s3api', 'delete-object', '--bucket', vb, '--key', 'k')) as { DeleteMarker: boolean; VersionId: string };
    expect(del.DeleteMarker).toBe(true);
    const listed = JSON.parse(await ok('s3api', 'list-object-versions', '--bucket', vb)) as {
      Versions: { VersionId: string; IsLatest: boolean }[];
      DeleteMarkers: { VersionId: string; IsLatest: boolean }[];
    };
    expect(listed.Versions.map((v) => [v.VersionId, v.IsLatest])).toEqual([[v2, false], [v1, false]]);
    expect(listed.DeleteMarkers.map((m) => [m.VersionId, m.IsLatest])).toEqual([[del.VersionId, true]]);
    const out = join(cli.work, 'v1.txt');
    const got = JSON.parse(await ok('s3api', 'get-object', '--bucket', vb, '--key', 'k', '--version-id', v1, out)) as { VersionId: string };
    expect(got.VersionId).toBe(v1);
    expect(readFileSync(out)).toEqual(readFileSync(small));
    const missing = await aws('s3api', 'get-object', '--bucket', vb, '--key', 'k', join(cli.work, 'gone'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NoSuchKey');
    for (const id of [v1, v2, del.VersionId]) await ok('s3api', 'delete-object', '--bucket', vb, '--key', 'k', '--version-id', id);
    expect(await ok('s3', 'rb', `s3://${vb}`)).toContain(`remove_bucket: ${vb}`);
  });

  // Tagging (issue 12): the CLI copies a source's tags, so `s3 cp` between keys needs the tagging API.
  it('cp s3:// → s3:// of a tagged 20 MiB object (multipart copy) keeps bytes and tags; a small one too', async () => {
    const tb = 'cli-tags';
    await ok('s3', 'mb', `s3://${tb}`);
    const file = join(cli.work, 'tagged-big.bin');
    const bytes = patternBytes(20 * MiB, 91);
    writeFileSync(file, bytes);
    await ok('s3', 'cp', '--no-progress', file, `s3://${tb}/dir/big.bin`);
    await ok('s3api', 'put-object-tagging', '--bucket', tb, '--key', 'dir/big.bin', '--tagging', 'TagSet=[{Key=project,Value=massive},{Key=tier,Value=gold}]');
    await ok('s3api', 'put-object', '--bucket', tb, '--key', 'dir/small.txt', '--body', small, '--tagging', 'kind=small&owner=cli');

    expect(await ok('s3', 'cp', '--no-progress', `s3://${tb}/dir/big.bin`, `s3://${tb}/copy/big.bin`)).toContain('copy:');
    expect(await ok('s3', 'cp', '--no-progress', `s3://${tb}/dir/small.txt`, `s3://${tb}/copy/small.txt`)).toContain('copy:');

    const tags = async (key: string) => (JSON.parse(await ok('s3api', 'get-object-tagging', '--bucket', tb, '--key', key)) as { TagSet: unknown[] }).TagSet;
    expect(await tags('copy/big.bin')).toEqual([{ Key: 'project', Value: 'massive' }, { Key: 'tier', Value: 'gold' }]);
    expect(await tags('copy/small.txt')).toEqual([{ Key: 'kind', Value: 'small' }, { Key: 'owner', Value: 'cli' }]);
    const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', tb, '--key', 'copy/big.bin')) as { ContentLength: number; ETag: string };
    expect(head.ContentLength).toBe(20 * MiB);
    // A multipart copy (the CLI splits at 8 MiB: 3 parts).
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const back = join(cli.work, 'tagged-back.bin');
    await ok('s3', 'cp', '--no-progress', `s3://${tb}/copy/big.bin`, back);
    expect(md5Hex(readFileSync(back))).toBe(md5Hex(bytes));

    // --copy-props none copies no tags.
    await ok('s3', 'cp', '--no-progress', '--copy-props', 'none', `s3://${tb}/dir/big.bin`, `s3://${tb}/copy/untagged.bin`);
    expect(await tags('copy/untagged.bin')).toEqual([]);
    expect(await ok('s3', 'rb', '--force', `s3://${tb}`)).toContain(`remove_bucket: ${tb}`);
  }, 180_000);
  it('ACLs: cp --acl is refused on a default bucket; on an ObjectWriter bucket it makes the object anonymously readable', async () => {
    await ok('s3', 'mb', 's3://cli-acl-default');
    const denied = await aws('s3', 'cp', '--no-progress', '--acl', 'public-read', small, 's3://cli-acl-default/public.txt');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('AccessControlListNotSupported');
    const ab = 'cli-acl';
    await ok('s3api', 'create-bucket', '--bucket', ab, '--object-ownership', 'ObjectWriter');
    await ok('s3api', 'delete-public-access-block', '--bucket', ab);
    await ok('s3', 'cp', '--no-progress', '--acl', 'public-read', small, `s3://${ab}/public.txt`);
    const anon = await fetch(`${gw.endpoint}/${ab}/public.txt`);
    expect([anon.status, await anon.text()]).toEqual([200, readFileSync(small, 'utf8')]);
    const acl = JSON.parse(await ok('s3api', 'get-object-acl', '--bucket', ab, '--key', 'public.txt')) as { Grants: { Grantee: { URI?: string }; Permission: string }[] };
    expect(acl.Grants.filter((g) => g.Grantee.URI !== undefined).map((g) => [g.Grantee.URI, g.Permission])).toEqual([['http://acs.amazonaws.com/groups/global/AllUsers', 'READ']]);
    await ok('s3api', 'put-object-acl', '--bucket', ab, '--key', 'public.txt', '--acl', 'private');
    expect((await fetch(`${gw.endpoint}/${ab}/public.txt`)).status).toBe(403);
  });

  // Bucket policies (issue 13): the CLI flow of put-bucket-policy --policy file://...
  it('bucket policy: put-bucket-policy from a file makes objects anonymously readable; a malformed one is refused', async () => {
    const pb = 'cli-policy';
    await ok('s3', 'mb', `s3://${pb}`);
    await ok('s3api', 'delete-public-access-block', '--bucket', pb);
    await ok('s3', 'cp', '--no-progress', small, `s3://${pb}/site/index.txt`);
    const file = join(cli.work, 'policy.json');
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${pb}/site/*` }] });
    writeFileSync(file, text);
    await ok('s3api', 'put-bucket-policy', '--bucket', pb, '--policy', `file://${file}`);
    expect((JSON.parse(await ok('s3api', 'get-bucket-policy', '--bucket', pb)) as { Policy: string }).Policy).toBe(text);
    expect(JSON.parse(await ok('s3api', 'get-bucket-policy-status', '--bucket', pb))).toEqual({ PolicyStatus: { IsPublic: true } });
    const anon = await fetch(`${gw.endpoint}/${pb}/site/index.txt`);
    expect([anon.status, await anon.text()]).toEqual([200, readFileSync(small, 'utf8')]);
    writeFileSync(file, text.replace('s3:GetObject', 's3:GetObjekt'));
    const bad = await aws('s3api', 'put-bucket-policy', '--bucket', pb, '--policy', `file://${file}`);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('MalformedPolicy');
    expect(bad.stderr).toContain('Policy has invalid action');
    await ok('s3api', 'delete-bucket-policy', '--bucket', pb);
    expect((await fetch(`${gw.endpoint}/${pb}/site/index.txt`)).status).toBe(403);
  });

  // Features we do not offer read as S3 answers for a bucket that never had them (not 501).
  it('s3api get-bucket-request-payment and get-bucket-encryption answer as S3 for a bucket without them', async () => {
    const fb = 'cli-features';
    await ok('s3', 'mb', `s3://${fb}`);
    expect(JSON.parse(await ok('s3api', 'get-bucket-request-payment', '--bucket', fb))).toEqual({ Payer: 'BucketOwner' });
    const enc = await aws('s3api', 'get-bucket-encryption', '--bucket', fb);
    expect(enc.code).not.toBe(0);
    expect(enc.stderr).toContain('ServerSideEncryptionConfigurationNotFoundError');
  });

  it('SSE-S3: cp --sse AES256 of a multipart upload and a small file, put-bucket-encryption, and both read back', async () => {
    const eb = 'cli-sse';
    await ok('s3', 'mb', `s3://${eb}`);
    await ok('s3', 'cp', '--no-progress', '--sse', 'AES256', big, `s3://${eb}/big.bin`);
    const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', eb, '--key', 'big.bin')) as { ServerSideEncryption?: string; ContentLength: number };
    expect(head).toMatchObject({ ServerSideEncryption: 'AES256', ContentLength: 50 * MiB });
    await ok('s3', 'cp', '--no-progress', `s3://${eb}/big.bin`, join(cli.work, 'big-sse.bin'));
    expect(readFileSync(join(cli.work, 'big-sse.bin')).equals(bigBytes)).toBe(true);

    const conf = join(cli.work, 'sse.json');
    writeFileSync(conf, JSON.stringify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] }));
    await ok('s3api', 'put-bucket-encryption', '--bucket', eb, '--server-side-encryption-configuration', `file://${conf}`);
    const got = JSON.parse(await ok('s3api', 'get-bucket-encryption', '--bucket', eb)) as { ServerSideEncryptionConfiguration: { Rules: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] } };
    expect(got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    await ok('s3', 'cp', '--no-progress', small, `s3://${eb}/small.txt`);
    expect(JSON.parse(await ok('s3api', 'head-object', '--bucket', eb, '--key', 'small.txt'))).toMatchObject({ ServerSideEncryption: 'AES256' });
    await ok('s3', 'cp', '--no-progress', `s3://${eb}/small.txt`, join(cli.work, 'small-sse.txt'));
    expect(readFileSync(join(cli.work, 'small-sse.txt'), 'utf8')).toBe('hello from the aws cli\n');
    await ok('s3', 'rb', '--force', `s3://${eb}`);
  }, 120_000);

  it('Object Lock: create-bucket --object-lock-enabled-for-bucket, a default retention, cp (multipart too) under it, deletes refused', async () => {
    const lb = 'cli-lock';
    await ok('s3api', 'create-bucket', '--bucket', lb, '--object-lock-enabled-for-bucket');
    expect(JSON.parse(await ok('s3api', 'get-bucket-versioning', '--bucket', lb))).toMatchObject({ Status: 'Enabled' });
    const conf = JSON.stringify({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } });
    await ok('s3api', 'put-object-lock-configuration', '--bucket', lb, '--object-lock-configuration', conf);
    const got = JSON.parse(await ok('s3api', 'get-object-lock-configuration', '--bucket', lb)) as { ObjectLockConfiguration: unknown };
    expect(got.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } });

    // The CLI sends a checksum with each body, which S3 (and we) require under a retention.
    await ok('s3', 'cp', '--no-progress', small, `s3://${lb}/small.txt`);
    await ok('s3', 'cp', '--no-progress', big, `s3://${lb}/big.bin`);
    for (const key of ['small.txt', 'big.bin']) {
      const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', lb, '--key', key)) as { ObjectLockMode?: string; ObjectLockRetainUntilDate?: string; VersionId: string };
      expect(head.ObjectLockMode).toBe('GOVERNANCE');
      expect(Date.parse(head.ObjectLockRetainUntilDate!) - Date.now()).toBeGreaterThan(23 * 3600_000);
      const refused = await aws('s3api', 'delete-object', '--bucket', lb, '--key', key, '--version-id', head.VersionId);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('AccessDenied');
    }
    const legal = await ok('s3api', 'put-object-legal-hold', '--bucket', lb, '--key', 'small.txt', '--legal-hold', 'Status=ON');
    expect(legal.trim()).toBe('');
    expect(JSON.parse(await ok('s3api', 'get-object-legal-hold', '--bucket', lb, '--key', 'small.txt'))).toEqual({ LegalHold: { Status: 'ON' } });
    // Governance bypassed: the big object's version goes; the small one's legal hold still holds it.
    const big1 = JSON.parse(await ok('s3api', 'head-object', '--bucket', lb, '--key', 'big.bin')) as { VersionId: string };
    await ok('s3api', 'delete-object', '--bucket', lb, '--key', 'big.bin', '--version-id', big1.VersionId, '--bypass-governance-retention');
    const small1 = JSON.parse(await ok('s3api', 'head-object', '--bucket', lb, '--key', 'small.txt')) as { VersionId: string };
    const held = await aws('s3api', 'delete-object', '--bucket', lb, '--key', 'small.txt', '--version-id', small1.VersionId, '--bypass-governance-retention');
    expect(held.code).not.toBe(0);
    expect(held.stderr).toContain('AccessDenied');
    const suspend = await aws('s3api', 'put-bucket-versioning', '--bucket', lb, '--versioning-configuration', 'Status=Suspended');
    expect(suspend.stderr).toContain('InvalidBucketState');
  }, 120_000);
});
