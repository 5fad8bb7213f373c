import { randomBytes } from 'node:crypto';
import { encodeLifecycleConfiguration, type LifecycleConfiguration } from '@massive/contracts';
import { parseLifecycleConfiguration } from '@massive/s3-protocol';
import { readSmallBody } from '../../http/small-body';
import type { Handler } from '../../types';

/** 1,000 rules of a few hundred bytes each fit well under this; more is refused before parsing. */
export const MAX_LIFECYCLE_XML = 1024 * 1024;

/** S3 names an unnamed rule with a random id (48 characters of base64-ish text). */
const newRuleId = (): string => randomBytes(36).toString('base64').replace(/[+/=]/g, 'A');

/**
 * PutBucketLifecycleConfiguration: validated in full as S3 does (s3-protocol's parser), then stored as
 * the canonical JSON of the rule model, replacing any previous configuration. The metadata service's
 * lifecycle worker enforces it.
 */
export const putBucketLifecycleConfiguration: Handler<'PutBucketLifecycleConfiguration'> = async (ep, req, deps) => {
  const doc = parseLifecycleConfiguration(await readSmallBody(req, MAX_LIFECYCLE_XML), newRuleId);
  const config: LifecycleConfiguration = doc; // the XML model is the stored model, field for field
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'lifecycle', document: encodeLifecycleConfiguration(config) }, req.ctx);
  deps.lifecycleRules?.forget(ep.bucket);
  return { status: 200 };
};
