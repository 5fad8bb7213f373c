import type { IncomingHttpHeaders } from 'node:http';
import { S3Error, type EndpointName } from '@massive/s3-protocol';
import { header } from './object-headers';
import { SSE_HEADER, SSE_WRITE_OPERATIONS } from '../sse/object-encryption';
import { CUSTOMER_HEADERS, hasCustomerHeaders, SECURE_CONNECTION_REQUIRED } from '../sse/customer-keys';
import { KMS_HEADERS } from '../sse/kms-keys';

/**
 * Request headers that ask for a guarantee we do not provide. Ignoring them would be worse than refusing:
 * an event hold would not stop a delete, a checksum would go unchecked. (SSE-S3, SSE-KMS and SSE-C are
 * served: sse/object-encryption.ts; so are Object Lock's retention, legal hold and bypass headers:
 * http/object-lock.ts.)
 * So they answer 501 NotImplemented, the code AWS documents for "a header you provided implies functionality
 * that is not implemented". Refused on every operation: a header that an operation does not take is
 * refused too, rather than sometimes ignored.
 */
const REFUSED: readonly { readonly name: string; readonly allowed?: (v: string) => boolean }[] = [
  // Object Lock event holds (S3's variable retention) are not served; retention and legal hold are.
  { name: 'x-amz-object-lock-event-hold' },
  { name: 'x-amz-object-lock-event-hold-duration-days' },
  { name: 'x-amz-object-lock-event-hold-duration-years' },
  // Checksums of algorithms we do not compute: accepting one would skip the integrity check it asks for.
  { name: 'x-amz-checksum-sha512' },
  { name: 'x-amz-checksum-md5' },
  { name: 'x-amz-checksum-xxhash64' },
  { name: 'x-amz-checksum-xxhash3' },
  { name: 'x-amz-checksum-xxhash128' },
  // Object annotations are not stored.
  { name: 'x-amz-object-annotation-directive' },
  // Appends (directory buckets) and MFA delete are not served.
  { name: 'x-amz-write-offset-bytes' },
  { name: 'x-amz-mfa' },
];

const REFUSED_NAMES: ReadonlySet<string> = new Set([...REFUSED.map((r) => r.name), 'x-amz-storage-class', SSE_HEADER, ...KMS_HEADERS, ...CUSTOMER_HEADERS]);

/** The operations that take `x-amz-storage-class`; every object is stored in (and listed as) STANDARD. */
const STORAGE_CLASS_OPERATIONS: ReadonlySet<EndpointName> = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload']);

/**
 * `secure`: the request came over TLS on our own socket. A customer's key (SSE-C) is taken only so, as
 * S3 takes it: sent in clear, the key that opens the object would be readable on the way.
 */
export function refuseUnsupportedHeaders(h: IncomingHttpHeaders, operation: EndpointName | undefined, secure: boolean): void {
  // A request carries a handful of headers and REFUSED lists 15: looking each of those up in the header
  // object (a dictionary, so megamorphic loads) cost more than walking the request's own names once.
  if (!Object.keys(h).some((name) => REFUSED_NAMES.has(name))) return;
  if (!secure && hasCustomerHeaders(h)) throw new S3Error('InvalidArgument', SECURE_CONNECTION_REQUIRED);
  for (const r of REFUSED) {
    const v = header(h, r.name);
    if (v !== undefined && !(r.allowed?.(v) ?? false)) {
      throw new S3Error('NotImplemented', `The ${r.name} header is not supported by this service.`, { Header: r.name });
    }
  }
  if (operation !== undefined && !SSE_WRITE_OPERATIONS.has(operation)) {
    for (const name of [SSE_HEADER, ...KMS_HEADERS]) {
      const v = header(h, name);
      // As S3 answers (s3cmd, SDK and iRODS reports quote it): the header names how to store a new object.
      if (v !== undefined) throw new S3Error('InvalidArgument', `${name} header is not supported for this operation.`, { ArgumentName: name, ArgumentValue: v });
    }
  }
  if (operation !== undefined && STORAGE_CLASS_OPERATIONS.has(operation)) {
    const sc = header(h, 'x-amz-storage-class');
    if (sc !== undefined && sc !== 'STANDARD') {
      throw new S3Error('InvalidStorageClass', 'The storage class you specified is not valid', { StorageClassRequested: sc });
    }
  }
}
