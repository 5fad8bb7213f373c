import { parseTagging, validateTagSet } from '@massive/s3-protocol';
import { versionIdHeader } from '../../http/object-headers';
import { readSmallBody } from '../../http/small-body';
import { MAX_TAGGING_XML, toObjectTags } from '../../http/tagging';
import type { Handler } from '../../types';

/**
 * PutObjectTagging: replaces the tag set of one version in place (no new version, as S3), the latest or
 * the one `versionId` names. An empty TagSet removes every tag.
 */
export const putObjectTagging: Handler<'PutObjectTagging'> = async (ep, req, deps) => {
  const doc = parseTagging(await readSmallBody(req, MAX_TAGGING_XML));
  const tags = toObjectTags(validateTagSet(doc.TagSet, 'object'));
  const versionId = req.query.get('versionId') ?? undefined;
  const res = await deps.metadata.updateObjectVersion({ bucket: ep.bucket, key: ep.key, versionId, tags }, req.ctx);
  return { status: 200, headers: versionIdHeader(res) };
};
