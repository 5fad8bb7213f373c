import { S3_ERRORS, type S3ErrorCode } from './s3-error-codes';

/**
 * An error that renders as an S3 error response. `extra` elements are added to the XML body after
 * Code/Message (AWS adds e.g. `ArgumentName`, `StringToSign`), `headers` to the response.
 */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  readonly status: number;
  constructor(
    readonly code: S3ErrorCode,
    message?: string,
    readonly extra: Readonly<Record<string, string>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message ?? S3_ERRORS[code].message);
    this.status = S3_ERRORS[code].status;
  }
}

export function isS3Error(e: unknown, code?: S3ErrorCode): e is S3Error {
  return e instanceof S3Error && (code === undefined || e.code === code);
}
