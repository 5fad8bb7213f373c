import type { Handler } from '../../types';

/** Lifts every block: public ACLs (where ownership controls allow ACLs) count again. */
export const deletePublicAccessBlock: Handler<'DeletePublicAccessBlock'> = async (ep, req, deps) => {
  await deps.metadata.putBucketConfig({ bucket: ep.bucket, kind: 'publicAccessBlock' }, req.ctx);
  deps.bucketPolicies?.forget(ep.bucket);
  return { status: 204 };
};
