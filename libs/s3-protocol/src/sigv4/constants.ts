/** SigV4 names and literals, spelled as AWS spells them. */
export const AWS4_HMAC_SHA256 = 'AWS4-HMAC-SHA256';
export const AWS4_HMAC_SHA256_PAYLOAD = 'AWS4-HMAC-SHA256-PAYLOAD';
export const AWS4_HMAC_SHA256_TRAILER = 'AWS4-HMAC-SHA256-TRAILER';
export const AWS4_REQUEST = 'aws4_request';
export const S3_SERVICE = 's3';

export const AUTHORIZATION = 'authorization';
export const HOST = 'host';
export const DATE = 'date';
export const X_AMZ_DATE = 'x-amz-date';
export const X_AMZ_CONTENT_SHA256 = 'x-amz-content-sha256';
export const X_AMZ_DECODED_CONTENT_LENGTH = 'x-amz-decoded-content-length';
export const X_AMZ_TRAILER = 'x-amz-trailer';
export const X_AMZ_TRAILER_SIGNATURE = 'x-amz-trailer-signature';

export const X_AMZ_ALGORITHM = 'X-Amz-Algorithm';
export const X_AMZ_CREDENTIAL = 'X-Amz-Credential';
export const X_AMZ_DATE_QUERY = 'X-Amz-Date';
export const X_AMZ_EXPIRES = 'X-Amz-Expires';
export const X_AMZ_SIGNED_HEADERS = 'X-Amz-SignedHeaders';
export const X_AMZ_SIGNATURE = 'X-Amz-Signature';
export const X_AMZ_SECURITY_TOKEN = 'X-Amz-Security-Token';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_AWS4_HMAC_SHA256_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_AWS4_ECDSA_P256_SHA256_PAYLOAD = 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD';
export const STREAMING_AWS4_ECDSA_P256_SHA256_PAYLOAD_TRAILER = 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER';

/** Hex SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Largest clock difference AWS accepts between a request's date and the server (15 minutes). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** Largest X-Amz-Expires of a presigned URL (7 days). */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604800;
