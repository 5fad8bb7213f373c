import type { HeaderValue, S3Response } from '../types';

export function xmlResponse(xml: string, status = 200, headers: Record<string, HeaderValue> = {}): S3Response {
  return { status, headers: { 'Content-Type': 'application/xml', ...headers }, body: xml };
}
