import type { Handler } from '../../types';

export const abortMultipartUpload: Handler<'AbortMultipartUpload'> = async (ep, req, deps) => {
  await deps.metadata.abortMultipartUpload({ bucket: ep.bucket, key: ep.key, uploadId: ep.uploadId }, req.ctx);
  return { status: 204 };
};
