import type { CallCtx, MetadataApi } from '@massive/contracts';
import type { BucketEncryption } from '@massive/s3-protocol';

/**
 * A bucket's default encryption as stored (the metadata `encryption` document): versioned JSON, never the
 * client's XML, `{"v":1,"a":"AES256","bk":<BucketKeyEnabled>}`. `bk` is kept only to answer
 * GetBucketEncryption as it was set: S3 Bucket Keys are an SSE-KMS cost saving, and SSE-S3 objects never
 * report one. A document this version cannot read is a server fault (thrown), never read as "no default
 * encryption": that would silently store plaintext in a bucket its owner asked to encrypt.
 */
const VERSION = 1;

/** What GetBucketEncryption answers (BucketKeyEnabled always present: S3 reports it false when never set). */
export interface StoredBucketEncryption extends BucketEncryption {
  readonly BucketKeyEnabled: boolean;
}

export function encodeBucketEncryption(c: BucketEncryption): string {
  return JSON.stringify({ v: VERSION, a: c.SSEAlgorithm, bk: c.BucketKeyEnabled ?? false });
}

export function decodeBucketEncryption(doc: string): StoredBucketEncryption {
  let o: unknown;
  try {
    o = JSON.parse(doc);
  } catch {
    throw corrupt();
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw corrupt();
  const { v, a, bk } = o as Record<string, unknown>;
  if (v !== VERSION || a !== 'AES256' || typeof bk !== 'boolean') throw corrupt();
  return { SSEAlgorithm: a, BucketKeyEnabled: bk };
}

function corrupt(): Error {
  return new Error('stored encryption document is unreadable (unknown version or corrupt)');
}

const LOOKUP_TIMEOUT_MS = 10_000;

interface Entry {
  readonly at: number;
  readonly algorithm: Promise<'AES256' | undefined>;
}

export interface BucketEncryptionCacheOptions {
  /** How long a bucket's default is reused before metadata is asked again (other gateways' changes show within it). */
  readonly ttlMs: number;
  /** Buckets remembered at once (the oldest entry goes first). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

/**
 * Each bucket's default encryption, per gateway, so a write that names no encryption of its own does not
 * cost a metadata round trip to learn whether to encrypt. Entries live `ttlMs`; this gateway's own
 * Put/DeleteBucketEncryption drop theirs at once, other gateways' changes apply within `ttlMs` (objects
 * written through another gateway in that window get the previous default). Concurrent lookups of one
 * bucket share one metadata call. A failed lookup is not cached and fails the write: NoSuchBucket is what
 * the write answers anyway, and a write that cannot learn its bucket's default must not guess plaintext.
 */
export class BucketEncryptionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: BucketEncryptionCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The algorithm a new object in `bucket` gets when its request names none; undefined: stored as sent. */
  defaultAlgorithm(metadata: MetadataApi, bucket: string, ctx: CallCtx): Promise<'AES256' | undefined> {
    const t = this.now();
    const hit = this.entries.get(bucket);
    if (hit && t - hit.at < this.opts.ttlMs) return hit.algorithm;
    if (hit) this.entries.delete(bucket);
    // Shared by every request waiting on this bucket: not tied to the first one's hang-up signal.
    const algorithm = load(metadata, bucket, { requestId: ctx.requestId, deadline: t + LOOKUP_TIMEOUT_MS });
    const entry: Entry = { at: t, algorithm };
    if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(bucket, entry);
    algorithm.catch(() => {
      if (this.entries.get(bucket) === entry) this.entries.delete(bucket);
    });
    return algorithm;
  }

  /** Drops a bucket's entry (its default encryption changed through this gateway). */
  invalidate(bucket: string): void {
    this.entries.delete(bucket);
  }
}

async function load(metadata: MetadataApi, bucket: string, ctx: CallCtx): Promise<'AES256' | undefined> {
  const { documents } = await metadata.getBucketConfig({ bucket, kinds: ['encryption'] }, ctx);
  return documents.encryption === undefined ? undefined : decodeBucketEncryption(documents.encryption).SSEAlgorithm;
}
