import { S3Error } from '../errors';
import { toHeaderMap, headerValue, type RawHeaders } from '../sigv4/headers';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_SIZE,
  X_AMZ_CHECKSUM_TYPE,
  X_AMZ_SDK_CHECKSUM_ALGORITHM,
  algorithmOfHeader,
  checksumHeaderName,
  parseChecksumAlgorithm,
  parseChecksumType,
  type ChecksumAlgorithm,
  type ChecksumType,
} from './algorithms';
import { decodeBase64Strict } from './base64';

/** What a write request (PutObject, UploadPart) says about its additional checksum. */
export type RequestChecksum =
  | { readonly location: 'none' }
  /** `x-amz-checksum-<alg>: <value>`: compute `algorithm` over the body and compare. */
  | { readonly location: 'header'; readonly algorithm: ChecksumAlgorithm; readonly value: string; readonly type?: ChecksumType }
  /** `x-amz-trailer: x-amz-checksum-<alg>`: the value arrives in the aws-chunked trailer (`trailerName`). */
  | { readonly location: 'trailer'; readonly algorithm: ChecksumAlgorithm; readonly trailerName: string; readonly type?: ChecksumType };

const MULTIPLE = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';

/**
 * Reads `x-amz-checksum-*`, `x-amz-trailer`, `x-amz-sdk-checksum-algorithm` and `x-amz-checksum-type` as
 * S3 does: one checksum at most, a value of the right length, an SDK algorithm that names it.
 */
export function parseRequestChecksum(raw: RawHeaders): RequestChecksum {
  const headers = toHeaderMap(raw);
  const found: { algorithm: ChecksumAlgorithm; value: string }[] = [];
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const values = headers.get(checksumHeaderName(algorithm));
    if (values === undefined) continue;
    if (values.length > 1) throw new S3Error('InvalidRequest', MULTIPLE);
    found.push({ algorithm, value: values[0].trim() });
  }
  if (found.length > 1) throw new S3Error('InvalidRequest', MULTIPLE);
  const trailer = trailerChecksum(headerValue(headers, 'x-amz-trailer'));
  if (found.length === 1 && trailer !== undefined) throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header');

  const typeValue = headerValue(headers, X_AMZ_CHECKSUM_TYPE);
  const type = typeValue === undefined ? undefined : parseChecksumType(typeValue);
  const sdkValue = headerValue(headers, X_AMZ_SDK_CHECKSUM_ALGORITHM);
  const sdk = sdkValue === undefined ? undefined : parseChecksumAlgorithm(sdkValue, X_AMZ_SDK_CHECKSUM_ALGORITHM);
  const algorithm = found[0]?.algorithm ?? trailer?.algorithm;
  if (sdk !== undefined && algorithm === undefined) {
    throw new S3Error('InvalidRequest', 'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.');
  }
  if (sdk !== undefined && sdk !== algorithm) {
    throw new S3Error('InvalidRequest', `Value for ${X_AMZ_SDK_CHECKSUM_ALGORITHM} header is invalid.`);
  }
  const typed = type === undefined ? {} : { type };
  if (found.length === 1) {
    const { algorithm: alg, value } = found[0];
    if (decodeBase64Strict(value, CHECKSUM_SIZE[alg]) === undefined) {
      throw new S3Error('InvalidRequest', `Value for ${checksumHeaderName(alg)} header is invalid.`);
    }
    return { location: 'header', algorithm: alg, value, ...typed };
  }
  if (trailer !== undefined) return { location: 'trailer', ...trailer, ...typed };
  return { location: 'none' };
}

/** The checksum named in `x-amz-trailer`, if any; other trailer names are ignored. */
function trailerChecksum(value: string | undefined): { algorithm: ChecksumAlgorithm; trailerName: string } | undefined {
  if (value === undefined) return undefined;
  let result: { algorithm: ChecksumAlgorithm; trailerName: string } | undefined;
  for (const name of value.split(',').map((n) => n.trim().toLowerCase())) {
    if (!name.startsWith('x-amz-checksum-')) continue;
    const algorithm = algorithmOfHeader(name);
    if (algorithm === undefined) throw new S3Error('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported');
    if (result !== undefined) throw new S3Error('InvalidRequest', MULTIPLE);
    result = { algorithm, trailerName: name };
  }
  return result;
}

/** Validates a checksum received in a trailer (same rules as the header form); returns it trimmed. */
export function parseTrailerChecksum(algorithm: ChecksumAlgorithm, value: string | undefined): string {
  const v = value?.trim();
  if (v === undefined || decodeBase64Strict(v, CHECKSUM_SIZE[algorithm]) === undefined) {
    throw new S3Error('InvalidRequest', `Value for ${checksumHeaderName(algorithm)} trailing header is invalid.`);
  }
  return v;
}

/** Throws BadDigest when the checksum the client sent is not the one computed over the body. */
export function verifyChecksum(algorithm: ChecksumAlgorithm, expectedBase64: string, computed: Buffer): void {
  if (computed.toString('base64') !== expectedBase64) {
    throw new S3Error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
  }
}
