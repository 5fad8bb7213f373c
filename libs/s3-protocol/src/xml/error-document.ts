import type { S3Error } from '../errors';
import { XmlWriter } from './xml-writer';

/**
 * The S3 error body:
 * `<Error><Code/><Message/>{extra elements}<Resource/><RequestId/><HostId/></Error>`.
 * AWS writes no namespace on `<Error>`. Extra elements sit between Message and RequestId, as AWS puts
 * `<Key>`, `<BucketName>`, `<ArgumentName>`/`<ArgumentValue>`, `<StringToSign>`… there.
 */
export interface ErrorDocument {
  readonly Code: string;
  readonly Message: string;
  /** Element name → text, written in insertion order. Names that are not plain XML names are skipped. */
  readonly Extra?: Readonly<Record<string, string>>;
  readonly Resource?: string;
  readonly RequestId?: string;
  readonly HostId?: string;
}

/** Request context that the error middleware adds to an `S3Error`. */
export interface ErrorContext {
  readonly Resource?: string;
  readonly RequestId?: string;
  readonly HostId?: string;
}

/** Safe element names for `Extra` (ASCII XML names without `:`); anything else is dropped, never echoed raw. */
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
/** Elements the document writes itself; an `Extra` entry with one of these names would duplicate it. */
const RESERVED = new Set(['Code', 'Message', 'Resource', 'RequestId', 'HostId']);

export function buildError(doc: ErrorDocument): string {
  const w = new XmlWriter('Error', false).text('Code', doc.Code).text('Message', doc.Message);
  if (doc.Extra) {
    for (const [name, value] of Object.entries(doc.Extra)) {
      if (ELEMENT_NAME.test(name) && !RESERVED.has(name)) w.text(name, value);
    }
  }
  return w.optText('Resource', doc.Resource).optText('RequestId', doc.RequestId).optText('HostId', doc.HostId).end();
}

/** The error body for an `S3Error`: its code, message and `extra` elements, plus the request context. */
export function buildS3ErrorXml(err: S3Error, ctx: ErrorContext = {}): string {
  return buildError({ Code: err.code, Message: err.message, Extra: err.extra, ...ctx });
}
