import { buildListBucketResultPieces, urlEncodeListBucketResult, type ListBucketResultInput } from '@massive/s3-protocol';
import { parseEncodingType, parseMaxKeys } from '../../http/list-params';
import { listedObject } from '../../http/listed';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const listObjects: Handler<'ListObjects'> = async (ep, req, deps) => {
  const q = req.query;
  const maxKeys = parseMaxKeys(q, 'max-keys');
  const encodingType = parseEncodingType(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const marker = q.get('marker') ?? '';
  const page =
    maxKeys === 0
      ? (await deps.metadata.getBucket({ name: ep.bucket }, req.ctx), { objects: [], commonPrefixes: [], isTruncated: false, nextMarker: undefined })
      : await deps.metadata.listObjects({ bucket: ep.bucket, prefix, delimiter, startAfter: marker || undefined, maxKeys }, req.ctx);
  const doc: ListBucketResultInput = {
    Name: ep.bucket,
    Prefix: prefix,
    Marker: marker,
    // AWS returns NextMarker only when a delimiter was given; without one, clients resume from the last key.
    NextMarker: page.isTruncated && delimiter !== undefined ? page.nextMarker : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter,
    IsTruncated: page.isTruncated,
    Contents: page.objects.map((o) => listedObject(o, req.owner)),
    CommonPrefixes: page.commonPrefixes,
  };
  return xmlResponse(buildListBucketResultPieces(encodingType ? urlEncodeListBucketResult(doc) : doc));
};
