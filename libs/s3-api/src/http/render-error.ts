import type { ServerResponse } from 'node:http';
import { buildS3ErrorXml, type S3Error } from '@massive/s3-protocol';

/** Writes an S3 error: XML with Code, Message, Resource, RequestId; no body for HEAD and 304. */
export function renderError(res: ServerResponse, err: S3Error, method: string, resource: string, requestId: string): void {
  res.statusCode = err.status;
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  if (method === 'HEAD' || err.status === 304) {
    res.end();
    return;
  }
  const xml = buildS3ErrorXml(err, { Resource: resource, RequestId: requestId });
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', Buffer.byteLength(xml));
  res.end(xml);
}
