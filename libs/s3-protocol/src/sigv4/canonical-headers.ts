import { S3Error, type S3ErrorCode } from '../errors';
import { HOST } from './constants';
import type { HeaderMap } from './headers';

/**
 * The canonical headers block: for each signed header in order, `name:value\n`, where the value is
 * every occurrence trimmed, inner whitespace runs collapsed to one space, joined with ','.
 * `host` must be signed and every signed header must be present (`code` is the carrier's error).
 */
export function canonicalHeaders(headers: HeaderMap, signedHeaders: readonly string[], code: S3ErrorCode): string {
  if (!signedHeaders.includes(HOST)) {
    throw new S3Error(code, `The "${HOST}" header must be signed; SignedHeaders is "${signedHeaders.join(';')}".`);
  }
  let out = '';
  for (const name of signedHeaders) {
    const values = headers.get(name);
    if (values === undefined) {
      throw new S3Error('SignatureDoesNotMatch', `The signed header "${name}" is missing from the request.`, { SignedHeaders: signedHeaders.join(';') });
    }
    out += `${name}:${values.length === 1 ? trimAll(values[0]) : values.map(trimAll).join(',')}\n`;
  }
  return out;
}

function trimAll(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}
