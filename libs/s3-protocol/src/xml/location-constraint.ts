import { S3_XMLNS, XML_PROLOG, escapeXml } from './xml-writer';

/**
 * GetBucketLocation: `<LocationConstraint xmlns="…">eu-west-1</LocationConstraint>`. For us-east-1 AWS answers
 * with an empty, self-closed element (the legacy "US Standard" value), so pass `'us-east-1'`, `''` or
 * `undefined` to get `<LocationConstraint xmlns="…"/>`.
 */
export interface LocationConstraintInput {
  readonly LocationConstraint?: string;
}

export function buildLocationConstraint(input: LocationConstraintInput): string {
  const region = input.LocationConstraint;
  if (region === undefined || region === '' || region === 'us-east-1') {
    return `${XML_PROLOG}<LocationConstraint xmlns="${S3_XMLNS}"/>`;
  }
  return `${XML_PROLOG}<LocationConstraint xmlns="${S3_XMLNS}">${escapeXml(region)}</LocationConstraint>`;
}
