import type { WriteBuffer } from '@massive/kv';
import { Op, type OpCode, type WMutation } from '../grpc/wire';

/** What a transaction asks TiKV to lock and write (kvrpcpb.Mutation). */
export interface TxnMutation extends WMutation {
  readonly op: OpCode;
  readonly key: Buffer;
  readonly value?: Buffer;
}

/**
 * The buffered writes as mutations in key order: puts (Op.Put), deletes (Op.Del) and keys that
 * were only locked (Op.Lock: conflict-checked, value unchanged).
 */
export function mutationsOf(buffer: WriteBuffer): TxnMutation[] {
  const out: TxnMutation[] = [];
  for (const [k, v] of buffer.writes) {
    const key = Buffer.from(k, 'latin1');
    out.push(v ? { op: Op.Put, key, value: v } : { op: Op.Del, key });
  }
  for (const k of buffer.locks) if (!buffer.writes.has(k)) out.push({ op: Op.Lock, key: Buffer.from(k, 'latin1') });
  return out.sort((a, b) => Buffer.compare(a.key, b.key));
}

/** The primary: the smallest key (deterministic; client-rust picks the first key too). */
export function pickPrimary(mutations: readonly TxnMutation[]): Buffer {
  if (mutations.length === 0) throw new Error('no mutations');
  let p = mutations[0].key;
  for (const m of mutations) if (Buffer.compare(m.key, p) < 0) p = m.key;
  return p;
}

/**
 * The lock TTL to send with a prewrite (client-go `txnLockTTL`): the base TTL plus the time that
 * has passed since start_ts was taken, because TiKV measures expiry from start_ts's physical time
 * (lock.ts.physical + ttl < current_ts.physical). The elapsed time is measured on this host's
 * clock from when the start_ts arrived, which is start_ts.physical without PD/host skew.
 */
export function lockTtlMs(baseMs: number, startTsReceivedAtMs: number, nowMs: number): number {
  return Math.round(baseMs + Math.max(0, nowMs - startTsReceivedAtMs));
}

/** client-go `txnLockTTL` constants: TTL grows as 6 s x sqrt(MiB) past 16 KiB, up to ManagedLockTTL. */
const TTL_FACTOR_MS = 6000;
const MANAGED_LOCK_TTL_MS = 20_000;
const TTL_SIZE_THRESHOLD = 16 * 1024;

/**
 * The base lock TTL of a transaction writing `txnBytes` of keys and values (client-go
 * `txnLockTTL`): `baseMs` (3 s) below 16 KiB, else 6000 x sqrt(size in MiB) clamped to
 * [baseMs, 20 s]: 6 s at 1 MiB, 12 s at 4 MiB, 20 s from about 11 MiB. Bigger transactions take
 * longer to prewrite, and a reader must not roll them back meanwhile.
 */
export function sizedLockTtlMs(baseMs: number, txnBytes: number): number {
  if (txnBytes < TTL_SIZE_THRESHOLD) return baseMs;
  const sized = Math.round(TTL_FACTOR_MS * Math.sqrt(txnBytes / (1024 * 1024)));
  return Math.max(baseMs, Math.min(MANAGED_LOCK_TTL_MS, sized));
}

/** Bytes of keys and values a transaction writes. */
export function txnBytesOf(mutations: readonly { key: Buffer; value?: Buffer }[]): number {
  return mutations.reduce((n, m) => n + m.key.length + (m.value?.length ?? 0), 0);
}

/** Splits mutations (already in one region) into requests of about `maxBytes` of keys and values. */
export function batchBySize<T extends { key: Buffer; value?: Buffer }>(items: readonly T[], maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const m of items) {
    const bytes = m.key.length + (m.value?.length ?? 0);
    if (current.length && size + bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += bytes;
  }
  if (current.length) batches.push(current);
  return batches;
}
