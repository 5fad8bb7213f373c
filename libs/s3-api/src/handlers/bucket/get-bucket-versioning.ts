import { XML_PROLOG, S3_XMLNS } from '@massive/s3-protocol';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** Versioning is never enabled here, which S3 reports as an empty VersioningConfiguration. */
export const getBucketVersioning: Handler<'GetBucketVersioning'> = async (ep, req, deps) => {
  await deps.metadata.getBucket({ name: ep.bucket }, req.ctx);
  return xmlResponse(`${XML_PROLOG}<VersioningConfiguration xmlns="${S3_XMLNS}"/>`);
};
