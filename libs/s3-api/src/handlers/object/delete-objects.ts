import { buildDeleteResult, parseDelete } from '@massive/s3-protocol';
import { readSmallBody, XML_BODY_LIMITS } from '../../http/small-body';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const deleteObjects: Handler<'DeleteObjects'> = async (ep, req, deps) => {
  const xml = await readSmallBody(req, XML_BODY_LIMITS.DeleteObjects);
  const doc = parseDelete(xml);
  const res = await deps.metadata.deleteObjects({ bucket: ep.bucket, keys: doc.Object.map((o) => o.Key) }, req.ctx);
  return xmlResponse(
    buildDeleteResult({
      Quiet: doc.Quiet,
      Deleted: res.results.filter((r) => !r.error).map((r) => ({ Key: r.key })),
      Error: res.results.flatMap((r) => (r.error ? [{ Key: r.key, Code: r.error.code, Message: r.error.message }] : [])),
    }),
  );
};
