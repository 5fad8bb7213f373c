import type { IncomingHttpHeaders } from 'node:http';
import {
  defaultChecksumType,
  parseChecksumAlgorithm,
  parseChecksumType,
  validateChecksumType,
  type ChecksumAlgorithm,
  type ChecksumType,
} from '@massive/s3-protocol';
import { header } from './object-headers';

/** CreateMultipartUpload's `x-amz-checksum-algorithm` / `x-amz-checksum-type`. */
export function parseChecksumRequest(h: IncomingHttpHeaders, _for: 'multipart'): { algorithm?: ChecksumAlgorithm; type?: ChecksumType } {
  const algRaw = header(h, 'x-amz-checksum-algorithm');
  const typeRaw = header(h, 'x-amz-checksum-type');
  if (algRaw === undefined) {
    if (typeRaw !== undefined) parseChecksumType(typeRaw);
    return {};
  }
  const algorithm = parseChecksumAlgorithm(algRaw);
  const type = typeRaw === undefined ? defaultChecksumType(algorithm) : parseChecksumType(typeRaw);
  validateChecksumType(algorithm, type);
  return { algorithm, type };
}
