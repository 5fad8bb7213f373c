import { randomUUID } from 'node:crypto';
import type { ChecksumAlgorithm } from '@massive/contracts';
import type { TxnRunner } from '../txn/run-txn';

/**
 * Combines part checksums for CompleteMultipartUpload when an algorithm is not built in (CRC32C,
 * CRC64NVME, and every FULL_OBJECT combination). Returns the raw digest, or undefined when it cannot.
 * COMPOSITE: the digest of the concatenated (decoded) part digests.
 * FULL_OBJECT: the CRC of the whole object from the part CRCs and sizes.
 */
export type ChecksumCombiner = (req: {
  readonly type: 'COMPOSITE' | 'FULL_OBJECT';
  readonly algorithm: ChecksumAlgorithm;
  readonly parts: readonly { readonly digest: Buffer; readonly size: number }[];
}) => Buffer | undefined;

/** What every operation gets from the service (no module state). */
export interface OpDeps {
  readonly txn: TxnRunner;
  readonly clock: () => number;
  /** Delay between unlinking a chunk and deleting it (lets in-flight GETs of the old version finish). */
  readonly gcGraceMs: number;
  readonly checksumCombiner?: ChecksumCombiner;
}

/** 16 random bytes as hex: unguessable (bucket and intent ids). */
export function randomId(): string {
  // randomUUID draws from Node's cached entropy pool: no syscall per id (randomBytes(16) made one).
  const u = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24);
}

/** 6 bytes of ms clock then 10 random bytes, as hex: unguessable and sortable by creation time. */
export function timeSortableId(now: number): string {
  const clock = (Math.max(0, Math.floor(now)) % 2 ** 48).toString(16).padStart(12, '0');
  // The remaining 20 hex digits keep 74 random bits of the UUID (its version nibble sits among them):
  // the UUID's last 20 digits, its dashes left out.
  const u = randomUUID();
  return clock + u.slice(14, 18) + u.slice(19, 23) + u.slice(24);
}

/** The name under which writers of one object take turns (TxnRunner `serialize`). */
export function objectWriterName(bucket: string, key: string): string {
  return `${bucket}\u0000${key}`;
}
