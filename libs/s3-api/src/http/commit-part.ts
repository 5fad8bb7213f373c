import type { StoredPart } from '@massive/contracts';
import type { EndpointOf } from '@massive/s3-protocol';
import { S3Error } from '@massive/s3-protocol';
import { discard, type Ingested } from './ingest';
import type { S3ApiDeps, S3Request } from '../types';

/** S3's largest part. */
export const MAX_PART_SIZE = 5 * 1024 ** 3;

/** Records an ingested body as a part (UploadPart and UploadPartCopy), or gives its chunks up on failure. */
export async function commitPart(ep: EndpointOf<'UploadPart' | 'UploadPartCopy'>, body: Ingested, req: S3Request, deps: S3ApiDeps): Promise<StoredPart> {
  if (body.data.kind !== 'chunks') throw new S3Error('InternalError');
  try {
    return await deps.metadata.uploadPart(
      {
        bucket: ep.bucket,
        key: ep.key,
        uploadId: ep.uploadId,
        partNumber: ep.partNumber,
        manifest: body.data.manifest,
        intentId: body.data.intentId,
        etag: body.etag,
        checksum: body.checksum,
        // Encrypted parts store more bytes than the client sent; the part's size is the client's.
        ...(body.data.manifest.size !== body.size && { size: body.size }),
      },
      req.ctx,
    );
  } catch (e) {
    await discard(body.data, req, deps);
    throw e;
  }
}
