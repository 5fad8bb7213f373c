import { KvConflictError, KvUnknownOutcomeError, type KvSnapshot, type KvStore, type KvTxn, type TxnOptions } from '@massive/kv';
import { DEFAULT_BACKOFF_POLICIES, type BackoffEnv } from './backoff';
import { loadTikvProtos } from './grpc/rpc';
import { DiskFullOpt } from './grpc/wire';
import { createTikvMetrics, recordBackoff, type TikvMetrics, type TxnResult } from './metrics';
import { resolveOptions, type ResolvedOptions, type TikvKvOptions } from './options';
import { PdClient } from './pd/pd-client';
import { Committer } from './percolator/committer';
import { mutationsOf } from './percolator/mutations';
import { physicalMsOf } from './pd/timestamp';
import { checkApiVersion } from './tikv/api-version';
import type { ClientCore } from './tikv/core';
import { LockResolver } from './tikv/lock-resolver';
import { collectMvccGarbage, type MvccGcResult } from './tikv/mvcc-gc';
import { RegionRouter } from './tikv/router';
import { TikvSender } from './tikv/sender';
import { SnapshotReader } from './tikv/snapshot-reader';
import { TikvSnapshot, TikvTxn } from './tikv-txn';

export interface TikvKvStats {
  /** TSO requests sent (each may serve many concurrent callers). */
  readonly tsoRequests: number;
  readonly cachedRegions: number;
  readonly pdLeader: string | undefined;
  /** Secondary commits still running in the background. */
  readonly backgroundCommits: number;
}

/**
 * The KV port on TiKV: optimistic Percolator transactions over PD + TiKV gRPC (no client-go).
 * `txn(fn)` takes start_ts from PD's TSO, runs `fn` with snapshot reads at start_ts merged with its
 * buffered writes, then commits with 2PC (see Committer). Conflicts throw KvConflictError; an
 * outage past the budgets throws KvUnavailableError; a primary commit with no definite answer
 * throws KvUnknownOutcomeError; a store below its reserved space throws KvStoreFullError, unless
 * the txn must work on a full store (`useReserve`: its writes may use the reserve, DiskFullOpt.AllowedOnAlmostFull).
 */
export class TikvKv implements KvStore {
  private readonly core: ClientCore;
  private readonly opts: ResolvedOptions;
  private readonly background = new Set<Promise<void>>();
  private closed = false;
  private safePointTimer: NodeJS.Timeout | undefined;

  constructor(options: TikvKvOptions) {
    this.opts = resolveOptions(options);
    const metrics = createTikvMetrics(this.opts.registry);
    const protos = loadTikvProtos(this.opts.protoDir);
    const backoffEnv: BackoffEnv = {
      policies: { ...DEFAULT_BACKOFF_POLICIES, ...this.opts.backoff },
      onBackoff: recordBackoff(metrics),
    };
    const pd = new PdClient({
      endpoints: this.opts.pdEndpoints,
      protos,
      timeoutMs: this.opts.pdTimeoutMs,
      budgetMs: this.opts.pdBudgetMs,
      backoff: backoffEnv,
      maxMessageBytes: this.opts.maxMessageBytes,
      observe: (method, s) => metrics.rpcDuration.observe({ method }, s),
    });
    const router = new RegionRouter(pd, protos, this.opts.maxMessageBytes, Buffer.alloc(this.opts.maxKeyBytes + 1, 0xff));
    const sender = new TikvSender(router, metrics, this.opts.rpcTimeoutMs);
    const resolver = new LockResolver(sender, () => pd.getTimestamp(), metrics);
    this.core = {
      pd,
      router,
      sender,
      resolver,
      metrics,
      backoffEnv,
      limits: {
        readBudgetMs: this.opts.readBudgetMs,
        commitBudgetMs: this.opts.commitBudgetMs,
        cleanupBudgetMs: this.opts.cleanupBudgetMs,
        scanBatchSize: this.opts.scanBatchSize,
        lockTtlMs: this.opts.lockTtlMs,
        batchBytes: this.opts.batchBytes,
        maxKeyBytes: this.opts.maxKeyBytes,
      },
      gcSafePoint: { value: 0n },
    };
  }

  /**
   * Creates a client, checks that PD answers (one TSO round trip) and that TiKV speaks API V1
   * (see checkApiVersion).
   */
  static async connect(options: TikvKvOptions): Promise<TikvKv> {
    const kv = new TikvKv(options);
    try {
      const ts = await kv.core.pd.getTimestamp();
      await checkApiVersion(kv.core, ts);
      await kv.refreshSafePoint();
      if (kv.opts.safePointRefreshMs > 0) {
        kv.safePointTimer = setInterval(() => void kv.refreshSafePoint().catch(() => kv.core.metrics.safePointRefreshFailures.inc()), kv.opts.safePointRefreshMs);
        kv.safePointTimer.unref();
      }
      return kv;
    } catch (err) {
      await kv.close();
      throw err;
    }
  }

  get metrics(): TikvMetrics {
    return this.core.metrics;
  }

  stats(): TikvKvStats {
    return {
      tsoRequests: this.core.pd.tsoRequestCount,
      cachedRegions: this.core.router.cache.size,
      pdLeader: this.core.pd.currentLeader,
      backgroundCommits: this.background.size,
    };
  }

  /** A fresh timestamp from PD's TSO. */
  timestamp(): Promise<bigint> {
    this.checkOpen();
    return this.core.pd.getTimestamp();
  }

  async txn<T>(fn: (tx: KvTxn) => Promise<T>, opts: TxnOptions = {}): Promise<T> {
    this.checkOpen();
    const startTs = await this.core.pd.getTimestamp();
    const receivedAt = Date.now();
    const tx = new TikvTxn(new SnapshotReader(this.core, startTs), this.opts.maxKeyBytes);
    let result: T;
    try {
      result = await fn(tx);
    } catch (err) {
      this.count('aborted');
      throw err;
    } finally {
      tx.finish();
    }
    if (tx.buffer.isEmpty) {
      this.count('read_only');
      return result;
    }
    if (startTs < this.core.gcSafePoint.value) {
      // GC passed our start while we ran: what we read may miss versions it dropped (client-go
      // checks visibility before committing too). Retried at a new timestamp, like any conflict.
      this.core.metrics.conflicts.inc();
      this.count('conflict');
      throw new KvConflictError(`transaction started at ${startTs}, below the GC safe point ${this.core.gcSafePoint.value}: retry at a new timestamp`);
    }
    try {
      const diskFullOpt = opts.useReserve ? DiskFullOpt.AllowedOnAlmostFull : DiskFullOpt.NotAllowedOnFull;
      const committer = new Committer(this.core, startTs, receivedAt, mutationsOf(tx.buffer), { diskFullOpt });
      await committer.commit(this.opts.commitSecondariesInBackground ? (w) => this.track(w) : undefined);
    } catch (err) {
      if (err instanceof KvConflictError) {
        this.core.metrics.conflicts.inc();
        this.count('conflict');
      } else this.count(err instanceof KvUnknownOutcomeError ? 'unknown_outcome' : 'error');
      throw err;
    }
    this.count('committed');
    return result;
  }

  async snapshot(): Promise<KvSnapshot> {
    this.checkOpen();
    const ts = await this.core.pd.getTimestamp();
    return new TikvSnapshot(new SnapshotReader(this.core, ts));
  }

  /** A read view at a given timestamp (e.g. one taken earlier with `timestamp()`). */
  snapshotAt(ts: bigint): TikvSnapshot {
    this.checkOpen();
    return new TikvSnapshot(new SnapshotReader(this.core, ts));
  }

  /**
   * One MVCC GC run (see `collectMvccGarbage`): resolves the locks below `now - lifetimeMs`, then
   * moves PD's GC safe point there, unless a service (BR, TiCDC) holds it lower.
   */
  async collectMvccGarbage(lifetimeMs: number): Promise<MvccGcResult> {
    this.checkOpen();
    const result = await collectMvccGarbage(this.core, lifetimeMs);
    this.core.metrics.gcSafePoint.set(physicalMsOf(this.core.gcSafePoint.value) / 1000);
    return result;
  }

  /** PD's GC safe point as this client enforces it on its reads. */
  get gcSafePoint(): bigint {
    return this.core.gcSafePoint.value;
  }

  /** Reads PD's GC safe point (it only moves forward). */
  async refreshSafePoint(): Promise<bigint> {
    const sp = await this.core.pd.getGcSafePoint();
    if (sp > this.core.gcSafePoint.value) this.core.gcSafePoint.value = sp;
    this.core.metrics.gcSafePoint.set(physicalMsOf(this.core.gcSafePoint.value) / 1000);
    return this.core.gcSafePoint.value;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.safePointTimer);
    await Promise.allSettled([...this.background]);
    this.core.pd.close();
    this.core.router.close();
  }

  private track(work: Promise<void>): void {
    const p = work.finally(() => this.background.delete(p));
    this.background.add(p);
  }

  private count(result: TxnResult): void {
    this.core.metrics.txns.inc({ result });
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('TikvKv is closed');
  }
}
