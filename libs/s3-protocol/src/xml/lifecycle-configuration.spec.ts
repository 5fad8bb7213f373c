import { buildLifecycleConfiguration, parseLifecycleConfiguration } from './lifecycle-configuration';

const doc = (...rules: string[]): string => `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules.join('')}</LifecycleConfiguration>`;
const rule = (inner: string, filter = '<Filter><Prefix>logs/</Prefix></Filter>'): string => `<Rule><ID>r</ID>${filter}<Status>Enabled</Status>${inner}</Rule>`;
const ids = (): (() => string) => {
  let n = 0;
  return () => `gen-${n++}`;
};
const parse = (body: string) => parseLifecycleConfiguration(body, ids());

describe('LifecycleConfiguration', () => {
  it('parses every filter form and action into the stored model', () => {
    const c = parse(
      doc(
        '<Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Disabled</Status><Expiration><Days>30</Days></Expiration></Rule>',
        '<Rule><Filter></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>',
        rule('<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>', '<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>').replace('<ID>r</ID>', '<ID>tag</ID>'),
        rule('<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>', '<Filter><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></Filter>').replace('<ID>r</ID>', '<ID>gt</ID>'),
        rule(
          '<Expiration><Days>1</Days></Expiration>',
          '<Filter><And><Prefix>a/</Prefix><Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>',
        ).replace('<ID>r</ID>', '<ID>and</ID>'),
        rule('<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>').replace('<ID>r</ID>', '<ID>mpu</ID>'),
      ),
    );
    expect(c.rules).toEqual([
      { id: 'legacy', status: 'Disabled', filter: { kind: 'legacy', prefix: 'old/' }, expiration: { days: 30 } },
      { id: 'gen-0', status: 'Enabled', filter: { kind: 'all' }, expiration: { expiredObjectDeleteMarker: true } },
      { id: 'tag', status: 'Enabled', filter: { kind: 'tag', tag: { key: 'k', value: 'v' } }, expiration: { date: Date.UTC(2030, 0, 1) } },
      { id: 'gt', status: 'Enabled', filter: { kind: 'sizeGreaterThan', size: 100 }, noncurrentVersionExpiration: { noncurrentDays: 7, newerNoncurrentVersions: 3 } },
      {
        id: 'and',
        status: 'Enabled',
        filter: { kind: 'and', prefix: 'a/', tags: [{ key: 'k1', value: 'v1' }, { key: 'k2', value: '' }], sizeGreaterThan: 1, sizeLessThan: 10 },
        expiration: { days: 1 },
      },
      { id: 'mpu', status: 'Enabled', filter: { kind: 'prefix', prefix: 'logs/' }, abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } },
    ]);
    // Round trip: what GetBucketLifecycleConfiguration answers parses back to the same rules.
    expect(parse(buildLifecycleConfiguration(c))).toEqual(c);
  });

  it('reads a zone-less midnight Date as UTC', () => {
    expect(parse(doc(rule('<Expiration><Date>2030-01-01T00:00:00</Date></Expiration>'))).rules[0].expiration).toEqual({ date: Date.UTC(2030, 0, 1) });
  });

  const days = (n: string) => rule(`<Expiration><Days>${n}</Days></Expiration>`);
  it.each([
    ['no rule', doc(), 'MalformedXML'],
    ['1001 rules', doc(...Array.from({ length: 1001 }, (_, i) => days('1').replace('<ID>r</ID>', `<ID>r${i}</ID>`))), 'MalformedXML'],
    ['an unknown element', doc(rule('<Expiration><Days>1</Days></Expiration><Foo/>')), 'MalformedXML'],
    ['a bad Status', doc(rule('<Expiration><Days>1</Days></Expiration>').replace('Enabled', 'On')), 'MalformedXML'],
    ['neither Filter nor Prefix', doc(rule('<Expiration><Days>1</Days></Expiration>', '')), 'MalformedXML'],
    ['both Filter and Prefix', doc(rule('<Expiration><Days>1</Days></Expiration>', '<Prefix>a</Prefix><Filter/>')), 'MalformedXML'],
    ['two predicates in a Filter', doc(rule('<Expiration><Days>1</Days></Expiration>', '<Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>')), 'MalformedXML'],
    ['Days and Date', doc(rule('<Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration>')), 'MalformedXML'],
    ['Days and ExpiredObjectDeleteMarker', doc(rule('<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>')), 'MalformedXML'],
    ['an empty Expiration', doc(rule('<Expiration></Expiration>')), 'MalformedXML'],
    ['non-integer Days', doc(days('1.5')), 'MalformedXML'],
    ['zero Days', doc(days('0')), 'InvalidArgument'],
    ['negative Days', doc(days('-3')), 'InvalidArgument'],
    ['a Date not at midnight', doc(rule('<Expiration><Date>2030-01-01T01:00:00Z</Date></Expiration>')), 'InvalidArgument'],
    ['an ID over 255 characters', doc(days('1').replace('<ID>r</ID>', `<ID>${'x'.repeat(256)}</ID>`)), 'InvalidArgument'],
    ['two rules with one ID', doc(days('1'), days('2')), 'InvalidArgument'],
    ['zero NoncurrentDays', doc(rule('<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>')), 'InvalidArgument'],
    ['NewerNoncurrentVersions over 100', doc(rule('<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>')), 'InvalidArgument'],
    ['zero DaysAfterInitiation', doc(rule('<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>')), 'InvalidArgument'],
    ['size bounds that select nothing', doc(rule('<Expiration><Days>1</Days></Expiration>', '<Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>')), 'InvalidArgument'],
    ['an empty tag key', doc(rule('<Expiration><Days>1</Days></Expiration>', '<Filter><Tag><Key></Key><Value>v</Value></Tag></Filter>')), 'InvalidArgument'],
    ['a rule without an action', doc(rule('')), 'InvalidRequest'],
    ['duplicate tag keys', doc(rule('<Expiration><Days>1</Days></Expiration>', '<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter>')), 'InvalidRequest'],
    ['ExpiredObjectDeleteMarker with a Tag filter', doc(rule('<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>', '<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>')), 'InvalidRequest'],
    ['AbortIncompleteMultipartUpload with Tags', doc(rule('<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>', '<Filter><And><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>')), 'InvalidRequest'],
    ['a Transition', doc(rule('<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>')), 'InvalidStorageClass'],
    ['a NoncurrentVersionTransition', doc(rule('<Expiration><Days>60</Days></Expiration><NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>')), 'InvalidStorageClass'],
    ['another root', '<Lifecycle><Rule/></Lifecycle>', 'MalformedXML'],
  ])('refuses %s', (_name, body, code) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ code }));
  });

  it('answers AWS\'s messages for out-of-range numbers', () => {
    expect(() => parse(doc(days('0')))).toThrow("'Days' for Expiration action must be a positive integer");
    expect(() => parse(doc(rule('<Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration>')))).toThrow("'Date' must be at midnight GMT");
  });

  it('builds GetBucketLifecycleConfiguration\'s document in the shape each rule was put', () => {
    expect(
      buildLifecycleConfiguration({
        rules: [
          { id: 'a', status: 'Enabled', filter: { kind: 'legacy', prefix: 'p/' }, expiration: { date: Date.UTC(2030, 0, 1) } },
          { id: 'b&c', status: 'Disabled', filter: { kind: 'all' }, noncurrentVersionExpiration: { noncurrentDays: 2 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ],
      }),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Rule><ID>a</ID><Prefix>p/</Prefix><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration></Rule>' +
        '<Rule><ID>b&amp;c</ID><Filter></Filter><Status>Disabled</Status><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration>' +
        '<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>',
    );
  });
});
