import { S3Error } from '../errors';
import type { QueryParam } from './canonical-query';
import {
  AWS4_HMAC_SHA256,
  MAX_PRESIGNED_EXPIRES_SECONDS,
  X_AMZ_ALGORITHM,
  X_AMZ_CREDENTIAL,
  X_AMZ_DATE_QUERY,
  X_AMZ_EXPIRES,
  X_AMZ_SIGNATURE,
  X_AMZ_SIGNED_HEADERS,
} from './constants';
import { parseCredential, type Credential } from './credential';
import { parseSignature, parseSignedHeaders } from './parse-authorization';
import { parseAmzDate } from './request-time';

/** What the X-Amz-* query parameters of a presigned URL carry. */
export interface ParsedPresigned extends Credential {
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly date: Date;
  /** X-Amz-Date as signed. */
  readonly datetime: string;
  readonly expiresSeconds: number;
}

const REQUIRED = [X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_SIGNATURE, X_AMZ_DATE_QUERY, X_AMZ_SIGNED_HEADERS, X_AMZ_EXPIRES];
const CODE = 'AuthorizationQueryParametersError';

/** Parses the SigV4 query parameters; X-Amz-Security-Token is signed like any other (a session token: http/auth.ts). */
export function parsePresignedQuery(params: readonly QueryParam[], service?: string): ParsedPresigned {
  const get = (name: string): string | undefined => {
    let found: string | undefined;
    for (const p of params) {
      if (p.name !== name) continue;
      if (found !== undefined) throw new S3Error(CODE, `The query parameter ${name} is repeated.`);
      found = p.value;
    }
    return found;
  };
  const values = new Map(REQUIRED.map((name) => [name, get(name)] as const));
  if ([...values.values()].some((v) => v === undefined)) {
    throw new S3Error(CODE, 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  const value = (name: string): string => values.get(name) ?? '';
  if (value(X_AMZ_ALGORITHM) !== AWS4_HMAC_SHA256) {
    throw new S3Error(CODE, `X-Amz-Algorithm only supports "${AWS4_HMAC_SHA256}"`);
  }
  const date = parseAmzDate(value(X_AMZ_DATE_QUERY));
  if (date === undefined) {
    throw new S3Error(CODE, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  const expires = value(X_AMZ_EXPIRES);
  if (!/^-?\d{1,15}$/.test(expires)) throw new S3Error(CODE, 'X-Amz-Expires should be a number');
  const expiresSeconds = Number(expires);
  // 0 parses: such a URL is already expired (403 AccessDenied "Request has expired", checked with the time).
  if (expiresSeconds < 0) throw new S3Error(CODE, 'X-Amz-Expires must be non-negative');
  if (expiresSeconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
    // AWS's words, as S3 answers a URL signed for longer than SigV4 allows.
    throw new S3Error(
      CODE,
      `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_PRESIGNED_EXPIRES_SECONDS} seconds`,
    );
  }
  return {
    ...parseCredential(value(X_AMZ_CREDENTIAL), CODE, service),
    signedHeaders: parseSignedHeaders(value(X_AMZ_SIGNED_HEADERS), CODE),
    signature: parseSignature(value(X_AMZ_SIGNATURE), CODE),
    date,
    // parseAmzDate accepts only the exact basic format, so the value is already its canonical form.
    datetime: value(X_AMZ_DATE_QUERY),
    expiresSeconds,
  };
}
