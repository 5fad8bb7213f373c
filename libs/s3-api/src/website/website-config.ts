import { isServiceError, type CallCtx, type MetadataApi } from '@massive/contracts';
import { isWebsiteConfiguration, type WebsiteConfiguration } from '@massive/s3-protocol';
import { BucketLookups, type BucketLookupsOptions } from '../http/bucket-lookups';

/**
 * A bucket's website configuration as stored (the metadata `website` document): canonical JSON with a
 * format version, `{"v":1,"config":{indexDocument?, errorDocument?, redirectAllRequestsTo?, routingRules?}}`.
 * The gateway validated it before storing it (parseWebsiteConfiguration); reading re-checks the shape.
 */
export function encodeWebsiteDocument(config: WebsiteConfiguration): string {
  return JSON.stringify({ v: 1, config });
}

export function decodeWebsiteDocument(doc: string): WebsiteConfiguration {
  const parsed: unknown = JSON.parse(doc);
  const config = typeof parsed === 'object' && parsed !== null && (parsed as { v?: unknown }).v === 1 ? (parsed as { config?: unknown }).config : undefined;
  if (!isWebsiteConfiguration(config)) throw new Error('unknown website document format');
  return config;
}

/** What the website endpoint needs of a bucket: whether it exists, and its configuration if it has one. */
export interface BucketWebsite {
  readonly exists: boolean;
  readonly config?: WebsiteConfiguration;
}

/**
 * The website configurations of recently served buckets, so a page's requests do not each cost a metadata
 * round trip. Entries live `ttlMs`; this gateway's own Put/DeleteBucketWebsite drop theirs at once (other
 * gateways see the change within `ttlMs`). Concurrent lookups of one bucket share one request; a failed
 * lookup is not cached.
 */
export class WebsiteConfigCache {
  private readonly lookups: BucketLookups<BucketWebsite>;

  constructor(
    private readonly metadata: MetadataApi,
    opts: BucketLookupsOptions,
  ) {
    this.lookups = new BucketLookups((bucket, ctx) => this.load(bucket, ctx), opts);
  }

  get(bucket: string, ctx: CallCtx): Promise<BucketWebsite> {
    return this.lookups.get(bucket, ctx);
  }

  invalidate(bucket: string): void {
    this.lookups.forget(bucket);
  }

  private async load(bucket: string, ctx: CallCtx): Promise<BucketWebsite> {
    try {
      const { documents } = await this.metadata.getBucketConfig({ bucket, kinds: ['website'] }, ctx);
      const doc = documents.website;
      return doc === undefined ? { exists: true } : { exists: true, config: decodeWebsiteDocument(doc) };
    } catch (err) {
      if (isServiceError(err) && err.code === 'NoSuchBucket') return { exists: false };
      throw err;
    }
  }
}
