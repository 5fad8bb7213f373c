import { assertContainer, leafText, malformedXml, parseXmlBoolean, readXmlDocument } from './xml-reader';
import { XmlWriter } from './xml-writer';

/** Block Public Access for one bucket; an element left out of a Put is false, as AWS stores it. */
export interface PublicAccessBlockConfiguration {
  readonly BlockPublicAcls: boolean;
  readonly IgnorePublicAcls: boolean;
  readonly BlockPublicPolicy: boolean;
  readonly RestrictPublicBuckets: boolean;
}

const FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export function parsePublicAccessBlock(body: string | Uint8Array): PublicAccessBlockConfiguration {
  const root = readXmlDocument(body, 'PublicAccessBlockConfiguration');
  assertContainer(root);
  const out: Record<string, boolean> = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
  const seen = new Set<string>();
  for (const el of root.children) {
    if (!(FIELDS as readonly string[]).includes(el.name) || seen.has(el.name)) throw malformedXml();
    seen.add(el.name);
    out[el.name] = parseXmlBoolean(leafText(el));
  }
  return out as unknown as PublicAccessBlockConfiguration;
}

export function buildPublicAccessBlock(c: PublicAccessBlockConfiguration): string {
  const w = new XmlWriter('PublicAccessBlockConfiguration');
  for (const f of FIELDS) w.bool(f, c[f]);
  return w.end();
}
