import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '@massive/s3-protocol';
import { header } from './object-headers';

/**
 * Request headers that promise a guarantee we do not provide. Ignoring them would be worse than refusing:
 * an SSE-C object would be stored in plain text and served to a GET without the key, an object-lock
 * retention would not stop a delete. So they answer 501 NotImplemented, the code AWS documents for "a header
 * you provided implies functionality that is not implemented". (SSE-S3, `AES256`, stays accepted.)
 */
const REFUSED: readonly { readonly name: string; readonly allowed?: (v: string) => boolean }[] = [
  { name: 'x-amz-server-side-encryption-customer-algorithm' },
  { name: 'x-amz-copy-source-server-side-encryption-customer-algorithm' },
  { name: 'x-amz-server-side-encryption', allowed: (v) => v.trim() === 'AES256' },
  { name: 'x-amz-server-side-encryption-aws-kms-key-id' },
  { name: 'x-amz-object-lock-mode' },
  { name: 'x-amz-object-lock-retain-until-date' },
  { name: 'x-amz-object-lock-legal-hold' },
  { name: 'x-amz-bucket-object-lock-enabled', allowed: (v) => v.trim().toLowerCase() !== 'true' },
];

export function refuseUnsupportedHeaders(h: IncomingHttpHeaders): void {
  for (const r of REFUSED) {
    const v = header(h, r.name);
    if (v !== undefined && !(r.allowed?.(v) ?? false)) {
      throw new S3Error('NotImplemented', `The ${r.name} header is not supported by this service.`, { Header: r.name });
    }
  }
}
