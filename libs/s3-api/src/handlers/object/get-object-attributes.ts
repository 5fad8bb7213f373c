import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectVersion } from '@massive/contracts';
import { buildGetObjectAttributesResponse, formatHttpDate, S3Error, type AttributesObjectParts } from '@massive/s3-protocol';
import { checksumFields } from '../../http/checksum-fields';
import { header, versionIdHeader } from '../../http/object-headers';
import { xmlResponse } from '../../http/xml-response';
import { customerKeyOf } from '../../sse/customer-keys';
import { checkCustomerKey } from '../../sse/object-encryption';
import type { Handler } from '../../types';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];
/** S3 lists at most 1000 parts per GetObjectAttributes answer (and by default). */
export const MAX_ATTRIBUTE_PARTS = 1000;

/**
 * GetObjectAttributes: the attributes named in `x-amz-object-attributes` of the latest version or of
 * `versionId`, with Last-Modified and x-amz-version-id. A latest delete marker is 404 NoSuchKey with
 * x-amz-delete-marker, one named by id is 405, as GetObject (the metadata lookup is the same).
 * ObjectParts pages with x-amz-max-parts / x-amz-part-number-marker; as S3, parts are listed only for
 * an object with an additional checksum, otherwise only their count.
 */
export const getObjectAttributes: Handler<'GetObjectAttributes'> = async (ep, req, deps) => {
  const wanted = parseAttributes(req.headers);
  const maxParts = intHeader(req.headers, 'x-amz-max-parts', MAX_ATTRIBUTE_PARTS);
  const marker = intHeader(req.headers, 'x-amz-part-number-marker', 0);
  const versionId = req.query.get('versionId') ?? undefined;
  const customer = customerKeyOf(req.headers);
  const v = await deps.metadata.getObject({ bucket: ep.bucket, key: ep.key, versionId, withoutData: true }, req.ctx);
  // As for HeadObject, an SSE-C object's attributes need its key.
  checkCustomerKey(v.headers, customer);
  const xml = buildGetObjectAttributesResponse({
    ...(wanted.has('ETag') && { ETag: v.etag }),
    ...(wanted.has('Checksum') && v.checksum && { Checksum: checksumFields(v.checksum) }),
    ...(wanted.has('ObjectParts') && v.parts && { ObjectParts: objectParts(v, Math.min(maxParts, MAX_ATTRIBUTE_PARTS), marker) }),
    ...(wanted.has('StorageClass') && { StorageClass: 'STANDARD' }),
    ...(wanted.has('ObjectSize') && { ObjectSize: v.size }),
  });
  return xmlResponse(xml, 200, { 'Last-Modified': formatHttpDate(v.lastModified), ...versionIdHeader(v) });
};

function parseAttributes(h: IncomingHttpHeaders): ReadonlySet<Attribute> {
  const names = (header(h, 'x-amz-object-attributes') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) {
    throw new S3Error('InvalidArgument', 'x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty', {
      ArgumentName: 'x-amz-object-attributes',
      ArgumentValue: '',
    });
  }
  for (const n of names) {
    if (!(ATTRIBUTES as readonly string[]).includes(n)) {
      throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', { ArgumentName: 'x-amz-object-attributes', ArgumentValue: n });
    }
  }
  return new Set(names as Attribute[]);
}

function intHeader(h: IncomingHttpHeaders, name: string, fallback: number): number {
  const raw = header(h, name);
  if (raw === undefined) return fallback;
  const n = /^\s*\d{1,10}\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > 2147483647) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  }
  return n;
}

function objectParts(v: ObjectVersion, maxParts: number, marker: number): AttributesObjectParts {
  const parts = v.parts ?? [];
  if (!v.checksum) return { TotalPartsCount: parts.length };
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  return {
    TotalPartsCount: parts.length,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length > 0 ? page[page.length - 1].partNumber : marker,
    MaxParts: maxParts,
    IsTruncated: after.length > page.length,
    Part: page.map((p) => ({ PartNumber: p.partNumber, Size: p.size, ...checksumFields(p.checksum, false) })),
  };
}
