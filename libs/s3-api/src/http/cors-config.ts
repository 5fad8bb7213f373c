import { isServiceError, type CallCtx, type MetadataApi } from '@massive/contracts';
import { isCorsMethod, type CorsRule } from '@massive/s3-protocol';

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

const LOOKUP_TIMEOUT_MS = 10_000;

interface Entry {
  readonly at: number;
  readonly rules: Promise<readonly CorsRule[] | undefined>;
}

export interface CorsCacheOptions {
  /** How long a bucket's rules are reused before metadata is asked again. */
  readonly ttlMs: number;
  /** Buckets remembered at once (the oldest entry goes first). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

/**
 * The parsed CORS rules of recently used buckets, so a browser app's requests (each carries `Origin`)
 * do not each cost a metadata round trip. Entries live `ttlMs`; this gateway's own Put/DeleteBucketCors
 * drop theirs at once (other gateways see the change within `ttlMs`). Concurrent lookups of one bucket
 * share one request. A bucket that does not exist has no rules; a failed lookup is not cached.
 */
export class CorsRulesCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(
    private readonly metadata: MetadataApi,
    private readonly opts: CorsCacheOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  rules(bucket: string, ctx: CallCtx): Promise<readonly CorsRule[] | undefined> {
    const t = this.now();
    const hit = this.entries.get(bucket);
    if (hit && t - hit.at < this.opts.ttlMs) return hit.rules;
    if (hit) this.entries.delete(bucket);
    // Shared by every request waiting on this bucket: not tied to the first one's hang-up signal.
    const rules = this.load(bucket, { requestId: ctx.requestId, deadline: this.now() + LOOKUP_TIMEOUT_MS });
    const entry = { at: t, rules };
    this.entries.set(bucket, entry);
    rules.catch(() => {
      if (this.entries.get(bucket) === entry) this.entries.delete(bucket);
    });
    if (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return rules;
  }

  invalidate(bucket: string): void {
    this.entries.delete(bucket);
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
