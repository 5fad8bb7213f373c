/**
 * The bucket lifecycle configuration as stored (the 'lifecycle' bucket config document): the gateway
 * validates PutBucketLifecycleConfiguration's XML into this model and stores its canonical JSON; the
 * metadata lifecycle worker reads it back to enforce the rules. Pure data and pure functions only.
 */

/** One tag of a Tag / And filter. */
export interface LifecycleTag {
  readonly key: string;
  readonly value: string;
}

/**
 * Which objects a rule covers, in the form the client sent it (so GetBucketLifecycleConfiguration
 * answers the same shape): `legacy` is the rule-level `<Prefix>` of the 2006 schema; `all` is an empty
 * `<Filter/>`; the others are the `<Filter>` children.
 */
export type LifecycleFilter =
  | { readonly kind: 'legacy'; readonly prefix: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'tag'; readonly tag: LifecycleTag }
  | { readonly kind: 'sizeGreaterThan'; readonly size: number }
  | { readonly kind: 'sizeLessThan'; readonly size: number }
  | {
      readonly kind: 'and';
      readonly prefix?: string;
      readonly tags: readonly LifecycleTag[];
      readonly sizeGreaterThan?: number;
      readonly sizeLessThan?: number;
    };

/** Expiration: exactly one of `days`, `date` (ms, midnight UTC) or `expiredObjectDeleteMarker`. */
export interface LifecycleExpiration {
  readonly days?: number;
  readonly date?: number;
  readonly expiredObjectDeleteMarker?: boolean;
}

export interface LifecycleRule {
  /** 1 to 255 characters, unique in the configuration (generated when the client sends none). */
  readonly id: string;
  readonly status: 'Enabled' | 'Disabled';
  readonly filter: LifecycleFilter;
  readonly expiration?: LifecycleExpiration;
  readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number; readonly newerNoncurrentVersions?: number };
  readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
}

export interface LifecycleConfiguration {
  readonly rules: readonly LifecycleRule[];
}

/** AWS's limits. */
export const LIFECYCLE_LIMITS = {
  maxRules: 1000,
  maxIdLength: 255,
  maxNewerNoncurrentVersions: 100,
  maxTagKeyLength: 128,
  maxTagValueLength: 256,
} as const;

const FORMAT_VERSION = 1;

/** The canonical stored form: `{"v":1,"rules":[...]}` with keys in a fixed order (stable bytes). */
export function encodeLifecycleConfiguration(config: LifecycleConfiguration): string {
  return JSON.stringify({ v: FORMAT_VERSION, rules: config.rules.map(canonicalRule) });
}

/** Reads a stored document; throws on anything that is not a document `encodeLifecycleConfiguration` wrote. */
export function decodeLifecycleConfiguration(doc: string): LifecycleConfiguration {
  const parsed: unknown = JSON.parse(doc);
  if (!isRecord(parsed) || parsed['v'] !== FORMAT_VERSION || !Array.isArray(parsed['rules'])) {
    throw new Error('not a lifecycle configuration document (format version 1)');
  }
  // The document was validated before it was stored; re-canonicalising drops anything unexpected.
  return { rules: (parsed['rules'] as LifecycleRule[]).map(canonicalRule) };
}

function canonicalRule(r: LifecycleRule): LifecycleRule {
  return {
    id: r.id,
    status: r.status,
    filter: canonicalFilter(r.filter),
    ...(r.expiration && {
      expiration: {
        ...(r.expiration.days !== undefined && { days: r.expiration.days }),
        ...(r.expiration.date !== undefined && { date: r.expiration.date }),
        ...(r.expiration.expiredObjectDeleteMarker !== undefined && { expiredObjectDeleteMarker: r.expiration.expiredObjectDeleteMarker }),
      },
    }),
    ...(r.noncurrentVersionExpiration && {
      noncurrentVersionExpiration: {
        noncurrentDays: r.noncurrentVersionExpiration.noncurrentDays,
        ...(r.noncurrentVersionExpiration.newerNoncurrentVersions !== undefined && {
          newerNoncurrentVersions: r.noncurrentVersionExpiration.newerNoncurrentVersions,
        }),
      },
    }),
    ...(r.abortIncompleteMultipartUpload && {
      abortIncompleteMultipartUpload: { daysAfterInitiation: r.abortIncompleteMultipartUpload.daysAfterInitiation },
    }),
  };
}

function canonicalFilter(f: LifecycleFilter): LifecycleFilter {
  const tag = (t: LifecycleTag): LifecycleTag => ({ key: t.key, value: t.value });
  switch (f.kind) {
    case 'legacy':
    case 'prefix':
      return { kind: f.kind, prefix: f.prefix };
    case 'all':
      return { kind: 'all' };
    case 'tag':
      return { kind: 'tag', tag: tag(f.tag) };
    case 'sizeGreaterThan':
    case 'sizeLessThan':
      return { kind: f.kind, size: f.size };
    case 'and':
      return {
        kind: 'and',
        ...(f.prefix !== undefined && { prefix: f.prefix }),
        tags: f.tags.map(tag),
        ...(f.sizeGreaterThan !== undefined && { sizeGreaterThan: f.sizeGreaterThan }),
        ...(f.sizeLessThan !== undefined && { sizeLessThan: f.sizeLessThan }),
      };
    default:
      throw new Error(`unknown lifecycle filter kind: ${(f as { kind: unknown }).kind}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
