import type { Handler } from '../../types';

/** Without ownership controls a bucket behaves as ObjectWriter (AWS's legacy default): ACLs count again. */
export const deleteBucketOwnershipControls: Handler<'DeleteBucketOwnershipControls'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'ownershipControls' }, req.ctx);
  return { status: 204 };
};
