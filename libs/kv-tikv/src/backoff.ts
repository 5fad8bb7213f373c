import { KvUnavailableError } from '@massive/kv';

/**
 * Backoff with a total budget per operation (client-go `retry.Backoffer`): each kind of trouble
 * has its own exponential schedule (equal jitter), and the sum of all sleeps of one operation is
 * bounded. When the budget is spent the operation fails with KvUnavailableError.
 */
export type BackoffKind =
  | 'regionMiss'
  | 'regionScheduling'
  | 'serverBusy'
  | 'staleCommand'
  | 'tikvRpc'
  | 'pdRpc'
  | 'tsoRpc'
  | 'txnLock'
  | 'txnNotFound'
  | 'diskFull';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export type BackoffPolicies = Readonly<Record<BackoffKind, BackoffPolicy>>;

/**
 * client-go's schedules (`retry/config.go`). ServerIsBusy is client-go's BoTiKVServerBusy (2 s -> 10 s):
 * a busy store needs time, not hammering; a `backoff_ms` the store suggests is honoured on top.
 */
export const DEFAULT_BACKOFF_POLICIES: BackoffPolicies = {
  regionMiss: { baseMs: 2, capMs: 500 },
  regionScheduling: { baseMs: 2, capMs: 500 },
  serverBusy: { baseMs: 2000, capMs: 10_000 },
  staleCommand: { baseMs: 2, capMs: 1000 },
  tikvRpc: { baseMs: 20, capMs: 1000 },
  pdRpc: { baseMs: 50, capMs: 1000 },
  tsoRpc: { baseMs: 20, capMs: 1000 },
  txnLock: { baseMs: 2, capMs: 500 },
  txnNotFound: { baseMs: 2, capMs: 500 },
  // client-go's BoTiKVDiskFull starts at 500 ms: about what TiKV needs to move a leader off a full store.
  diskFull: { baseMs: 500, capMs: 5000 },
};

export interface BackoffEnv {
  readonly policies: BackoffPolicies;
  /** Called once per sleep (metrics). */
  readonly onBackoff?: (kind: BackoffKind) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const FAST_RETRIES = 8;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Backoffer {
  private readonly attempts = new Map<BackoffKind, number>();
  private slept = 0;
  private fastRetries = 0;

  constructor(
    private readonly env: BackoffEnv,
    /** Total sleep allowed, in ms. */
    readonly budgetMs: number,
    private readonly what = 'operation',
  ) {}

  get totalSleptMs(): number {
    return this.slept;
  }

  /** Sleeps of `kind` taken so far (a branch counts those taken before it was made). */
  sleepsOf(kind: BackoffKind): number {
    return this.attempts.get(kind) ?? 0;
  }

  /** The next sleep for `kind` (without taking it): min(cap, base * 2^n) with equal jitter. */
  nextSleepMs(kind: BackoffKind): number {
    const { baseMs, capMs } = this.env.policies[kind];
    const n = this.attempts.get(kind) ?? 0;
    const ceil = Math.min(capMs, baseMs * 2 ** Math.min(n, 30));
    const rnd = this.env.random ?? Math.random;
    return Math.max(1, Math.round(ceil / 2 + rnd() * (ceil / 2)));
  }

  /**
   * Sleeps before the next attempt, or throws KvUnavailableError (naming `cause`) when the sleep
   * would exceed the budget. `maxMs` caps this one sleep (e.g. the time until a lock expires).
   */
  async backoff(kind: BackoffKind, cause: unknown, maxMs?: number): Promise<void> {
    let ms = this.nextSleepMs(kind);
    if (maxMs !== undefined) ms = Math.max(1, Math.min(ms, maxMs));
    return this.sleepFor(kind, cause, ms);
  }

  /** Like `backoff`, but sleeps at least `minMs` (a server's suggested wait, e.g. ServerIsBusy.backoff_ms). */
  async backoffAtLeast(kind: BackoffKind, cause: unknown, minMs: number): Promise<void> {
    return this.sleepFor(kind, cause, Math.max(this.nextSleepMs(kind), Math.ceil(minMs)));
  }

  private async sleepFor(kind: BackoffKind, cause: unknown, ms: number): Promise<void> {
    if (this.slept + ms > this.budgetMs) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new KvUnavailableError(`${this.what}: gave up after ${this.slept} ms of backoff (${kind}): ${why}`);
    }
    this.attempts.set(kind, (this.attempts.get(kind) ?? 0) + 1);
    this.slept += ms;
    this.env.onBackoff?.(kind);
    await (this.env.sleep ?? sleep)(ms);
  }

  /**
   * A retry that normally needs no sleep (the cache was just corrected, a lock was just resolved).
   * After FAST_RETRIES of them in one operation it sleeps like `backoff`, so that a server that
   * keeps answering the same way still exhausts the budget instead of spinning.
   */
  async retryFast(kind: BackoffKind, cause: unknown): Promise<void> {
    if (++this.fastRetries > FAST_RETRIES) await this.backoff(kind, cause);
  }

  /**
   * A copy for one of several parallel branches (client-go `Backoffer.Fork`): it starts from what
   * this one has slept so far and may spend the rest of the budget on its own, so N parallel
   * batches each get the remaining budget instead of sharing it N ways.
   */
  branch(): Backoffer {
    const b = new Backoffer(this.env, this.budgetMs, this.what);
    b.slept = this.slept;
    b.fastRetries = this.fastRetries;
    for (const [k, n] of this.attempts) b.attempts.set(k, n);
    return b;
  }

  /** A backoffer with the same environment and a fresh budget (e.g. for best-effort cleanup). */
  fork(budgetMs: number, what: string): Backoffer {
    return new Backoffer(this.env, budgetMs, what);
  }
}
