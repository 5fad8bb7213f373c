import { buildDeleteResult } from './delete-result';
import { buildListBucketResult } from './list-bucket-result';
import { parseDelete } from './delete';
import { T0 } from './testing/xml-assert';
import { escapeXml } from './xml-writer';

const doc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</Delete>`;
const obj = (key: string, extra = '') => `<Object><Key>${key}</Key>${extra}</Object>`;

describe('parseDelete', () => {
  it('reads the AWS example', () => {
    const body = doc(`
      <Quiet>true</Quiet>
      <Object><Key>sample1.txt</Key></Object>
      <Object><Key>sample2.txt</Key><VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId></Object>
    `);
    expect(parseDelete(body)).toEqual({
      Quiet: true,
      Object: [{ Key: 'sample1.txt' }, { Key: 'sample2.txt', VersionId: 'OYcLXagmS.WaD..oyH4KRguB95_YhLs7' }],
    });
  });

  it('reads the conditional-delete fields of an entry', () => {
    const body = doc(
      obj('a', '<ETag>"abc"</ETag><LastModifiedTime>2024-05-01T12:00:00.000Z</LastModifiedTime><Size>42</Size>') +
        obj('b', '<VersionId>v</VersionId><Size>0</Size>') +
        obj('c', '<LastModifiedTime>2024-05-01T14:00:00+02:00</LastModifiedTime>') +
        obj('d', '<LastModifiedTime>Wed, 01 May 2024 12:00:00 GMT</LastModifiedTime>'),
    );
    expect(parseDelete(body).Object).toEqual([
      { Key: 'a', ETag: '"abc"', LastModifiedTime: Date.UTC(2024, 4, 1, 12), Size: 42 },
      { Key: 'b', VersionId: 'v', Size: 0 },
      { Key: 'c', LastModifiedTime: Date.UTC(2024, 4, 1, 12) },
      { Key: 'd', LastModifiedTime: Date.UTC(2024, 4, 1, 12) },
    ]);
  });

  it.each([
    ['a size that is no integer', '<Size>1.5</Size>'],
    ['a negative size', '<Size>-1</Size>'],
    ['an empty size', '<Size></Size>'],
    ['a time that is no timestamp', '<LastModifiedTime>yesterday</LastModifiedTime>'],
    ['a date without a time', '<LastModifiedTime>2024-05-01</LastModifiedTime>'],
    ['a repeated ETag', '<ETag>a</ETag><ETag>b</ETag>'],
  ])('refuses %s as MalformedXML', (_name, extra) => {
    expect(() => parseDelete(doc(obj('k', extra)))).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });

  it('defaults Quiet to false', () => {
    expect(parseDelete(doc(obj('a'))).Quiet).toBe(false);
    expect(parseDelete(doc(obj('a') + '<Quiet>0</Quiet>')).Quiet).toBe(false);
  });

  it.each([
    ['leading/trailing spaces', ' a ', ' a '],
    ['only spaces', '   ', '   '],
    ['digits with leading zeros', '0012', '0012'],
    ['looks like a number', '1e3', '1e3'],
    ['looks like a boolean', 'true', 'true'],
    ['tabs and newlines', '\ta\nb\t', '\ta\nb\t'],
    ['predefined entities', '&amp;&lt;&gt;&quot;&apos;', '&<>"\''],
    ['character references', '&#x41;&#66;&#x1;', 'AB\u0001'],
    ['CR as a reference', 'a&#13;b', 'a\rb'],
    ['CDATA', '<![CDATA[ <x> & ]]>', ' <x> & '],
    ['unicode', 'ü/日本/😀', 'ü/日本/😀'],
    ['empty', '', ''],
    ['entity-looking text', '&amp;amp;', '&amp;'],
  ])('keeps a key with %s verbatim', (_name, xmlKey, key) => {
    expect(parseDelete(doc(obj(xmlKey))).Object).toEqual([{ Key: key }]);
  });

  it('round-trips every key our listings emit, control characters included', () => {
    const keys = [' a ', 'a&b', '<k>', 'q"\'', 'c\u0001\u001f', 'cr\r\nlf', '0012'];
    for (const key of keys) expect(parseDelete(doc(obj(escapeXml(key)))).Object[0].Key).toBe(key);
    const listing = buildListBucketResult({
      Name: 'b', Prefix: '', Marker: '', MaxKeys: 10, IsTruncated: false, CommonPrefixes: [],
      Contents: keys.map((Key) => ({ Key, LastModified: T0, ETag: 'e', Size: 0, StorageClass: 'STANDARD' })),
    });
    const listed = [...listing.matchAll(/<Key>(.*?)<\/Key>/gs)].map((m) => m[1]);
    expect(parseDelete(doc(listed.map((k) => obj(k)).join(''))).Object.map((o) => o.Key)).toEqual(keys);
    expect(buildDeleteResult({ Deleted: [], Error: [] })).toContain('DeleteResult');
  });

  it('accepts 1000 objects', () => {
    expect(parseDelete(doc(obj('k').repeat(1000))).Object).toHaveLength(1000);
  });

  it.each([
    ['1001 objects', doc(obj('k').repeat(1001))],
    ['no objects', doc('<Quiet>true</Quiet>')],
    ['empty document', doc('')],
    ['empty body', ''],
    ['missing Key', doc('<Object><VersionId>v</VersionId></Object>')],
    ['two Keys', doc('<Object><Key>a</Key><Key>b</Key></Object>')],
    ['two VersionIds', doc(obj('a', '<VersionId>1</VersionId><VersionId>2</VersionId>'))],
    ['unknown element in Object', doc(obj('a', '<ETagX>e</ETagX>'))],
    ['unknown element in Delete', doc(obj('a') + '<Objects/>')],
    ['two Quiet', doc(obj('a') + '<Quiet>true</Quiet><Quiet>true</Quiet>')],
    ['bad Quiet', doc(obj('a') + '<Quiet>yes</Quiet>')],
    ['Key with child element', doc('<Object><Key><b>x</b></Key></Object>')],
    ['text inside Object', doc('<Object>x<Key>a</Key></Object>')],
    ['wrong root', '<DeleteObjects><Object><Key>a</Key></Object></DeleteObjects>'],
    ['unknown entity', doc(obj('&nbsp;'))],
    ['raw control character', doc(obj('a\u0001'))],
    ['DOCTYPE with entity', `<!DOCTYPE Delete [<!ENTITY e "x">]>${doc(obj('&e;')).replace(/^<\?xml[^>]*>\n/, '')}`],
    ['billion laughs', '<!DOCTYPE Delete [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>'],
    ['truncated', doc(obj('a')).slice(0, -5)],
  ])('rejects %s as MalformedXML', (_name, body) => {
    expect(() => parseDelete(body)).toThrow(expect.objectContaining({ code: 'MalformedXML', status: 400 }));
  });
});
