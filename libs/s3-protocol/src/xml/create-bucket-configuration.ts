import { assertContainer, isBlankBody, leafText, malformedXml, readXmlDocument } from './xml-reader';

/**
 * The CreateBucket body. It is optional: an empty body means the default region. Only `LocationConstraint`
 * is understood; any other element (directory-bucket `Location`/`Bucket`, tags…) is MalformedXML.
 * Whether the region is valid for this endpoint is the handler's call (InvalidLocationConstraint /
 * IllegalLocationConstraintException), not the parser's. The caller bounds the body size.
 */
export interface CreateBucketConfiguration {
  readonly LocationConstraint?: string;
}

export function parseCreateBucketConfiguration(body: string | Uint8Array): CreateBucketConfiguration {
  if (isBlankBody(body)) return {};
  const root = readXmlDocument(body, 'CreateBucketConfiguration');
  assertContainer(root);
  let location: string | undefined;
  for (const el of root.children) {
    if (el.name !== 'LocationConstraint' || location !== undefined) throw malformedXml();
    location = leafText(el).trim();
  }
  return location === undefined ? {} : { LocationConstraint: location };
}
