import type { CallCtx, KeyGrant, MetadataApi } from '@massive/contracts';
import type { Credential, CredentialStore, KeyPermissions, KeyScope } from '../types';
import { canonicalUserId } from './canonical-id';
import type { KeyLoadResult } from './key-metrics';
import type { SecretSealer } from './secret-seal';

export interface RootKey {
  readonly accessKey: string;
  readonly secretKey: string;
}

export interface KeyCacheOptions {
  /** The root key (configuration, or the generated development credentials): may do everything. */
  readonly root: RootKey;
  readonly metadata: Pick<MetadataApi, 'getKey'>;
  readonly sealer: SecretSealer;
  /** A key and its grants are reused this long before they are read again (default 5 s). */
  readonly ttlMs?: number;
  /** An unknown key id is remembered as unknown this long (default 2 s). */
  readonly negativeTtlMs?: number;
  /** A request a key's cached grants deny re-reads them when they are older than this (default 250 ms). */
  readonly refreshAfterMs?: number;
  /** Keys held at most (the oldest read goes first; default 10,000). */
  readonly maxEntries?: number;
  /** Metadata reads for keys at once at most; more wait their turn (default 16). */
  readonly maxConcurrentLoads?: number;
  readonly now?: () => number;
  /** A stored key whose secret does not open (another master key, corruption): it counts as unknown. */
  readonly onUnreadable?: (accessKeyId: string, err: unknown) => void;
  /** Each read of a key from metadata, by result (metrics: key-metrics.ts). */
  readonly onLoad?: (result: KeyLoadResult) => void;
}

interface Entry {
  readonly cred?: Credential;
  readonly loadedAt: number;
}

const NONE: KeyPermissions = { read: false, write: false, owner: false };

/**
 * The gateway's view of access keys: the root key from configuration, every other key read from metadata
 * (secret unsealed here) with its grants, cached for a few seconds so a signed request by a known key
 * costs no metadata round trip. Unknown ids are cached too (briefly), concurrent reads of one key are one
 * read, and reads at once are bounded, so a flood of bad keys cannot hammer metadata. This gateway's own
 * admin changes and bucket creations invalidate at once; other gateways' show within the TTL (a denial
 * re-reads grants older than `refreshAfterMs` first, so a fresh grant works at once everywhere).
 */
export class KeyCache implements CredentialStore {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly rootCred: Credential;
  private readonly rootCanonicalId: string;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly refreshAfterMs: number;
  private readonly maxEntries: number;
  private readonly maxLoads: number;
  private readonly now: () => number;
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly opts: KeyCacheOptions) {
    this.rootCanonicalId = canonicalUserId(opts.root.accessKey);
    this.rootCred = { secretKey: opts.root.secretKey, owner: { id: this.rootCanonicalId, displayName: opts.root.accessKey } };
    this.ttlMs = opts.ttlMs ?? 5_000;
    this.negativeTtlMs = opts.negativeTtlMs ?? 2_000;
    this.refreshAfterMs = opts.refreshAfterMs ?? 250;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxLoads = opts.maxConcurrentLoads ?? 16;
    this.now = opts.now ?? Date.now;
  }

  get rootAccessKey(): string {
    return this.opts.root.accessKey;
  }

  isRoot(accessKeyId: string): boolean {
    return accessKeyId === this.opts.root.accessKey;
  }

  lookup(accessKeyId: string): Credential | undefined {
    if (accessKeyId === this.opts.root.accessKey) return this.rootCred;
    return this.entries.get(accessKeyId)?.cred;
  }

  prepare(accessKeyId: string, ctx: CallCtx): Promise<void> | undefined {
    if (accessKeyId === this.opts.root.accessKey) return undefined;
    const e = this.entries.get(accessKeyId);
    if (e && this.now() - e.loadedAt < (e.cred ? this.ttlMs : this.negativeTtlMs)) return undefined;
    return this.load(accessKeyId, ctx);
  }

  invalidate(accessKeyId?: string): void {
    if (accessKeyId === undefined) this.entries.clear();
    else this.entries.delete(accessKeyId);
  }

  async canonicalIdExists(canonicalId: string, ctx: CallCtx): Promise<boolean> {
    if (canonicalId === this.rootCanonicalId) return true;
    return (await this.opts.metadata.getKey({ canonicalId }, { requestId: ctx.requestId })).key !== undefined;
  }

  private load(accessKeyId: string, ctx: CallCtx): Promise<void> {
    let p = this.loading.get(accessKeyId);
    if (!p) {
      // Shared by every request waiting on this key: never tied to one request's abort signal.
      p = this.read(accessKeyId, { requestId: ctx.requestId }).finally(() => this.loading.delete(accessKeyId));
      this.loading.set(accessKeyId, p);
    }
    return p;
  }

  private async read(accessKeyId: string, ctx: CallCtx): Promise<void> {
    await this.turn();
    try {
      const { key, grants } = await this.opts.metadata.getKey({ accessKeyId }, ctx).catch((err: unknown) => {
        this.opts.onLoad?.('error');
        throw err;
      });
      let cred: Credential | undefined;
      if (key) {
        try {
          const secretKey = this.opts.sealer.unseal(key.sealedSecret, key.accessKeyId);
          cred = { secretKey, owner: { id: key.canonicalId, displayName: key.name }, scope: this.scopeOf(accessKeyId, grants) };
        } catch (err) {
          this.opts.onUnreadable?.(accessKeyId, err);
        }
      }
      this.opts.onLoad?.(cred ? 'found' : key ? 'unreadable' : 'unknown');
      this.entries.delete(accessKeyId);
      this.entries.set(accessKeyId, { ...(cred && { cred }), loadedAt: this.now() });
      while (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done) break;
        this.entries.delete(oldest.value);
      }
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }

  private async turn(): Promise<void> {
    if (this.active < this.maxLoads) {
      this.active++;
      return;
    }
    // The finishing read hands its slot over (active stays counted).
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private scopeOf(accessKeyId: string, grants: readonly KeyGrant[]): KeyScope {
    const byBucket = new Map<string, KeyPermissions>();
    for (const g of grants) byBucket.set(g.bucket, { read: g.read, write: g.write, owner: g.owner });
    const loadedAt = this.now();
    return {
      accessKeyId,
      permissions: (bucket) => byBucket.get(bucket) ?? NONE,
      buckets: () => [...byBucket.keys()],
      refresh: async (ctx) => {
        if (this.now() - loadedAt >= this.refreshAfterMs) {
          const current = this.entries.get(accessKeyId);
          // Another request may have re-read the key already.
          if (!current || current.loadedAt <= loadedAt) await this.load(accessKeyId, ctx);
        }
        return this.lookup(accessKeyId)?.scope;
      },
    };
  }
}
