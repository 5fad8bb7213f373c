import { S3Error } from '../errors';
import type { Checksums } from './xml-types';
import { assertContainer, leafText, malformedXml, readXmlDocument, type XmlElement } from './xml-reader';

/**
 * The CompleteMultipartUpload body: `<CompleteMultipartUpload><Part><PartNumber/><ETag/><Checksum…/></Part>…`.
 * - No parts at all is MalformedXML, as AWS answers.
 * - `PartNumber` must be an integer (else MalformedXML) between 1 and 10000 (else InvalidArgument).
 * - `ETag` is returned as sent (clients send it quoted, sometimes not); compare with quotes stripped.
 * - More than 10000 `Part` elements is MalformedXML (no upload has more parts), before any is decoded further.
 * - Ascending order and duplicates (InvalidPartOrder) are the handler's check: the parser keeps document order.
 * The caller bounds the body size (10000 parts is well under 1 MiB).
 */
export interface CompletedPart extends Checksums {
  readonly PartNumber: number;
  readonly ETag: string;
}

export interface CompleteMultipartUpload {
  readonly Part: readonly CompletedPart[];
}

export const MAX_PART_NUMBER = 10000;

const CHECKSUM_ELEMENTS = new Set(['ChecksumCRC32', 'ChecksumCRC32C', 'ChecksumCRC64NVME', 'ChecksumSHA1', 'ChecksumSHA256']);
const INTEGER = /^[ \t\n\r]*\+?([0-9]{1,12})[ \t\n\r]*$/;

export function parseCompleteMultipartUpload(body: string | Uint8Array): CompleteMultipartUpload {
  const root = readXmlDocument(body, 'CompleteMultipartUpload');
  assertContainer(root);
  const parts: CompletedPart[] = [];
  for (const el of root.children) {
    if (el.name !== 'Part' || parts.length === MAX_PART_NUMBER) throw malformedXml();
    parts.push(readPart(el));
  }
  if (parts.length === 0) throw malformedXml();
  return { Part: parts };
}

function readPart(part: XmlElement): CompletedPart {
  assertContainer(part);
  const fields = new Map<string, string>();
  for (const el of part.children) {
    const known = el.name === 'PartNumber' || el.name === 'ETag' || CHECKSUM_ELEMENTS.has(el.name);
    if (!known || fields.has(el.name)) throw malformedXml();
    fields.set(el.name, leafText(el));
  }
  const partNumber = fields.get('PartNumber');
  const etag = fields.get('ETag');
  if (partNumber === undefined || etag === undefined) throw malformedXml();
  const out: { -readonly [K in keyof CompletedPart]: CompletedPart[K] } = { PartNumber: parsePartNumber(partNumber), ETag: etag };
  for (const [name, value] of fields) {
    if (CHECKSUM_ELEMENTS.has(name)) out[name as keyof Checksums] = value.trim();
  }
  return out;
}

function parsePartNumber(raw: string): number {
  const m = INTEGER.exec(raw);
  if (!m) throw malformedXml();
  const n = Number(m[1]);
  if (n < 1 || n > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, {
      ArgumentName: 'partNumber',
      ArgumentValue: String(n),
    });
  }
  return n;
}
