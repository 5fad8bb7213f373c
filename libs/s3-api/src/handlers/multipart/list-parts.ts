import { buildListPartsResultPieces, S3Error } from '@massive/s3-protocol';
import { parseMaxKeys } from '../../http/list-params';
import { xmlOwner } from '../../http/listed';
import { checksumFields } from '../../http/checksum-fields';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const listParts: Handler<'ListParts'> = async (ep, req, deps) => {
  const maxParts = parseMaxKeys(req.query, 'max-parts');
  const markerRaw = req.query.get('part-number-marker');
  let marker: number | undefined;
  if (markerRaw !== null && markerRaw !== '') {
    if (!/^\d+$/.test(markerRaw)) {
      throw new S3Error('InvalidArgument', 'Provided part-number-marker not an integer or within integer range', { ArgumentName: 'part-number-marker', ArgumentValue: markerRaw });
    }
    marker = Number(markerRaw);
  }
  const res = await deps.metadata.listParts({ bucket: ep.bucket, key: ep.key, uploadId: ep.uploadId, partNumberMarker: marker, maxParts }, req.ctx);
  return xmlResponse(
    buildListPartsResultPieces({
      Bucket: ep.bucket,
      Key: ep.key,
      UploadId: ep.uploadId,
      Initiator: xmlOwner(res.upload.owner),
      Owner: xmlOwner(res.upload.owner),
      StorageClass: 'STANDARD',
      PartNumberMarker: marker ?? 0,
      NextPartNumberMarker: res.nextPartNumberMarker ?? 0,
      MaxParts: maxParts,
      IsTruncated: res.isTruncated,
      Part: res.parts.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: new Date(p.lastModified),
        ETag: p.etag,
        Size: p.size,
        ...checksumFields(p.checksum, false),
      })),
      ChecksumAlgorithm: res.upload.checksumAlgorithm,
      ChecksumType: res.upload.checksumType,
    }),
  );
};
