import { buildListBucketResultV2Pieces, urlEncodeListBucketResultV2, type ListBucketResultV2Input } from '@massive/s3-protocol';
import { decodeContinuationToken, encodeContinuationToken, parseEncodingType, parseMaxKeys } from '../../http/list-params';
import { listedObject } from '../../http/listed';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const listObjectsV2: Handler<'ListObjectsV2'> = async (ep, req, deps) => {
  const q = req.query;
  const maxKeys = parseMaxKeys(q, 'max-keys');
  const encodingType = parseEncodingType(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  // An empty continuation-token is no token (AWS lists from the start, or from start-after).
  const token = q.get('continuation-token') || undefined;
  const startAfter = q.get('start-after') || undefined;
  const resume = token !== undefined ? decodeContinuationToken(token) : startAfter;
  const fetchOwner = q.get('fetch-owner') === 'true';
  const page =
    maxKeys === 0
      ? (await deps.metadata.getBucket({ name: ep.bucket }, req.ctx), { objects: [], commonPrefixes: [], isTruncated: false, nextMarker: undefined })
      : await deps.metadata.listObjects({ bucket: ep.bucket, prefix, delimiter, startAfter: resume, maxKeys }, req.ctx);
  const doc: ListBucketResultV2Input = {
    Name: ep.bucket,
    Prefix: prefix,
    StartAfter: startAfter,
    ContinuationToken: token,
    NextContinuationToken: page.isTruncated && page.nextMarker !== undefined ? encodeContinuationToken(page.nextMarker) : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter,
    IsTruncated: page.isTruncated,
    FetchOwner: fetchOwner,
    Contents: page.objects.map((o) => listedObject(o, fetchOwner ? req.owner : undefined)),
    CommonPrefixes: page.commonPrefixes,
  };
  return xmlResponse(buildListBucketResultV2Pieces(encodingType ? urlEncodeListBucketResultV2(doc) : doc));
};
