import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../errors';
import { parseRawQuery, type QueryParam } from '../sigv4/canonical-query';
import { AUTHORIZATION, DATE, MAX_SKEW_MS, UNSIGNED_PAYLOAD, X_AMZ_CONTENT_SHA256, X_AMZ_DATE } from '../sigv4/constants';
import { headerValue, toHeaderMap, type HeaderMap } from '../sigv4/headers';
import { parsePayloadMode } from '../sigv4/payload-mode';
import { checkSkew, formatAmzDate, parseAmzDate, parseHttpDate } from '../sigv4/request-time';
import type { CredentialLookup, SigV4Request, SignedAuth } from '../sigv4/verify';

/**
 * AWS Signature Version 2 (the REST header `Authorization: AWS AccessKeyId:Signature`, and query-string
 * authentication with `AWSAccessKeyId`, `Expires` and `Signature`), for the clients that still sign
 * that way: s3cmd's `signurl`, boto 2, older backup tools. MinIO, Ceph RGW and SeaweedFS accept it;
 * AWS accepts it only in regions older than 2014. It is weaker than SigV4 (HMAC-SHA1, no region or
 * date scope, the body never signed), so the gateway can refuse it (MASSIVE_SIGV2=off), and a bucket
 * policy can deny it per bucket with the `s3:signatureversion` condition key (`AWS` for these
 * requests, `AWS4-HMAC-SHA256` for SigV4), as on AWS.
 *
 * StringToSign = Verb \n Content-MD5 \n Content-Type \n Date \n CanonicalizedAmzHeaders CanonicalizedResource,
 * Signature = Base64(HMAC-SHA1(secret, UTF-8(StringToSign))). Date is the `Date` header (empty when
 * `x-amz-date` is sent; the latter is then among the amz headers), or `Expires` for a query-signed URL.
 */

/** The sub-resources (and response header overrides) CanonicalizedResource includes, in sort order. */
const SUB_RESOURCES = [
  'acl',
  'cors',
  'delete',
  'lifecycle',
  'location',
  'logging',
  'notification',
  'partNumber',
  'policy',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
].sort();
const SUB_RESOURCE_SET = new Set(SUB_RESOURCES);

export const SIGV2_ALGORITHM = 'AWS';

/** True when the request is signed with SigV2 (header or query), whatever else it carries. */
export function isSigV2(authorization: string | undefined, rawQuery: string): boolean {
  if (authorization !== undefined) return authorization.startsWith('AWS ');
  return rawQuery !== '' && V2_KEY_PARAM.test(rawQuery) && V2_SIGNATURE_PARAM.test(rawQuery);
}

const V2_KEY_PARAM = /(?:^|&)AWSAccessKeyId=/;
/** `Signature` itself: a SigV4 URL's `X-Amz-Signature` is not one. */
const V2_SIGNATURE_PARAM = /(?:^|&)Signature=/;

export interface SigV2Options {
  readonly now?: Date;
  readonly maxSkewMs?: number;
  /** The bucket named by the Host (virtual-hosted style): CanonicalizedResource then starts with `/bucket`. */
  readonly hostBucket?: string;
}

/**
 * Verifies a SigV2 request (see the module comment) and returns the same SignedAuth a SigV4 one gets,
 * with `signatureVersion: 'AWS'`. The body is not signed: `x-amz-content-sha256`, when it is a hash,
 * is still checked against the body; streaming (aws-chunked) payloads need SigV4 and are refused.
 */
export function verifySigV2(req: SigV4Request, credentials: CredentialLookup, opts: SigV2Options = {}): SignedAuth {
  const headers = toHeaderMap(req.headers);
  const params = parseRawQuery(req.rawQuery);
  const authorization = headerValue(headers, AUTHORIZATION);
  const now = opts.now ?? new Date();
  let accessKeyId: string;
  let signature: string;
  let dateLine: string;
  let requestTime: Date;
  let expiresAt: Date | undefined;
  if (authorization !== undefined) {
    const m = /^AWS ([^:\s]+):(\S+)$/.exec(authorization.trim());
    if (!m) throw new S3Error('InvalidArgument', 'Authorization header is invalid -- one and only one \' \' (space) required', { ArgumentName: 'Authorization', ArgumentValue: authorization });
    if (params.some((p) => p.name === 'Signature' || p.name === 'X-Amz-Signature')) {
      throw new S3Error('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', { ArgumentName: 'Authorization' });
    }
    [, accessKeyId, signature] = m;
    const amzDate = headerValue(headers, X_AMZ_DATE);
    const date = headerValue(headers, DATE);
    const stamp = amzDate ?? date;
    // An HTTP date as SigV2 clients send it (s3cmd, boto 2), or the ISO 8601 basic form some send in x-amz-date.
    const parsed = stamp === undefined ? undefined : (parseHttpDate(stamp) ?? parseAmzDate(stamp.trim()));
    if (parsed === undefined) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    requestTime = parsed;
    dateLine = amzDate !== undefined ? '' : (date ?? '');
  } else {
    accessKeyId = single(params, 'AWSAccessKeyId');
    signature = single(params, 'Signature');
    const expires = single(params, 'Expires');
    if (!/^\d{1,12}$/.test(expires)) throw new S3Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
    expiresAt = new Date(Number(expires) * 1000);
    requestTime = now;
    dateLine = expires;
  }
  const secret = credentials.lookup(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  if (expiresAt === undefined) checkSkew(requestTime, now, opts.maxSkewMs ?? MAX_SKEW_MS);
  else if (now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      Expires: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  const toSign = stringToSignV2(req.method.toUpperCase(), headers, dateLine, canonicalResourceV2(req.rawPath, params, opts.hostBucket));
  if (!sigV2Matches(secret, toSign, signature)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: accessKeyId,
      StringToSign: toSign,
      SignatureProvided: signature,
      StringToSignBytes: Buffer.from(toSign, 'latin1').toString('hex').replace(/(..)(?!$)/g, '$1 '),
    });
  }

  const contentSha = headerValue(headers, X_AMZ_CONTENT_SHA256)?.trim() ?? UNSIGNED_PAYLOAD;
  const payload = parsePayloadMode(contentSha);
  if (payload.mode !== 'unsigned' && payload.mode !== 'sha256') {
    throw new S3Error('InvalidRequest', `${contentSha} payloads need AWS Signature Version 4 (AWS4-HMAC-SHA256)`);
  }
  const out: { -readonly [K in keyof SignedAuth]: SignedAuth[K] } = {
    kind: authorization !== undefined ? 'header' : 'presigned',
    signatureVersion: SIGV2_ALGORITHM,
    accessKeyId,
    // SigV2 has no credential scope; the request's day stands in (nothing checks it).
    scope: { date: formatAmzDate(requestTime).slice(0, 8), region: '', service: 's3' },
    signedHeaders: [],
    requestTime,
    payloadMode: payload.mode,
    // Only aws-chunked bodies use these, and they are refused above.
    signing: { signingKey: Buffer.alloc(0), seedSignature: '', scope: '', datetime: '' },
  };
  if (expiresAt !== undefined) out.expiresAt = expiresAt;
  if (payload.sha256 !== undefined) out.payloadSha256 = payload.sha256;
  return out;
}

/**
 * True when `provided` is Base64(HMAC-SHA1(secret, stringToSign)), compared in constant time. The
 * string holds bytes one char each (Node hands header values over as latin1; sub-resource values are
 * put back into bytes by canonicalResourceV2; a POST policy is Base64), so it is signed byte for byte:
 * a client that sent UTF-8 metadata (`x-amz-meta-name: héllo`) signed those UTF-8 bytes. Compared as
 * the Base64 text clients send: decoding first would also accept the other spellings of the same
 * bytes (the last character's two spare bits).
 */
export function sigV2Matches(secret: string, stringToSign: string, provided: string): boolean {
  const expected = Buffer.from(createHmac('sha1', secret).update(stringToSign, 'latin1').digest('base64'), 'latin1');
  const given = Buffer.from(provided, 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** StringToSign: the verb, Content-MD5, Content-Type, the date line, the amz headers, the resource. */
export function stringToSignV2(method: string, headers: HeaderMap, dateLine: string, resource: string): string {
  return `${method}\n${headerValue(headers, 'content-md5') ?? ''}\n${headerValue(headers, 'content-type') ?? ''}\n${dateLine}\n${canonicalAmzHeadersV2(headers)}${resource}`;
}

/**
 * CanonicalizedAmzHeaders: every `x-amz-*` header, name lower-cased, sorted by name, repeated headers'
 * values joined with ',', each value trimmed with its folded whitespace made one space, one per line.
 */
export function canonicalAmzHeadersV2(headers: HeaderMap): string {
  const names = [...headers.keys()].filter((n) => n.startsWith('x-amz-')).sort();
  let out = '';
  for (const name of names) out += `${name}:${headers.get(name)!.map((v) => v.trim().replace(/\s*\r?\n\s*/g, ' ')).join(',')}\n`;
  return out;
}

/**
 * CanonicalizedResource: `/bucket` when the Host names the bucket, the path as sent (still
 * percent-encoded), then the sub-resources and response overrides the query carries, sorted by name,
 * with their values decoded (`?acl`, `?partNumber=2&uploadId=...`), as bytes.
 */
export function canonicalResourceV2(rawPath: string, params: readonly QueryParam[], hostBucket?: string): string {
  const path = hostBucket === undefined ? rawPath : `/${hostBucket}${rawPath}`;
  const kept = params.filter((p) => SUB_RESOURCE_SET.has(p.name));
  if (kept.length === 0) return path;
  kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Values decoded, as bytes (one latin1 char per byte: see verifySigV2).
  return `${path}?${kept.map((p) => (p.value === '' ? p.name : `${p.name}=${Buffer.from(p.value, 'utf8').toString('latin1')}`)).join('&')}`;
}

function single(params: readonly QueryParam[], name: string): string {
  const found = params.filter((p) => p.name === name);
  if (found.length !== 1 || found[0].value === '') {
    throw new S3Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  }
  return found[0].value;
}
