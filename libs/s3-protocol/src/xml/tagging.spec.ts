import { S3Error } from '../errors';
import { buildTagging, parseTagging } from './tagging';
import { childNames, parseBack } from './testing/xml-assert';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof S3Error) return e.code;
    throw e;
  }
  return 'none';
}

describe('parseTagging', () => {
  it('reads the SDK body, namespace and all, keeping text verbatim', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>' +
      '<Tag><Key> a </Key><Value>1 &amp; 2</Value></Tag><Tag><Key>empty</Key><Value></Value></Tag><Tag><Key>e2</Key><Value/></Tag>' +
      '</TagSet></Tagging>';
    expect(parseTagging(body)).toEqual({
      TagSet: [
        { Key: ' a ', Value: '1 & 2' },
        { Key: 'empty', Value: '' },
        { Key: 'e2', Value: '' },
      ],
    });
  });

  it('an empty TagSet is an empty set', () => {
    expect(parseTagging('<Tagging>\n  <TagSet/>\n</Tagging>')).toEqual({ TagSet: [] });
  });

  it.each([
    ['no TagSet', '<Tagging></Tagging>'],
    ['two TagSets', '<Tagging><TagSet/><TagSet/></Tagging>'],
    ['a Tag without Value', '<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>'],
    ['a Tag without Key', '<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>'],
    ['two Keys', '<Tagging><TagSet><Tag><Key>k</Key><Key>j</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['an unknown element', '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value><Extra/></Tag></TagSet></Tagging>'],
    ['text in TagSet', '<Tagging><TagSet>x<Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>'],
    ['another root', '<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>'],
    ['not XML', 'k=v'],
    ['an empty body', ''],
  ])('%s → MalformedXML', (_name, body) => {
    expect(codeOf(() => parseTagging(body))).toBe('MalformedXML');
  });
});

describe('buildTagging', () => {
  it('writes the tag set in order, escaped, and parses back', () => {
    const xml = buildTagging({ TagSet: [{ Key: 'a<b', Value: '' }, { Key: 'k', Value: 'v' }] });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>' +
        '<Tag><Key>a&lt;b</Key><Value></Value></Tag><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>',
    );
    parseBack(xml);
    expect(childNames(xml, 'TagSet')).toEqual(['Tag', 'Tag']);
    expect(parseTagging(xml).TagSet).toEqual([{ Key: 'a<b', Value: '' }, { Key: 'k', Value: 'v' }]);
  });

  it('an empty set is an empty TagSet', () => {
    expect(parseTagging(buildTagging({ TagSet: [] }))).toEqual({ TagSet: [] });
  });
});
