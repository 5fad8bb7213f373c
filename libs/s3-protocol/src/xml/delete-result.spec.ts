import { buildDeleteResult } from './delete-result';
import { childNames, parseBack } from './testing/xml-assert';

describe('buildDeleteResult', () => {
  const deleted = [{ Key: 'sample1.txt' }, { Key: 'v.txt', VersionId: 'v1', DeleteMarker: true, DeleteMarkerVersionId: 'dm1' }];
  const errors = [{ Key: 'sample2.txt', Code: 'AccessDenied', Message: 'Access Denied' }];

  it('matches the AWS example', () => {
    const xml = buildDeleteResult({ Deleted: [{ Key: 'sample1.txt' }], Error: errors });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Deleted><Key>sample1.txt</Key></Deleted>' +
        '<Error><Key>sample2.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>',
    );
    parseBack(xml);
  });

  it('writes version fields in AWS order', () => {
    const xml = buildDeleteResult({ Deleted: deleted, Error: [{ ...errors[0], VersionId: 'v9' }] });
    expect(xml).toMatchSnapshot();
    expect(childNames(xml, 'Error')).toEqual(['Key', 'VersionId', 'Code', 'Message']);
    const doc = parseBack(xml).DeleteResult;
    expect(doc.Deleted[1]).toEqual({ Key: 'v.txt', VersionId: 'v1', DeleteMarker: 'true', DeleteMarkerVersionId: 'dm1' });
  });

  it('reports only errors in quiet mode', () => {
    const xml = buildDeleteResult({ Quiet: true, Deleted: deleted, Error: errors });
    expect(childNames(xml)).toEqual(['Error']);
    expect(buildDeleteResult({ Quiet: true, Deleted: deleted, Error: [] })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>',
    );
  });

  it('escapes keys with whitespace and specials verbatim', () => {
    const xml = buildDeleteResult({ Deleted: [{ Key: ' a&b ' }, { Key: '0012' }], Error: [] });
    expect(parseBack(xml).DeleteResult.Deleted.map((d: any) => d.Key)).toEqual([' a&b ', '0012']);
  });
});
