import { buildListAllMyBucketsResultPieces, S3Error } from '@massive/s3-protocol';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

export const listBuckets: Handler<'ListBuckets'> = async (_ep, req, deps) => {
  const prefix = req.query.get('prefix') ?? undefined;
  const maxRaw = req.query.get('max-buckets');
  const max = maxRaw === null ? 10000 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 10000) {
    throw new S3Error('InvalidArgument', 'max-buckets must be an integer between 1 and 10000', { ArgumentName: 'max-buckets', ArgumentValue: maxRaw ?? '' });
  }
  const token = req.query.get('continuation-token') ?? undefined;
  // `bucket-region`: only buckets in that region (every bucket here is in the service's region, so it
  // lists them all or none, as S3 does for a region holding none of the caller's buckets).
  const region = req.query.get('bucket-region') || undefined;
  // The root key sees every bucket; another key those it holds a grant on (as of its cached grants).
  const scope = req.scope ? ((await req.scope.refresh(req.ctx)) ?? req.scope) : undefined;
  const visible = scope ? new Set(scope.buckets()) : undefined;
  const all = (await deps.metadata.listBuckets({}, req.ctx)).filter(
    (b) => (visible === undefined || visible.has(b.name)) && (prefix === undefined || b.name.startsWith(prefix)) &&
      (region === undefined || b.region === region) &&
      (token === undefined || b.name > token),
  );
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  return xmlResponse(
    buildListAllMyBucketsResultPieces({
      Owner: { ID: req.owner.id, DisplayName: req.owner.displayName },
      Buckets: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt), BucketRegion: b.region })),
      Prefix: prefix,
      ContinuationToken: truncated ? page[page.length - 1].name : undefined,
    }),
  );
};
