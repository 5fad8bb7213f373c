import { buildVersioningConfiguration, parseVersioningConfiguration } from './versioning-configuration';

const doc = (inner: string): string => `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</VersioningConfiguration>`;

describe('VersioningConfiguration', () => {
  it('parses what the SDKs send', () => {
    expect(parseVersioningConfiguration(doc('<Status>Enabled</Status>'))).toEqual({ Status: 'Enabled' });
    expect(parseVersioningConfiguration(doc('<Status>Suspended</Status><MfaDelete>Disabled</MfaDelete>'))).toEqual({ Status: 'Suspended', MfaDelete: 'Disabled' });
    expect(parseVersioningConfiguration(doc('<MfaDelete>Enabled</MfaDelete><Status>Enabled</Status>'))).toEqual({ Status: 'Enabled', MfaDelete: 'Enabled' });
  });

  it.each([
    ['no status', doc(''), 'IllegalVersioningConfigurationException'],
    ['a bad status', doc('<Status>On</Status>'), 'IllegalVersioningConfigurationException'],
    ['lower-case status', doc('<Status>enabled</Status>'), 'IllegalVersioningConfigurationException'],
    ['a bad MfaDelete', doc('<Status>Enabled</Status><MfaDelete>Yes</MfaDelete>'), 'MalformedXML'],
    ['an unknown element', doc('<Status>Enabled</Status><Other/>'), 'MalformedXML'],
    ['two statuses', doc('<Status>Enabled</Status><Status>Suspended</Status>'), 'MalformedXML'],
    ['another root', '<Versioning><Status>Enabled</Status></Versioning>', 'MalformedXML'],
    ['not XML', 'Enabled', 'MalformedXML'],
  ])('refuses %s', (_name, body, code) => {
    expect(() => parseVersioningConfiguration(body)).toThrow(expect.objectContaining({ code }));
  });

  it('builds the GetBucketVersioning answer; never-set versioning is an empty document', () => {
    expect(buildVersioningConfiguration({})).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></VersioningConfiguration>',
    );
    expect(buildVersioningConfiguration({ Status: 'Suspended' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>',
    );
  });
});
