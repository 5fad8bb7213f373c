import { ServiceError } from '@massive/contracts';

/** What a blob replica says about itself (the Describe RPC). */
export interface ReplicaInfo {
  /** '' for a stateless replica (every id without an owner is served by any replica). */
  readonly replicaId: string;
  readonly legacyChunks: boolean;
  /** Port of its HTTP blob data path on the target's host; 0 or absent: bodies over gRPC. */
  readonly dataPort?: number;
}

export interface ReplicaRouterOptions {
  /** How many targets there are (indices 0..size-1). */
  readonly size: number;
  /** Asks target `i` who it is (rejects when it cannot be reached). */
  readonly describe: (i: number) => Promise<ReplicaInfo>;
  /** Whether target `i` is not known to be failing. */
  readonly isUp: (i: number) => boolean;
  /** For error messages: "blob service (a:7071,b:7071)". */
  readonly label: string;
  /** Fewest milliseconds between two refreshes forced by unknown owners or failures. Default 1000. */
  readonly minRefreshMs?: number;
}

/**
 * Maps blob replica ids to targets, learnt by asking every target (Describe), so a chunk id
 * `@<replica>/...` goes to the replica that owns it. An unknown owner triggers a refresh (at most one
 * per `minRefreshMs`, concurrent callers share it); a replica still unknown, or known only on failing
 * channels, is `Unavailable` (503 to S3 clients, who retry), never a guess at another replica. What a
 * target answered is kept while it is unreachable: a call to it then fails Unavailable on its own.
 *
 * For this to hold, each target must reach exactly one replica: list the replicas one by one
 * (`blob-0.blob:7071,blob-1.blob:7071`), not one DNS name spread round-robin over all of them.
 */
export class ReplicaRouter {
  private readonly known: (ReplicaInfo | undefined)[];
  private refreshing: Promise<void> | undefined;
  private lastRefresh = -Infinity;
  private readonly minRefreshMs: number;

  constructor(private readonly opts: ReplicaRouterOptions) {
    this.known = Array.from({ length: opts.size }, () => undefined);
    this.minRefreshMs = opts.minRefreshMs ?? 1000;
  }

  /**
   * The target for chunks of `owner`; for ids without an owner, the one replica holding chunks from
   * before replica ids if there is exactly one, else undefined (any target).
   */
  async targetFor(owner: string | undefined): Promise<number | undefined> {
    if (owner === undefined) {
      if (this.known.every((k) => k === undefined)) await this.refresh(false);
      const legacy = this.indicesWhere((k) => k.legacyChunks);
      return legacy.length > 0 && new Set(legacy.map((i) => this.known[i]?.replicaId)).size === 1 ? this.preferUp(legacy) : undefined;
    }
    let found = this.indicesWhere((k) => k.replicaId === owner);
    if (found.length === 0 || !found.some((i) => this.opts.isUp(i))) {
      await this.refresh(false);
      found = this.indicesWhere((k) => k.replicaId === owner);
    }
    if (found.length === 0) {
      throw new ServiceError('Unavailable', `blob replica ${owner} is not reachable through ${this.opts.label}: it is down, or not listed in the blob endpoints`);
    }
    return this.preferUp(found);
  }

  /**
   * Every target an intent's chunks may be on: all of them, unless every target answered and all are
   * stateless (then one call anywhere does it).
   */
  async intentTargets(): Promise<number[] | undefined> {
    if (this.known.some((k) => k === undefined)) await this.refresh(false);
    if (this.known.every((k) => k !== undefined && k.replicaId === '')) return undefined;
    return this.known.map((_, i) => i);
  }

  /** Re-learns the map soon (after a routed call failed Unavailable: a replica may have moved). */
  invalidate(): void {
    void this.refresh(false);
  }

  /** Asks every target who it is; `force` ignores the minimum interval. Never rejects. */
  refresh(force: boolean): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (!force && Date.now() - this.lastRefresh < this.minRefreshMs) return Promise.resolve();
    this.lastRefresh = Date.now();
    const run = Promise.all(
      this.known.map((_, i) =>
        this.opts.describe(i).then(
          (info) => {
            this.known[i] = info;
          },
          () => undefined,
        ),
      ),
    ).then(() => undefined);
    this.refreshing = run.finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** What target `i` said last (undefined: never answered). */
  info(i: number): ReplicaInfo | undefined {
    return this.known[i];
  }

  /** What each target said last (undefined: never answered). */
  snapshot(): readonly (ReplicaInfo | undefined)[] {
    return [...this.known];
  }

  private indicesWhere(pred: (k: ReplicaInfo) => boolean): number[] {
    const out: number[] = [];
    this.known.forEach((k, i) => {
      if (k && pred(k)) out.push(i);
    });
    return out;
  }

  private preferUp(indices: number[]): number {
    return indices.find((i) => this.opts.isUp(i)) ?? indices[0];
  }
}
