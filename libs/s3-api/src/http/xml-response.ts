import type { XmlPieces } from '@massive/s3-protocol';
import type { HeaderValue, S3Response } from '../types';

/** An XML document, whole or in pieces (the listings': see XmlPieces). */
export function xmlResponse(xml: string | XmlPieces, status = 200, headers: Record<string, HeaderValue> = {}): S3Response {
  return { status, headers: { 'Content-Type': 'application/xml', ...headers }, body: xml };
}
