import type { Handler } from '../../types';

export const deleteBucket: Handler<'DeleteBucket'> = async (ep, req, deps) => {
  await deps.metadata.deleteBucket({ name: ep.bucket }, req.ctx);
  deps.bucketPolicies?.forget(ep.bucket);
  // Nor its default encryption: a bucket created again under the name starts without one.
  deps.writeDefaults?.invalidate(ep.bucket);
  deps.corsRules?.invalidate(ep.bucket);
  // Its access logging ends with it (a bucket created again under the name starts without).
  deps.accessLogs?.invalidate(ep.bucket);
  // Its grants went with it: no key keeps a cached grant on a name someone may create again.
  deps.credentials.invalidate?.();
  return { status: 204 };
};
