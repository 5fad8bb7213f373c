import { buildWebsiteConfiguration, parseWebsiteConfiguration, S3Error } from '@massive/s3-protocol';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import { decodeWebsiteDocument, encodeWebsiteDocument } from '../../website/website-config';
import type { Handler } from '../../types';

/**
 * PutBucketWebsite: validated as S3 validates it, stored as canonical JSON (not the XML). The website is
 * served on the gateway's website port (website/website-server.ts); this gateway applies a change at once,
 * others within their cache's few seconds.
 */
export const putBucketWebsite: Handler<'PutBucketWebsite'> = async (ep, req, deps) => {
  const config = parseWebsiteConfiguration(await readSmallBody(req, XML_BODY_LIMITS.PutBucketWebsite));
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'website', document: encodeWebsiteDocument(config) }, req.ctx);
  deps.websiteConfigs?.invalidate(ep.bucket);
  return { status: 200 };
};

/** GetBucketWebsite: the stored configuration (read fresh, never from the cache); none is 404 NoSuchWebsiteConfiguration. */
export const getBucketWebsite: Handler<'GetBucketWebsite'> = async (ep, req, deps) => {
  const { documents } = await deps.metadata.getBucketConfig({ bucket: ep.bucket, kinds: ['website'] }, req.ctx);
  if (documents.website === undefined) throw new S3Error('NoSuchWebsiteConfiguration', undefined, { BucketName: ep.bucket });
  return xmlResponse(buildWebsiteConfiguration(decodeWebsiteDocument(documents.website)));
};

/** DeleteBucketWebsite: 204 whether or not the bucket had one (as S3); NoSuchBucket for a missing bucket. */
export const deleteBucketWebsite: Handler<'DeleteBucketWebsite'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'website' }, req.ctx);
  deps.websiteConfigs?.invalidate(ep.bucket);
  return { status: 204 };
};
