import type { Registry } from 'prom-client';
import type { BackoffPolicies } from './backoff';

/** How to reach and talk to a TiKV cluster. Every duration is in milliseconds. */
export interface TikvKvOptions {
  /** PD client URLs (`host:port` or `http://host:port`); any member will do, the leader is discovered. */
  readonly pdEndpoints: readonly string[];
  /** Where the client's metrics go (default: a private registry, never prom-client's global one). */
  readonly registry?: Registry;
  /** The folder holding the trimmed kvproto files (default: proto/tikv found above this file or the cwd). */
  readonly protoDir?: string;
  /** Deadline of one PD RPC, and of one TSO reply. Default 3000. */
  readonly pdTimeoutMs?: number;
  /** Deadline of one TiKV RPC. Default 5000. */
  readonly rpcTimeoutMs?: number;
  /** Backoff budget of one PD call (and of a TSO outage). Default 20000. */
  readonly pdBudgetMs?: number;
  /** Backoff budget of one read (get, batchGet, scan), lock waits included. Default 20000. */
  readonly readBudgetMs?: number;
  /** Backoff budget of the prewrite phase and of the primary commit. Default 40000. */
  readonly commitBudgetMs?: number;
  /** Backoff budget of best-effort work (secondary commits, rollbacks). Default 10000. */
  readonly cleanupBudgetMs?: number;
  /** Lock TTL on top of the time elapsed since start_ts. Default 3000 (TiKV's minimum TTL). */
  readonly lockTtlMs?: number;
  /** Pairs per KvScan request. Default 256. */
  readonly scanBatchSize?: number;
  /** Approximate key+value bytes per prewrite/commit request. Default 16 KiB. */
  readonly batchBytes?: number;
  /**
   * Longest key a transaction may write. Default 4096. Reverse scans with no upper bound send
   * 0xff x (maxKeyBytes + 1) as their ceiling, so keys written by other clients must obey it too.
   */
  readonly maxKeyBytes?: number;
  /** gRPC send/receive limit. Default 64 MiB (TiKV may send up to 10 MiB; grpc-js allows 4 MiB). */
  readonly maxMessageBytes?: number;
  /** Override backoff schedules by kind. */
  readonly backoff?: Partial<BackoffPolicies>;
  /**
   * Commit secondaries after `txn` returns (client-go's behaviour) instead of before. `close()`
   * waits for them. Default false: a finished txn leaves no locks behind.
   */
  readonly commitSecondariesInBackground?: boolean;
  /**
   * How often PD's GC safe point is read again (client-go: every 10 s), so that no read runs below it
   * once another process advanced it. 0: only when this client advances it. Default 10 s.
   */
  readonly safePointRefreshMs?: number;
}

export type ResolvedOptions = Required<Omit<TikvKvOptions, 'registry' | 'protoDir' | 'backoff'>> &
  Pick<TikvKvOptions, 'registry' | 'protoDir' | 'backoff'>;

export function resolveOptions(o: TikvKvOptions): ResolvedOptions {
  if (!o.pdEndpoints?.length) throw new Error('TikvKv needs at least one PD endpoint');
  return {
    pdTimeoutMs: 3000,
    rpcTimeoutMs: 5000,
    pdBudgetMs: 20_000,
    readBudgetMs: 20_000,
    commitBudgetMs: 40_000,
    cleanupBudgetMs: 10_000,
    lockTtlMs: 3000,
    scanBatchSize: 256,
    batchBytes: 16 * 1024,
    maxKeyBytes: 4096,
    maxMessageBytes: 64 * 1024 * 1024,
    commitSecondariesInBackground: false,
    safePointRefreshMs: 10_000,
    ...stripUndefined(o),
  };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
