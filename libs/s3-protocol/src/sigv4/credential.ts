import { S3Error, type S3ErrorCode } from '../errors';
import { AWS4_REQUEST, S3_SERVICE } from './constants';

/** The `<date>/<region>/<service>/aws4_request` part of a credential. */
export interface CredentialScope {
  /** YYYYMMDD */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

export interface Credential {
  readonly accessKeyId: string;
  readonly scope: CredentialScope;
}

export function formatScope(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/${AWS4_REQUEST}`;
}

/**
 * Parses `AKID/20130524/us-east-1/s3/aws4_request`. The access key id may not contain '/', so the
 * last four fields are the scope. `code` is the error AWS answers for the carrier (header or query).
 */
export function parseCredential(value: string, code: S3ErrorCode, service = S3_SERVICE): Credential {
  const parts = value.split('/');
  if (parts.length !== 5) {
    throw new S3Error(code, `${prefix(code)} a non-empty Access Key (AKID) must be provided in the credential.`);
  }
  const [accessKeyId, date, region, svc, terminator] = parts;
  if (accessKeyId === '') {
    throw new S3Error(code, `${prefix(code)} a non-empty Access Key (AKID) must be provided in the credential.`);
  }
  if (!/^\d{8}$/.test(date)) {
    throw new S3Error(code, `${prefix(code)} incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  }
  if (region === '') throw new S3Error(code, `${prefix(code)} the region must not be empty.`);
  if (svc !== service) {
    throw new S3Error(code, `${prefix(code)} incorrect service "${svc}". This endpoint belongs to "${service}".`);
  }
  if (terminator !== AWS4_REQUEST) {
    throw new S3Error(code, `${prefix(code)} incorrect terminal "${terminator}". This endpoint uses "${AWS4_REQUEST}".`);
  }
  return { accessKeyId, scope: { date, region, service: svc } };
}

function prefix(code: S3ErrorCode): string {
  return code === 'AuthorizationQueryParametersError'
    ? 'Error parsing the X-Amz-Credential parameter;'
    : 'The authorization header is malformed;';
}
