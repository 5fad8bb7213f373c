import { buildListMultipartUploadsResultPieces, urlEncodeListMultipartUploadsResult, type ListMultipartUploadsResultInput } from '@massive/s3-protocol';
import { listedUpload } from '../../http/listed';
import { parseEncodingType, parseMaxKeys } from '../../http/list-params';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const listMultipartUploads: Handler<'ListMultipartUploads'> = async (ep, req, deps) => {
  const q = req.query;
  const maxUploads = parseMaxKeys(q, 'max-uploads');
  const encodingType = parseEncodingType(q);
  const prefix = q.get('prefix') ?? undefined;
  const delimiter = q.get('delimiter') || undefined;
  const keyMarker = q.get('key-marker') || undefined;
  // S3 ignores upload-id-marker without key-marker.
  const uploadIdMarker = keyMarker !== undefined ? q.get('upload-id-marker') || undefined : undefined;
  const res = await deps.metadata.listMultipartUploads({ bucket: ep.bucket, prefix, delimiter, keyMarker, uploadIdMarker, maxUploads }, req.ctx);
  const doc: ListMultipartUploadsResultInput = {
    Bucket: ep.bucket,
    KeyMarker: keyMarker ?? '',
    UploadIdMarker: uploadIdMarker ?? '',
    NextKeyMarker: res.nextKeyMarker,
    NextUploadIdMarker: res.nextUploadIdMarker,
    Delimiter: delimiter,
    Prefix: prefix,
    MaxUploads: maxUploads,
    IsTruncated: res.isTruncated,
    Upload: res.uploads.map(listedUpload),
    CommonPrefixes: res.commonPrefixes,
  };
  return xmlResponse(buildListMultipartUploadsResultPieces(encodingType ? urlEncodeListMultipartUploadsResult(doc) : doc));
};
