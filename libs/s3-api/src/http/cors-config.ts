import { isServiceError, type CallCtx, type MetadataApi } from '@massive/contracts';
import { isCorsMethod, type CorsRule } from '@massive/s3-protocol';
import { BucketLookups, type BucketLookupsOptions } from './bucket-lookups';

/**
 * A bucket's CORS rules as stored (the metadata `cors` document): canonical JSON with a format version,
 * `{"v":1,"rules":[{id?, allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders, maxAgeSeconds?}]}`.
 * The gateway validated the rules before storing them; reading re-checks the shape so a damaged
 * document cannot make CORS allow what it should not.
 */
export function encodeCorsDocument(rules: readonly CorsRule[]): string {
  return JSON.stringify({ v: 1, rules });
}

export function decodeCorsDocument(doc: string): CorsRule[] {
  const parsed: unknown = JSON.parse(doc);
  if (!isRecord(parsed) || parsed['v'] !== 1 || !Array.isArray(parsed['rules'])) throw new Error('unknown CORS document format');
  return parsed['rules'].map((r: unknown) => {
    if (
      !isRecord(r) ||
      !isStrings(r['allowedOrigins']) ||
      !isStrings(r['allowedMethods']) ||
      !r['allowedMethods'].every(isCorsMethod) ||
      !isStrings(r['allowedHeaders']) ||
      !isStrings(r['exposeHeaders']) ||
      (r['id'] !== undefined && typeof r['id'] !== 'string') ||
      (r['maxAgeSeconds'] !== undefined && typeof r['maxAgeSeconds'] !== 'number')
    ) {
      throw new Error('malformed CORS rule in stored document');
    }
    return r as unknown as CorsRule;
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

export type CorsCacheOptions = BucketLookupsOptions;

/**
 * The parsed CORS rules of recently used buckets, so a browser app's requests (each carries `Origin`)
 * do not each cost a metadata round trip. Entries live `ttlMs`; this gateway's own Put/DeleteBucketCors
 * drop theirs at once (other gateways see the change within `ttlMs`). Concurrent lookups of one bucket
 * share one request. A bucket that does not exist has no rules; a failed lookup is not cached.
 */
export class CorsRulesCache {
  private readonly lookups: BucketLookups<readonly CorsRule[] | undefined>;

  constructor(
    private readonly metadata: MetadataApi,
    opts: CorsCacheOptions,
  ) {
    this.lookups = new BucketLookups((bucket, ctx) => this.load(bucket, ctx), opts);
  }

  rules(bucket: string, ctx: CallCtx): Promise<readonly CorsRule[] | undefined> {
    return this.lookups.get(bucket, ctx);
  }

  invalidate(bucket: string): void {
    this.lookups.forget(bucket);
  }

  private async load(bucket: string, ctx: CallCtx): Promise<readonly CorsRule[] | undefined> {
    try {
      const { documents } = await this.metadata.getBucketConfig({ bucket, kinds: ['cors'] }, ctx);
      const doc = documents.cors;
      return doc === undefined ? undefined : decodeCorsDocument(doc);
    } catch (err) {
      if (isServiceError(err) && err.code === 'NoSuchBucket') return undefined;
      throw err;
    }
  }
}
