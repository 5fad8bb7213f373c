import { GetBucketLoggingCommand, PutBucketLoggingCommand, type BucketLoggingStatus } from '@aws-sdk/client-s3';
import { buildBucketLogging, parseBucketLogging, type BucketLogging } from './bucket-logging';
import { stubS3Client } from './testing/sdk-stub';
import { childNames, parseBack } from './testing/xml-assert';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const doc = (inner = '') => `<BucketLoggingStatus xmlns="${NS}">${inner}</BucketLoggingStatus>`;
const enabled = (inner: string) => doc(`<LoggingEnabled>${inner}</LoggingEnabled>`);
const TARGET = '<TargetBucket>logs</TargetBucket><TargetPrefix>access/</TargetPrefix>';
const format = (inner: string) => enabled(`${TARGET}<TargetObjectKeyFormat>${inner}</TargetObjectKeyFormat>`);
const GRANT = '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant>';

function code(body: string): string | undefined {
  try {
    parseBucketLogging(body);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe('parseBucketLogging', () => {
  it.each([
    ['an empty document', doc()],
    ['a self-closed root', '<BucketLoggingStatus/>'],
    ['a root with a prolog and whitespace', `<?xml version="1.0" encoding="UTF-8"?>\n${doc('\n  ')}`],
  ])('reads %s as logging off', (_what, body) => {
    expect(parseBucketLogging(body)).toBeUndefined();
  });

  it('reads the AWS documentation example', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<BucketLoggingStatus xmlns="http://doc.s3.amazonaws.com/2006-03-01">
  <LoggingEnabled>
    <TargetBucket>mybucketlogs</TargetBucket>
    <TargetPrefix>mybucket-access_log-/</TargetPrefix>
    <TargetGrants>
      <Grant>
        <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail">
          <EmailAddress>user@company.com</EmailAddress>
        </Grantee>
        <Permission>READ</Permission>
      </Grant>
    </TargetGrants>
  </LoggingEnabled>
</BucketLoggingStatus>`;
    expect(parseBucketLogging(body)).toEqual({ TargetBucket: 'mybucketlogs', TargetPrefix: 'mybucket-access_log-/', hasTargetGrants: true });
  });

  it('reads a target without grants or key format, in any element order, without namespace', () => {
    expect(parseBucketLogging(enabled(TARGET))).toEqual({ TargetBucket: 'logs', TargetPrefix: 'access/', hasTargetGrants: false });
    expect(parseBucketLogging('<BucketLoggingStatus><LoggingEnabled><TargetPrefix>p</TargetPrefix><TargetBucket> logs </TargetBucket></LoggingEnabled></BucketLoggingStatus>')).toEqual({
      TargetBucket: 'logs',
      TargetPrefix: 'p',
      hasTargetGrants: false,
    });
  });

  it('keeps the prefix exactly, empty or with spaces and escaped characters', () => {
    expect(parseBucketLogging(enabled('<TargetBucket>logs</TargetBucket><TargetPrefix></TargetPrefix>'))?.TargetPrefix).toBe('');
    expect(parseBucketLogging(enabled('<TargetBucket>logs</TargetBucket><TargetPrefix/>'))?.TargetPrefix).toBe('');
    expect(parseBucketLogging(enabled('<TargetBucket>logs</TargetBucket><TargetPrefix> a b &amp; c/ </TargetPrefix>'))?.TargetPrefix).toBe(' a b & c/ ');
  });

  it('reads the key formats', () => {
    expect(parseBucketLogging(format('<SimplePrefix/>'))?.TargetObjectKeyFormat).toEqual({ kind: 'simple' });
    expect(parseBucketLogging(format('<SimplePrefix></SimplePrefix>'))?.TargetObjectKeyFormat).toEqual({ kind: 'simple' });
    expect(parseBucketLogging(format('<PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix>'))?.TargetObjectKeyFormat).toEqual({
      kind: 'partitioned',
      dateSource: 'EventTime',
    });
    expect(parseBucketLogging(format('<PartitionedPrefix><PartitionDateSource> DeliveryTime </PartitionDateSource></PartitionedPrefix>'))?.TargetObjectKeyFormat).toEqual({
      kind: 'partitioned',
      dateSource: 'DeliveryTime',
    });
  });

  it("dates a PartitionedPrefix without PartitionDateSource by EventTime, S3's default", () => {
    expect(parseBucketLogging(format('<PartitionedPrefix/>'))?.TargetObjectKeyFormat).toEqual({ kind: 'partitioned', dateSource: 'EventTime' });
    expect(parseBucketLogging(format('<PartitionedPrefix></PartitionedPrefix>'))?.TargetObjectKeyFormat).toEqual({ kind: 'partitioned', dateSource: 'EventTime' });
  });

  it('notes grants only when there is one (an empty TargetGrants grants nothing)', () => {
    expect(parseBucketLogging(enabled(`${TARGET}<TargetGrants>${GRANT}</TargetGrants>`))?.hasTargetGrants).toBe(true);
    expect(parseBucketLogging(enabled(`${TARGET}<TargetGrants>${GRANT}${GRANT}</TargetGrants>`))?.hasTargetGrants).toBe(true);
    expect(parseBucketLogging(enabled(`${TARGET}<TargetGrants/>`))?.hasTargetGrants).toBe(false);
    expect(parseBucketLogging(enabled(`${TARGET}<TargetGrants><Grant/></TargetGrants>`))?.hasTargetGrants).toBe(true);
  });

  it.each([
    ['the wrong root', `<LoggingStatus>${'<LoggingEnabled>' + TARGET + '</LoggingEnabled>'}</LoggingStatus>`],
    ['an unknown element in the root', doc('<Logging/>')],
    ['two LoggingEnabled', doc(`<LoggingEnabled>${TARGET}</LoggingEnabled><LoggingEnabled>${TARGET}</LoggingEnabled>`)],
    ['text in the root', doc(`<LoggingEnabled>${TARGET}</LoggingEnabled>on`)],
    ['an empty LoggingEnabled', enabled('')],
    ['no TargetBucket', enabled('<TargetPrefix>p/</TargetPrefix>')],
    ['an empty TargetBucket', enabled('<TargetBucket></TargetBucket><TargetPrefix>p/</TargetPrefix>')],
    ['a blank TargetBucket', enabled('<TargetBucket>  </TargetBucket><TargetPrefix>p/</TargetPrefix>')],
    ['no TargetPrefix', enabled('<TargetBucket>logs</TargetBucket>')],
    ['two TargetBuckets', enabled(`${TARGET}<TargetBucket>other</TargetBucket>`)],
    ['two TargetPrefixes', enabled(`${TARGET}<TargetPrefix>again/</TargetPrefix>`)],
    ['an element inside TargetBucket', enabled('<TargetBucket><Name>logs</Name></TargetBucket><TargetPrefix>p/</TargetPrefix>')],
    ['an unknown element in LoggingEnabled', enabled(`${TARGET}<TargetRegion>us-east-1</TargetRegion>`)],
    ['text in LoggingEnabled', enabled(`${TARGET}x`)],
    ['something else than a Grant in TargetGrants', enabled(`${TARGET}<TargetGrants><Grantee/></TargetGrants>`)],
    ['text in TargetGrants', enabled(`${TARGET}<TargetGrants>${GRANT}x</TargetGrants>`)],
    ['an unknown element in a Grant', enabled(`${TARGET}<TargetGrants><Grant><Grantee/><Permission>READ</Permission><Role/></Grant></TargetGrants>`)],
    ['two TargetGrants', enabled(`${TARGET}<TargetGrants>${GRANT}</TargetGrants><TargetGrants>${GRANT}</TargetGrants>`)],
    ['an empty TargetObjectKeyFormat', format('')],
    ['both SimplePrefix and PartitionedPrefix', format('<SimplePrefix/><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix>')],
    ['two SimplePrefixes', format('<SimplePrefix/><SimplePrefix/>')],
    ['an unknown key format', format('<DatedPrefix/>')],
    ['a SimplePrefix with content', format('<SimplePrefix><PartitionDateSource>EventTime</PartitionDateSource></SimplePrefix>')],
    ['a SimplePrefix with text', format('<SimplePrefix>x</SimplePrefix>')],
    ['an unknown PartitionDateSource', format('<PartitionedPrefix><PartitionDateSource>RequestTime</PartitionDateSource></PartitionedPrefix>')],
    ['a lower-case PartitionDateSource', format('<PartitionedPrefix><PartitionDateSource>eventtime</PartitionDateSource></PartitionedPrefix>')],
    ['an empty PartitionDateSource', format('<PartitionedPrefix><PartitionDateSource></PartitionDateSource></PartitionedPrefix>')],
    ['two PartitionDateSources', format('<PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix>')],
    ['an unknown element in PartitionedPrefix', format('<PartitionedPrefix><Partition>day</Partition></PartitionedPrefix>')],
    ['two TargetObjectKeyFormats', enabled(`${TARGET}<TargetObjectKeyFormat><SimplePrefix/></TargetObjectKeyFormat><TargetObjectKeyFormat><SimplePrefix/></TargetObjectKeyFormat>`)],
    ['not XML', '{"LoggingEnabled":{}}'],
    ['an empty body', ''],
  ])('refuses %s as MalformedXML', (_what, body) => {
    expect(code(body)).toBe('MalformedXML');
  });
});

describe('buildBucketLogging', () => {
  const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

  it('is an empty BucketLoggingStatus, in the S3 namespace, when logging is off', () => {
    const xml = buildBucketLogging(undefined);
    expect(xml).toBe(`${PROLOG}<BucketLoggingStatus xmlns="${NS}"></BucketLoggingStatus>`);
    parseBack(xml);
    expect(parseBucketLogging(xml)).toBeUndefined();
  });

  it('is the configuration in the order of S3 response syntax, never with grants', () => {
    const c: BucketLogging = { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { kind: 'partitioned', dateSource: 'DeliveryTime' }, hasTargetGrants: true };
    const xml = buildBucketLogging(c);
    expect(xml).toBe(
      `${PROLOG}<BucketLoggingStatus xmlns="${NS}"><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetObjectKeyFormat><PartitionedPrefix>` +
        '<PartitionDateSource>DeliveryTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat><TargetPrefix>a/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>',
    );
    expect(childNames(xml, 'LoggingEnabled')).toEqual(['TargetBucket', 'TargetObjectKeyFormat', 'TargetPrefix']);
    expect(buildBucketLogging({ TargetBucket: 'logs', TargetPrefix: '', TargetObjectKeyFormat: { kind: 'simple' }, hasTargetGrants: false })).toBe(
      `${PROLOG}<BucketLoggingStatus xmlns="${NS}"><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetObjectKeyFormat><SimplePrefix></SimplePrefix>` +
        '</TargetObjectKeyFormat><TargetPrefix></TargetPrefix></LoggingEnabled></BucketLoggingStatus>',
    );
  });

  it('escapes the prefix', () => {
    const xml = buildBucketLogging({ TargetBucket: 'logs', TargetPrefix: '<a & "b">/', hasTargetGrants: false });
    expect(parseBack(xml).BucketLoggingStatus.LoggingEnabled.TargetPrefix).toBe('<a & "b">/');
  });

  it.each<BucketLogging>([
    { TargetBucket: 'logs', TargetPrefix: 'access/', hasTargetGrants: false },
    { TargetBucket: 'logs', TargetPrefix: '', hasTargetGrants: false },
    { TargetBucket: 'logs', TargetPrefix: ' x & y ', TargetObjectKeyFormat: { kind: 'simple' }, hasTargetGrants: false },
    { TargetBucket: 'logs', TargetPrefix: 'p/', TargetObjectKeyFormat: { kind: 'partitioned', dateSource: 'EventTime' }, hasTargetGrants: false },
    { TargetBucket: 'logs', TargetPrefix: 'p/', TargetObjectKeyFormat: { kind: 'partitioned', dateSource: 'DeliveryTime' }, hasTargetGrants: false },
  ])('round-trips %j', (c) => {
    expect(parseBucketLogging(buildBucketLogging(c))).toEqual(c);
  });
});

describe('@aws-sdk/client-s3 and our documents', () => {
  it.each<[string, BucketLoggingStatus, BucketLogging | undefined]>([
    ['logging off', {}, undefined],
    ['a target', { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'access/' } }, { TargetBucket: 'logs', TargetPrefix: 'access/', hasTargetGrants: false }],
    ['an empty prefix', { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: '' } }, { TargetBucket: 'logs', TargetPrefix: '', hasTargetGrants: false }],
    [
      'SimplePrefix',
      { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { SimplePrefix: {} } } },
      { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { kind: 'simple' }, hasTargetGrants: false },
    ],
    [
      'PartitionedPrefix by EventTime',
      { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } } } },
      { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { kind: 'partitioned', dateSource: 'EventTime' }, hasTargetGrants: false },
    ],
    [
      'PartitionedPrefix by DeliveryTime',
      { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'DeliveryTime' } } } },
      { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { kind: 'partitioned', dateSource: 'DeliveryTime' }, hasTargetGrants: false },
    ],
    [
      'PartitionedPrefix without a date source',
      { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { PartitionedPrefix: {} } } },
      { TargetBucket: 'logs', TargetPrefix: 'a/', TargetObjectKeyFormat: { kind: 'partitioned', dateSource: 'EventTime' }, hasTargetGrants: false },
    ],
    [
      'grants',
      { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'a/', TargetGrants: [{ Grantee: { Type: 'CanonicalUser', ID: 'abc' }, Permission: 'READ' }] } },
      { TargetBucket: 'logs', TargetPrefix: 'a/', hasTargetGrants: true },
    ],
  ])('the SDK sends a PutBucketLogging body we read (%s)', async (_what, BucketLoggingStatus, want) => {
    const { s3, sent } = stubS3Client();
    await s3.send(new PutBucketLoggingCommand({ Bucket: 'b', BucketLoggingStatus }));
    expect(parseBucketLogging(sent[0])).toEqual(want);
  });

  it('the SDK reads our GetBucketLogging answers', async () => {
    const get = async (c: BucketLogging | undefined) => (await stubS3Client(200, buildBucketLogging(c)).s3.send(new GetBucketLoggingCommand({ Bucket: 'b' }))).LoggingEnabled;
    expect(await get(undefined)).toBeUndefined();
    expect(await get({ TargetBucket: 'logs', TargetPrefix: 'access/', hasTargetGrants: false })).toEqual({ TargetBucket: 'logs', TargetPrefix: 'access/' });
    expect(await get({ TargetBucket: 'logs', TargetPrefix: '', hasTargetGrants: false })).toEqual({ TargetBucket: 'logs', TargetPrefix: '' });
    expect(await get({ TargetBucket: 'logs', TargetPrefix: 'p/', TargetObjectKeyFormat: { kind: 'partitioned', dateSource: 'DeliveryTime' }, hasTargetGrants: false })).toEqual({
      TargetBucket: 'logs',
      TargetPrefix: 'p/',
      TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'DeliveryTime' } },
    });
    expect((await get({ TargetBucket: 'logs', TargetPrefix: 'p/', TargetObjectKeyFormat: { kind: 'simple' }, hasTargetGrants: false }))?.TargetObjectKeyFormat).toEqual({ SimplePrefix: {} });
  });
});
