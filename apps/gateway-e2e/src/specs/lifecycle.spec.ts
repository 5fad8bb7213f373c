import {
  CreateBucketCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { s3Client, STYLES } from '../support/clients';
import { useGateway } from '../support/server';
import { expectS3Error } from '../support/s3-assert';

// A short lifecycle interval, so a rule whose Date has passed is enforced within the test.
const gw = useGateway({ MASSIVE_LIFECYCLE_INTERVAL_MS: '200' });

const put = (rules: LifecycleRule[]) => ({ LifecycleConfiguration: { Rules: rules } });

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(STYLES)('bucket lifecycle (%s style)', (style) => {
  const s3 = () => s3Client(gw, { style });
  const bucket = async (name: string): Promise<string> => {
    const b = `${style}-lc-${name}`;
    await s3().send(new CreateBucketCommand({ Bucket: b }));
    return b;
  };

  it('Put, Get and Delete a configuration; none is 404 NoSuchLifecycleConfiguration', async () => {
    const c = s3();
    const b = await bucket('roundtrip');
    await expectS3Error(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
    const rules: LifecycleRule[] = [
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      {
        ID: 'tagged-big',
        Status: 'Disabled',
        Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'class', Value: 'tmp' }], ObjectSizeGreaterThan: 1024, ObjectSizeLessThan: 1048576 } },
        Expiration: { Date: new Date('2031-06-01T00:00:00Z') },
      },
      { ID: 'versions', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 10, NewerNoncurrentVersions: 3 } },
      { ID: 'markers', Status: 'Enabled', Filter: { ObjectSizeLessThan: 10 }, Expiration: { ExpiredObjectDeleteMarker: true } },
      { ID: 'tag', Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, Expiration: { Days: 1 } },
    ];
    const res = await c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: b, ...put(rules) }));
    expect(res.$metadata.httpStatusCode).toBe(200);
    const got = await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
    expect(got.Rules).toEqual(rules);

    // A rule without an ID gets one; a new configuration replaces the old one whole.
    await c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: b, ...put([{ Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 5 } }]) }));
    const replaced = await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
    expect(replaced.Rules).toHaveLength(1);
    expect(replaced.Rules![0].ID).toMatch(/^.{1,255}$/);
    expect(replaced.Rules![0]).toMatchObject({ Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 5 } });

    const del = await c.send(new DeleteBucketLifecycleCommand({ Bucket: b }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
    await c.send(new DeleteBucketLifecycleCommand({ Bucket: b })); // again: still 204
  });

  it('refuses invalid configurations with AWS\'s errors', async () => {
    const c = s3();
    const b = await bucket('invalid');
    const refuse = (rules: LifecycleRule[], code: string) =>
      expectS3Error(c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: b, ...put(rules) })), code, 400);
    const base = { Status: 'Enabled' as const, Filter: { Prefix: 'a/' } };
    await refuse([{ ...base, ID: 'x', Expiration: { Days: 0 } }], 'InvalidArgument');
    await refuse([{ ...base, ID: 'x', Expiration: { Date: new Date('2030-01-01T12:00:00Z') } }], 'InvalidArgument');
    await refuse([{ ...base, ID: 'x', Expiration: { Days: 1 } }, { ...base, ID: 'x', Expiration: { Days: 2 } }], 'InvalidArgument');
    await refuse([{ ...base, ID: 'y'.repeat(256), Expiration: { Days: 1 } }], 'InvalidArgument');
    await refuse([{ ...base, ID: 'x', Expiration: { Days: 1, ExpiredObjectDeleteMarker: true } }], 'MalformedXML');
    await refuse([{ ...base, ID: 'x' }], 'InvalidRequest');
    await refuse([{ ID: 'x', Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }], 'InvalidRequest');
    await refuse([{ ...base, ID: 'x', NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 101 } }], 'InvalidArgument');
    const err = await refuse([{ ...base, ID: 'x', Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] }], 'InvalidStorageClass');
    expect(err.message).toMatch(/transitions are not supported/i);
    await expectS3Error(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
    await expectS3Error(
      c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: `${b}-missing`, ...put([{ ...base, ID: 'x', Expiration: { Days: 1 } }]) })),
      'NoSuchBucket',
      404,
    );
  });

  it('x-amz-expiration on PUT, HEAD and GET names the rule and the midnight the object expires', async () => {
    const c = s3();
    const b = await bucket('header');
    await c.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: b,
        ...put([{ ID: 'logs rule', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } }]),
      }),
    );
    const day = 86_400_000;
    const p = await c.send(new PutObjectCommand({ Bucket: b, Key: 'logs/a', Body: 'a' }));
    const head = await c.send(new HeadObjectCommand({ Bucket: b, Key: 'logs/a' }));
    const expected = `expiry-date="${new Date(Math.ceil((head.LastModified!.getTime() + 30 * day) / day) * day).toUTCString()}", rule-id="logs%20rule"`;
    expect(p.Expiration).toBe(expected);
    expect(head.Expiration).toBe(expected);
    const get = await c.send(new GetObjectCommand({ Bucket: b, Key: 'logs/a' }));
    await get.Body!.transformToString();
    expect(get.Expiration).toBe(expected);
    const other = await c.send(new PutObjectCommand({ Bucket: b, Key: 'data/x', Body: 'x' }));
    expect(other.Expiration).toBeUndefined();
    expect((await c.send(new HeadObjectCommand({ Bucket: b, Key: 'data/x' }))).Expiration).toBeUndefined();
  });

  it('the worker enforces a rule: past its Date, matching objects expire (a delete marker when versioned)', async () => {
    const c = s3();
    const b = await bucket('enforce');
    const v = await bucket('enforce-v');
    await c.send(new PutBucketVersioningCommand({ Bucket: v, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const name of [b, v]) {
      await c.send(new PutObjectCommand({ Bucket: name, Key: 'old/a', Body: 'a' }));
      await c.send(new PutObjectCommand({ Bucket: name, Key: 'keep/b', Body: 'b' }));
      await c.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: name,
          ...put([{ ID: 'past', Status: 'Enabled', Filter: { Prefix: 'old/' }, Expiration: { Date: new Date('2020-01-01T00:00:00Z') } }]),
        }),
      );
    }
    const keys = async (name: string) => ((await c.send(new ListObjectsV2Command({ Bucket: name }))).Contents ?? []).map((o) => o.Key);
    await eventually(async () => (await keys(b)).length === 1 && (await keys(v)).length === 1);
    expect(await keys(b)).toEqual(['keep/b']);
    expect(await keys(v)).toEqual(['keep/b']);
    const versions = await c.send(new ListObjectVersionsCommand({ Bucket: v, Prefix: 'old/' }));
    expect(versions.DeleteMarkers).toEqual([expect.objectContaining({ Key: 'old/a', IsLatest: true })]);
    expect(versions.Versions).toEqual([expect.objectContaining({ Key: 'old/a', IsLatest: false })]);
  });
});
