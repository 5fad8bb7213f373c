import { AWS4_HMAC_SHA256 } from './constants';

/** StringToSign = "AWS4-HMAC-SHA256" \n DateTime \n Scope \n hex(SHA256(CanonicalRequest)) */
export function stringToSign(datetime: string, scope: string, canonicalRequestHash: string): string {
  return `${AWS4_HMAC_SHA256}\n${datetime}\n${scope}\n${canonicalRequestHash}`;
}
