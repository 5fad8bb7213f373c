import { assertContainer, leafText, malformedXml, parseXmlBoolean, readXmlDocument, type XmlElement } from './xml-reader';

/**
 * The DeleteObjects body: `<Delete><Object><Key/><VersionId/></Object>…<Quiet/></Delete>`.
 * - Keys are returned exactly as sent, whitespace and all (` a `, `0012`); entities and character references
 *   are decoded (`&amp;` → `&`, `&#x41;` → `A`, `&#13;` → CR). An empty `<Key/>` is returned as `''` for the
 *   handler to report per key.
 * - No objects, more than 1000 objects, a missing `Key`, or any unknown element is MalformedXML, as AWS does.
 * - `Quiet` is xsd:boolean (`true`/`false`/`1`/`0`), default false.
 * The caller bounds the body size before calling (AWS caps the request at 1000 keys of ≤1024 bytes).
 */
export interface ObjectIdentifier {
  readonly Key: string;
  readonly VersionId?: string;
}

export interface Delete {
  readonly Object: readonly ObjectIdentifier[];
  readonly Quiet: boolean;
}

export const MAX_DELETE_OBJECTS = 1000;

export function parseDelete(body: string | Uint8Array): Delete {
  const root = readXmlDocument(body, 'Delete');
  assertContainer(root);
  const objects: ObjectIdentifier[] = [];
  let quiet: boolean | undefined;
  for (const el of root.children) {
    if (el.name === 'Object') {
      if (objects.length === MAX_DELETE_OBJECTS) throw malformedXml();
      objects.push(readObject(el));
    } else if (el.name === 'Quiet' && quiet === undefined) {
      quiet = parseXmlBoolean(leafText(el));
    } else {
      throw malformedXml();
    }
  }
  if (objects.length === 0) throw malformedXml();
  return { Object: objects, Quiet: quiet ?? false };
}

function readObject(obj: XmlElement): ObjectIdentifier {
  assertContainer(obj);
  let key: string | undefined;
  let versionId: string | undefined;
  for (const el of obj.children) {
    if (el.name === 'Key' && key === undefined) key = leafText(el);
    else if (el.name === 'VersionId' && versionId === undefined) versionId = leafText(el);
    else throw malformedXml();
  }
  if (key === undefined) throw malformedXml();
  return versionId === undefined ? { Key: key } : { Key: key, VersionId: versionId };
}
