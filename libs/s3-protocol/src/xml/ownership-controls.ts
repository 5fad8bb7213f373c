import { S3Error } from '../errors';
import { assertContainer, leafText, malformedXml, readXmlDocument } from './xml-reader';
import { XmlWriter } from './xml-writer';

export const OBJECT_OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;
export type ObjectOwnership = (typeof OBJECT_OWNERSHIPS)[number];

export function isObjectOwnership(s: string): s is ObjectOwnership {
  return (OBJECT_OWNERSHIPS as readonly string[]).includes(s);
}

/** `<OwnershipControls><Rule><ObjectOwnership>…</ObjectOwnership></Rule></OwnershipControls>`: exactly one rule. */
export function parseOwnershipControls(body: string | Uint8Array): ObjectOwnership {
  const root = readXmlDocument(body, 'OwnershipControls');
  assertContainer(root);
  if (root.children.length !== 1 || root.children[0].name !== 'Rule') throw malformedXml();
  const rule = root.children[0];
  assertContainer(rule);
  if (rule.children.length !== 1 || rule.children[0].name !== 'ObjectOwnership') throw malformedXml();
  const v = leafText(rule.children[0]).trim();
  if (!isObjectOwnership(v)) throw new S3Error('InvalidArgument', 'Invalid ObjectOwnership', { ArgumentName: 'ObjectOwnership', ArgumentValue: v });
  return v;
}

export function buildOwnershipControls(ownership: ObjectOwnership): string {
  return new XmlWriter('OwnershipControls').open('Rule').text('ObjectOwnership', ownership).close('Rule').end();
}
