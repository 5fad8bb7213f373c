import { assertContainer, leafText, malformedXml, parseXmlBoolean, readXmlDocument, type XmlElement } from './xml-reader';

/**
 * The DeleteObjects body: `<Delete><Object><Key/><VersionId/><ETag/><LastModifiedTime/><Size/></Object>…<Quiet/></Delete>`.
 * - Keys are returned exactly as sent, whitespace and all (` a `, `0012`); entities and character references
 *   are decoded (`&amp;` → `&`, `&#x41;` → `A`, `&#13;` → CR). An empty `<Key/>` is returned as `''` for the
 *   handler to report per key.
 * - No objects, more than 1000 objects, a missing `Key`, or any unknown element is MalformedXML, as AWS does.
 * - `Quiet` is xsd:boolean (`true`/`false`/`1`/`0`), default false.
 * - `ETag`, `LastModifiedTime` (an HTTP date or ISO 8601 timestamp, returned as epoch ms) and `Size` (a non-negative
 *   integer) are the entry's conditional-delete preconditions; a value that does not parse is MalformedXML.
 * The caller bounds the body size before calling (AWS caps the request at 1000 keys of ≤1024 bytes).
 */
export interface ObjectIdentifier {
  readonly Key: string;
  readonly VersionId?: string;
  readonly ETag?: string;
  /** Epoch ms. */
  readonly LastModifiedTime?: number;
  readonly Size?: number;
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
  const seen = new Map<string, string>();
  for (const el of obj.children) {
    if (!OBJECT_FIELDS.has(el.name) || seen.has(el.name)) throw malformedXml();
    seen.set(el.name, leafText(el));
  }
  const key = seen.get('Key');
  if (key === undefined) throw malformedXml();
  const versionId = seen.get('VersionId');
  const etag = seen.get('ETag');
  const time = seen.get('LastModifiedTime');
  const size = seen.get('Size');
  return {
    Key: key,
    ...(versionId !== undefined && { VersionId: versionId }),
    ...(etag !== undefined && { ETag: etag }),
    ...(time !== undefined && { LastModifiedTime: parseTimestamp(time) }),
    ...(size !== undefined && { Size: parseSize(size) }),
  };
}

const OBJECT_FIELDS = new Set(['Key', 'VersionId', 'ETag', 'LastModifiedTime', 'Size']);

function parseTimestamp(s: string): number {
  const t = s.trim();
  // The AWS model declares this member an HTTP date (the SDKs send `Tue, 14 Nov 2023 22:13:20 GMT`);
  // xsd:dateTime as S3 writes timestamps (2024-05-01T12:00:00.000Z, or with an offset) is accepted too.
  const httpDate = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  if (!httpDate.test(t) && !isoDate.test(t)) throw malformedXml();
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw malformedXml();
  return ms;
}

function parseSize(s: string): number {
  const t = s.trim();
  if (!/^\d{1,16}$/.test(t)) throw malformedXml();
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw malformedXml();
  return n;
}
