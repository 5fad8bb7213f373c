import type { BucketPolicy } from '@massive/s3-protocol';

/**
 * The stored form of a bucket's policy (the metadata 'policy' config): the client's text, returned by
 * GetBucketPolicy as it was put, and the normalised policy the gateway validated, which evaluation
 * compiles without parsing the text again. A document this version cannot read is a server fault.
 */
const VERSION = 1;

export interface StoredBucketPolicy {
  readonly text: string;
  readonly policy: BucketPolicy;
}

export function encodeBucketPolicy(text: string, policy: BucketPolicy): string {
  return JSON.stringify({ v: VERSION, text, policy });
}

export function decodeBucketPolicy(doc: string): StoredBucketPolicy {
  let o: unknown;
  try {
    o = JSON.parse(doc);
  } catch {
    throw corrupt();
  }
  const { v, text, policy } = (o ?? {}) as { v?: unknown; text?: unknown; policy?: { statements?: unknown; version?: unknown } };
  if (v !== VERSION || typeof text !== 'string' || typeof policy !== 'object' || policy === null || !Array.isArray(policy.statements)) throw corrupt();
  return { text, policy: policy as BucketPolicy };
}

function corrupt(): Error {
  return new Error('stored policy document is unreadable (unknown version or corrupt)');
}
