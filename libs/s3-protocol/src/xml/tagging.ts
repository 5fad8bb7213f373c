import type { Tag } from '../tagging/tag-set';
import { assertContainer, leafText, malformedXml, readXmlDocument, type XmlElement } from './xml-reader';
import { XmlWriter } from './xml-writer';

/**
 * PutObjectTagging / PutBucketTagging bodies and the Get*Tagging answers:
 * `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>…</TagSet></Tagging>`.
 */
export interface Tagging {
  readonly TagSet: readonly Tag[];
}

/**
 * Strict parse: exactly one TagSet, each Tag exactly one Key and one Value (an empty Value is `<Value/>`),
 * anything else MalformedXML. Text is kept verbatim (a key ` a ` stays as is). The limits (count, lengths,
 * duplicates, `aws:`) are `validateTagSet`'s, checked by the caller for the object or bucket case.
 */
export function parseTagging(body: string | Uint8Array): Tagging {
  const root = readXmlDocument(body, 'Tagging');
  assertContainer(root);
  if (root.children.length !== 1 || root.children[0].name !== 'TagSet') throw malformedXml();
  const set = root.children[0];
  assertContainer(set);
  return { TagSet: set.children.map(parseTag) };
}

function parseTag(el: XmlElement): Tag {
  if (el.name !== 'Tag') throw malformedXml();
  assertContainer(el);
  let key: string | undefined;
  let value: string | undefined;
  for (const c of el.children) {
    if (c.name === 'Key' && key === undefined) key = leafText(c);
    else if (c.name === 'Value' && value === undefined) value = leafText(c);
    else throw malformedXml();
  }
  if (key === undefined || value === undefined) throw malformedXml();
  return { Key: key, Value: value };
}

export function buildTagging(input: Tagging): string {
  const w = new XmlWriter('Tagging').open('TagSet');
  for (const t of input.TagSet) w.open('Tag').text('Key', t.Key).text('Value', t.Value).close('Tag');
  return w.close('TagSet').end();
}
