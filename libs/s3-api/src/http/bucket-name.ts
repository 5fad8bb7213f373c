import { S3Error } from '@massive/s3-protocol';

/**
 * S3 general-purpose bucket naming rules: 3-63 characters of lower-case letters, digits, dots and
 * hyphens; starts and ends with a letter or digit; no adjacent dots; not an IP address; no reserved
 * prefixes/suffixes.
 */
export function validateBucketName(name: string): void {
  const fail = (why: string) => {
    throw new S3Error('InvalidBucketName', `The specified bucket is not valid: ${why}`, { BucketName: name });
  };
  if (name.length < 3 || name.length > 63) fail('must be between 3 and 63 characters long');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    fail('only lowercase letters, numbers, dots and hyphens; must begin and end with a letter or number');
  }
  if (name.includes('..')) fail('must not contain two adjacent periods');
  if (name.includes('.-') || name.includes('-.')) fail('must not contain a period next to a hyphen');
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) fail('must not be formatted as an IP address');
  for (const p of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (name.startsWith(p)) fail(`must not start with ${p}`);
  for (const s of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) if (name.endsWith(s)) fail(`must not end with ${s}`);
}
