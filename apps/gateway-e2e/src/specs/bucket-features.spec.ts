import {
  CreateBucketCommand,
  DeleteBucketAnalyticsConfigurationCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketIntelligentTieringConfigurationCommand,
  DeleteBucketInventoryConfigurationCommand,
  DeleteBucketMetricsConfigurationCommand,
  DeleteBucketReplicationCommand,
  DeleteBucketWebsiteCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAccelerateConfigurationCommand,
  GetBucketAnalyticsConfigurationCommand,
  GetBucketIntelligentTieringConfigurationCommand,
  GetBucketInventoryConfigurationCommand,
  GetBucketMetricsConfigurationCommand,
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketReplicationCommand,
  GetBucketRequestPaymentCommand,
  GetBucketWebsiteCommand,
  GetObjectLockConfigurationCommand,
  ListBucketAnalyticsConfigurationsCommand,
  ListBucketIntelligentTieringConfigurationsCommand,
  ListBucketInventoryConfigurationsCommand,
  ListBucketMetricsConfigurationsCommand,
  PutBucketAccelerateConfigurationCommand,
  PutBucketAnalyticsConfigurationCommand,
  PutBucketEncryptionCommand,
  PutBucketIntelligentTieringConfigurationCommand,
  PutBucketInventoryConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketMetricsConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketRequestPaymentCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../support/clients';
import { useGateway } from '../support/server';
import { expectErrorXml, expectS3Error } from '../support/s3-assert';
import { rawRequest } from '../support/raw-http';

/**
 * Bucket features as a bucket that never had them reads them: those we do not offer (replication,
 * logging, notifications, requester pays, acceleration), and those we do (website, object lock,
 * encryption: their own specs) before they are configured. Their reads answer what S3 answers for a bucket that
 * never had them, through the SDK's own deserializers; deletes succeed, and so do Puts that set logging,
 * notifications, requester pays or acceleration off; every other Put is 501; a missing bucket is NoSuchBucket; the reads are the owner's (anonymous → AccessDenied) unless a bucket policy allows
 * their IAM action.
 */
const gw = useGateway();
const Bucket = 'features';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client(gw);
  await s3.send(new CreateBucketCommand({ Bucket }));
});

async function anon(path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${gw.endpoint}${path}`);
  return { status: r.status, text: await r.text() };
}

describe('features never configured', () => {
  it('answer S3\'s "not configured" 404s', async () => {
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    await expectS3Error(s3.send(new GetBucketWebsiteCommand({ Bucket })), 'NoSuchWebsiteConfiguration', 404);
    await expectS3Error(s3.send(new GetBucketReplicationCommand({ Bucket })), 'ReplicationConfigurationNotFoundError', 404);
    await expectS3Error(s3.send(new GetObjectLockConfigurationCommand({ Bucket })), 'ObjectLockConfigurationNotFoundError', 404);
  });

  it('answer S3\'s "not configured" documents', async () => {
    const logging = await s3.send(new GetBucketLoggingCommand({ Bucket }));
    expect(logging.$metadata.httpStatusCode).toBe(200);
    expect(logging.LoggingEnabled).toBeUndefined();
    const notifications = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
    expect(notifications.$metadata.httpStatusCode).toBe(200);
    expect(notifications.TopicConfigurations ?? []).toEqual([]);
    expect(notifications.QueueConfigurations ?? []).toEqual([]);
    expect(notifications.LambdaFunctionConfigurations ?? []).toEqual([]);
    expect(notifications.EventBridgeConfiguration).toBeUndefined();
    expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer).toBe('BucketOwner');
    const accelerate = await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket }));
    expect(accelerate.$metadata.httpStatusCode).toBe(200);
    expect(accelerate.Status).toBeUndefined();
  });

  it('deleting a configuration that is not there succeeds (204), as S3', async () => {
    for (const command of [new DeleteBucketEncryptionCommand({ Bucket }), new DeleteBucketWebsiteCommand({ Bucket }), new DeleteBucketReplicationCommand({ Bucket })]) {
      expect((await s3.send(command as never) as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode).toBe(204);
    }
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
  });

  it('setting one stays 501 NotImplemented, and changes nothing', async () => {
    // Default encryption is served (sse.spec.ts, sse-kms.spec.ts), except with DSSE-KMS.
    await expectS3Error(
      s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse' } }] } })),
      'NotImplemented',
      501,
    );
    // (Server access logging is served: access-logging.spec.ts.)
    await expectS3Error(s3.send(new PutBucketRequestPaymentCommand({ Bucket, RequestPaymentConfiguration: { Payer: 'Requester' } })), 'NotImplemented', 501);
    await expectS3Error(s3.send(new PutBucketAccelerateConfigurationCommand({ Bucket, AccelerateConfiguration: { Status: 'Enabled' } })), 'NotImplemented', 501);
    await expectS3Error(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket,
          NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:123456789012:q', Events: ['s3:ObjectCreated:*'] }] },
        }),
      ),
      'NotImplemented',
      501,
    );
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    expect((await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled).toBeUndefined();
    expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer).toBe('BucketOwner');
  });

  it('setting logging, notifications, requester pays or acceleration off succeeds (what tools send to remove them)', async () => {
    const ok = async (p: Promise<{ $metadata: { httpStatusCode?: number } }>) => expect((await p).$metadata.httpStatusCode).toBe(200);
    await ok(s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} })));
    await ok(s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} })));
    await ok(s3.send(new PutBucketRequestPaymentCommand({ Bucket, RequestPaymentConfiguration: { Payer: 'BucketOwner' } })));
    await ok(s3.send(new PutBucketAccelerateConfigurationCommand({ Bucket, AccelerateConfiguration: { Status: 'Suspended' } })));
    expect((await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled).toBeUndefined();
    expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer).toBe('BucketOwner');
    expect((await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket }))).Status).toBeUndefined();
    // A body that is no such document is MalformedXML, never taken as "off".
    const bad = await rawRequest(gw, { method: 'PUT', path: `/${Bucket}`, query: { requestPayment: '' }, body: '<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>' });
    expect(bad.status).toBe(400);
    expectErrorXml(bad.text, 'MalformedXML');
    await expectS3Error(s3.send(new PutBucketRequestPaymentCommand({ Bucket: 'no-such-features-bucket', RequestPaymentConfiguration: { Payer: 'BucketOwner' } })), 'NoSuchBucket', 404);
  });

  it('a missing bucket is NoSuchBucket, for reads and deletes', async () => {
    const Missing = 'no-such-features-bucket';
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: Missing })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new GetBucketLoggingCommand({ Bucket: Missing })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new GetBucketRequestPaymentCommand({ Bucket: Missing })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new DeleteBucketWebsiteCommand({ Bucket: Missing })), 'NoSuchBucket', 404);
  });

  it('are the owner\'s: anonymous requests are AccessDenied, unless a bucket policy allows the action', async () => {
    for (const sub of ['encryption', 'website', 'replication', 'object-lock', 'logging', 'notification', 'requestPayment', 'accelerate']) {
      const r = await anon(`/${Bucket}?${sub}`);
      expect([sub, r.status]).toEqual([sub, 403]);
      expectErrorXml(r.text, 'AccessDenied');
    }
    const Open = 'features-open';
    await s3.send(new CreateBucketCommand({ Bucket: Open }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: Open }));
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetBucketLogging', 's3:GetEncryptionConfiguration'], Resource: `arn:aws:s3:::${Open}` }],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: Open, Policy }));
    const logging = await anon(`/${Open}?logging`);
    expect(logging.status).toBe(200);
    expect(logging.text).toContain('<BucketLoggingStatus');
    expectErrorXml((await anon(`/${Open}?encryption`)).text, 'ServerSideEncryptionConfigurationNotFoundError');
    // Actions the policy does not name stay the owner's.
    expectErrorXml((await anon(`/${Open}?requestPayment`)).text, 'AccessDenied');
  });
});

describe('analytics, inventory, metrics and Intelligent-Tiering configurations (by id; none is ever set)', () => {
  const Id = 'config-1';

  it('a Get or Delete of an id is 404 NoSuchConfiguration, and a List is complete and empty, through the SDK', async () => {
    await expectS3Error(s3.send(new GetBucketAnalyticsConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    await expectS3Error(s3.send(new GetBucketInventoryConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    await expectS3Error(s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    await expectS3Error(s3.send(new GetBucketIntelligentTieringConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    await expectS3Error(s3.send(new DeleteBucketAnalyticsConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    await expectS3Error(s3.send(new DeleteBucketInventoryConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    await expectS3Error(s3.send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    await expectS3Error(s3.send(new DeleteBucketIntelligentTieringConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);

    const analytics = await s3.send(new ListBucketAnalyticsConfigurationsCommand({ Bucket }));
    expect([analytics.$metadata.httpStatusCode, analytics.IsTruncated, analytics.AnalyticsConfigurationList ?? []]).toEqual([200, false, []]);
    const inventory = await s3.send(new ListBucketInventoryConfigurationsCommand({ Bucket }));
    expect([inventory.$metadata.httpStatusCode, inventory.IsTruncated, inventory.InventoryConfigurationList ?? []]).toEqual([200, false, []]);
    const metrics = await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket }));
    expect([metrics.$metadata.httpStatusCode, metrics.IsTruncated, metrics.MetricsConfigurationList ?? []]).toEqual([200, false, []]);
    const tiering = await s3.send(new ListBucketIntelligentTieringConfigurationsCommand({ Bucket }));
    expect([tiering.$metadata.httpStatusCode, tiering.IsTruncated, tiering.IntelligentTieringConfigurationList ?? []]).toEqual([200, false, []]);
  });

  it('the List documents carry S3\'s root element for each family', async () => {
    const roots: Record<string, string> = {
      analytics: 'ListBucketAnalyticsConfigurationResult',
      inventory: 'ListInventoryConfigurationsResult',
      metrics: 'ListMetricsConfigurationsResult',
      'intelligent-tiering': 'ListBucketIntelligentTieringConfigurationsOutput',
    };
    for (const [sub, root] of Object.entries(roots)) {
      const r = await rawRequest(gw, { method: 'GET', path: `/${Bucket}`, query: { [sub]: '' } });
      expect([sub, r.status]).toEqual([sub, 200]);
      expect(r.text).toContain(`<${root}`);
      expect(r.text).toContain('<IsTruncated>false</IsTruncated>');
    }
  });

  it('setting one is 501 NotImplemented and sets nothing', async () => {
    await expectS3Error(
      s3.send(
        new PutBucketAnalyticsConfigurationCommand({ Bucket, Id, AnalyticsConfiguration: { Id, StorageClassAnalysis: {} } }),
      ),
      'NotImplemented',
      501,
    );
    await expectS3Error(
      s3.send(
        new PutBucketInventoryConfigurationCommand({
          Bucket,
          Id,
          InventoryConfiguration: {
            Id,
            IsEnabled: true,
            IncludedObjectVersions: 'All',
            Schedule: { Frequency: 'Daily' },
            Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${Bucket}`, Format: 'CSV' } },
          },
        }),
      ),
      'NotImplemented',
      501,
    );
    await expectS3Error(s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id, MetricsConfiguration: { Id } })), 'NotImplemented', 501);
    await expectS3Error(
      s3.send(
        new PutBucketIntelligentTieringConfigurationCommand({
          Bucket,
          Id,
          IntelligentTieringConfiguration: { Id, Status: 'Enabled', Tierings: [{ Days: 90, AccessTier: 'ARCHIVE_ACCESS' }] },
        }),
      ),
      'NotImplemented',
      501,
    );
    await expectS3Error(s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id })), 'NoSuchConfiguration', 404);
    expect((await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket }))).MetricsConfigurationList ?? []).toEqual([]);
  });

  it('a missing bucket is NoSuchBucket; anonymous requests are AccessDenied', async () => {
    const Missing = 'no-such-features-bucket';
    await expectS3Error(s3.send(new GetBucketInventoryConfigurationCommand({ Bucket: Missing, Id })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new ListBucketAnalyticsConfigurationsCommand({ Bucket: Missing })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new DeleteBucketMetricsConfigurationCommand({ Bucket: Missing, Id })), 'NoSuchBucket', 404);
    for (const sub of ['analytics', 'inventory', 'metrics', 'intelligent-tiering']) {
      for (const path of [`/${Bucket}?${sub}`, `/${Bucket}?${sub}&id=${Id}`]) {
        const r = await anon(path);
        expect([path, r.status]).toEqual([path, 403]);
        expectErrorXml(r.text, 'AccessDenied');
      }
    }
  });
});
