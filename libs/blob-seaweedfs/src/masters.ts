import type { Agent } from 'node:http';
import { ServiceError } from '@massive/contracts';
import { parseFid, type Fid } from './fid';
import { errorText, header, httpCall, HttpTransportError, jsonBody, retryAfterMs, type HttpResponse } from './http';
import type { SeaweedMetrics } from './metrics';
import { backoffMs, sleep, type Logger } from './util';

export interface Assignment {
  readonly fid: Fid;
  /** Volume server `host:port` to upload to. */
  readonly url: string;
  /** The write JWT the master sent (`Authorization: Bearer …`), if the cluster is secured. */
  readonly jwt?: string;
}

export interface AssignOptions {
  readonly collection?: string;
  readonly replication?: string;
  readonly dataSize: number;
}

export interface MasterClientOptions {
  readonly masters: readonly string[];
  readonly agent: Agent;
  readonly metrics: SeaweedMetrics;
  readonly log: Logger;
  /** Per-request timeout. Default 10 s (SeaweedFS's own). */
  readonly requestTimeoutMs?: number;
  /** Total time an assign may keep retrying (network errors, 503, 408). Default 30 s (SeaweedFS's own). */
  readonly assignBudgetMs?: number;
  /** How long looked-up volume locations are trusted. Default 10 min (SeaweedFS's VidCache). */
  readonly lookupTtlMs?: number;
}

/** A volume location as `/dir/lookup` lists it. */
export interface Location {
  readonly url: string;
}

/**
 * The masters: assign (retried within a budget, on the leader when known) and volume lookups through a
 * TTL cache that merges concurrent misses. Any master answers: followers forward assigns to the leader
 * and answer lookups from their own view, so rotating past a dead master is always safe; the leader
 * (`/cluster/status`) is preferred to save the forwarding hop.
 */
export class MasterClient {
  private readonly masters: string[];
  private preferred = 0;
  private leaderCheckedAt = 0;
  private readonly timeoutMs: number;
  private readonly budgetMs: number;
  private readonly ttlMs: number;
  private readonly cache = new Map<number, { at: number; locations: readonly Location[] }>();
  private readonly pending = new Map<number, Promise<readonly Location[]>>();

  constructor(private readonly o: MasterClientOptions) {
    if (o.masters.length === 0) throw new RangeError('at least one SeaweedFS master is needed');
    this.masters = o.masters.map(normaliseUrl);
    this.timeoutMs = o.requestTimeoutMs ?? 10_000;
    this.budgetMs = o.assignBudgetMs ?? 30_000;
    this.ttlMs = o.lookupTtlMs ?? 10 * 60_000;
  }

  /** One fid for one chunk. Unavailable when the cluster cannot place it within the budget. */
  async assign(opts: AssignOptions, signal?: AbortSignal): Promise<Assignment> {
    const q = new URLSearchParams({ count: '1', dataSize: String(opts.dataSize) });
    if (opts.collection) q.set('collection', opts.collection);
    if (opts.replication) q.set('replication', opts.replication);
    const deadline = Date.now() + this.budgetMs;
    let last = 'no answer';
    for (let attempt = 0; ; attempt++) {
      await this.discoverLeader(signal);
      const master = this.masters[this.preferred];
      const stop = this.o.metrics.latency.startTimer({ operation: 'assign' });
      let wait = backoffMs(attempt);
      try {
        const res = await httpCall(this.o.agent, `${master}/dir/assign?${q}`, { method: 'GET', timeoutMs: this.timeoutMs, signal });
        stop();
        if (res.status === 200) {
          const a = this.parseAssign(res);
          this.o.metrics.assigns.inc({ result: 'ok' });
          return a;
        }
        last = `${master} answered ${res.status}: ${errorText(res)}`;
        if (res.status === 406) {
          this.countError('status_4xx');
          // No writable volume (full, or none of this collection/replication): the client should back off.
          throw new ServiceError('Unavailable', `SeaweedFS cannot place a chunk: ${errorText(res)}`, { slowDown: 1 });
        }
        if (res.status !== 503 && res.status !== 408 && res.status < 500) {
          this.countError('status_4xx');
          throw new ServiceError('Internal', `SeaweedFS assign refused (check collection, replication, whitelist): ${last}`);
        }
        this.countError(res.status === 503 ? 'unavailable' : 'status_5xx');
        if (res.status === 503) wait = Math.max(wait, retryAfterMs(res, wait));
      } catch (e) {
        stop();
        if (!(e instanceof HttpTransportError)) throw e;
        if (e.kind === 'aborted') throw e;
        this.countError(e.kind === 'timeout' ? 'timeout' : 'network');
        last = e.message;
        this.rotate();
      }
      this.o.metrics.assigns.inc({ result: 'retry' });
      if (Date.now() + wait > deadline) {
        this.o.metrics.assigns.inc({ result: 'error' });
        throw new ServiceError('Unavailable', `SeaweedFS assign failed for ${Math.round(this.budgetMs / 1000)} s: ${last}`, { slowDown: 1 });
      }
      await sleep(wait, signal);
    }
  }

  /** Volume locations, cached; concurrent misses for one volume share one lookup. */
  async lookup(volumeId: number, signal?: AbortSignal): Promise<readonly Location[]> {
    const hit = this.cache.get(volumeId);
    if (hit && Date.now() - hit.at < this.ttlMs) {
      this.o.metrics.lookupCache.inc({ result: 'hit' });
      return hit.locations;
    }
    const inflight = this.pending.get(volumeId);
    if (inflight) {
      this.o.metrics.lookupCache.inc({ result: 'merged' });
      return inflight;
    }
    this.o.metrics.lookupCache.inc({ result: 'miss' });
    const p = this.fetchLocations(volumeId, signal).finally(() => this.pending.delete(volumeId));
    this.pending.set(volumeId, p);
    return p;
  }

  invalidate(volumeId: number): void {
    this.cache.delete(volumeId);
  }

  /** True when some master answers `/cluster/status` with a leader (readiness). */
  async reachable(signal?: AbortSignal): Promise<boolean> {
    for (let i = 0; i < this.masters.length; i++) {
      const master = this.masters[(this.preferred + i) % this.masters.length];
      try {
        const res = await httpCall(this.o.agent, `${master}/cluster/status`, { method: 'GET', timeoutMs: Math.min(this.timeoutMs, 3000), signal });
        if (res.status === 200 && typeof jsonBody(res)?.Leader === 'string') return true;
      } catch {
        // try the next one
      }
    }
    return false;
  }

  private async fetchLocations(volumeId: number, signal?: AbortSignal): Promise<readonly Location[]> {
    let last = 'no answer';
    for (let i = 0; i < this.masters.length * 2; i++) {
      const master = this.masters[this.preferred];
      const stop = this.o.metrics.latency.startTimer({ operation: 'lookup' });
      try {
        const res = await httpCall(this.o.agent, `${master}/dir/lookup?volumeId=${volumeId}`, { method: 'GET', timeoutMs: this.timeoutMs, signal });
        stop();
        if (res.status === 200) {
          const locations = parseLocations(jsonBody(res)?.locations);
          this.cache.set(volumeId, { at: Date.now(), locations });
          return locations;
        }
        if (res.status === 404) return []; // not cached: a volume may reappear (servers re-registering)
        last = `${master} answered ${res.status}: ${errorText(res)}`;
        this.o.metrics.errors.inc({ operation: 'lookup', kind: res.status === 503 ? 'unavailable' : res.status >= 500 ? 'status_5xx' : 'status_4xx' });
        if (res.status === 503) await sleep(retryAfterMs(res, 200), signal);
        else this.rotate();
      } catch (e) {
        stop();
        if (!(e instanceof HttpTransportError) || e.kind === 'aborted') throw e;
        this.o.metrics.errors.inc({ operation: 'lookup', kind: e.kind === 'timeout' ? 'timeout' : 'network' });
        last = e.message;
        this.rotate();
      }
    }
    throw new ServiceError('Unavailable', `SeaweedFS lookup of volume ${volumeId} failed on every master: ${last}`);
  }

  private parseAssign(res: HttpResponse): Assignment {
    const j = jsonBody(res);
    const fid = typeof j?.fid === 'string' ? parseFid(j.fid) : undefined;
    const url = typeof j?.url === 'string' ? j.url : undefined;
    if (!fid || !url || !isHostPort(url)) {
      this.countError('status_5xx');
      throw new ServiceError('Internal', `SeaweedFS assign gave an unusable answer: ${res.body.toString('utf8').slice(0, 200)}`);
    }
    const auth = header(res, 'authorization');
    const jwt = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '') : undefined;
    return { fid, url, ...(jwt && { jwt }) };
  }

  /** Asks `/cluster/status` who leads, at most every 5 s; a follower still works if this fails. */
  private async discoverLeader(signal?: AbortSignal): Promise<void> {
    if (this.masters.length < 2 || Date.now() - this.leaderCheckedAt < 5000) return;
    this.leaderCheckedAt = Date.now();
    try {
      const master = this.masters[this.preferred];
      const res = await httpCall(this.o.agent, `${master}/cluster/status`, { method: 'GET', timeoutMs: Math.min(this.timeoutMs, 2000), signal });
      const leader = jsonBody(res)?.Leader;
      if (typeof leader !== 'string') return;
      const i = this.masters.findIndex((m) => m.endsWith(`//${leader}`));
      if (i >= 0 && i !== this.preferred) {
        this.o.log.info('seaweedfs master leader found', { leader });
        this.preferred = i;
      }
    } catch {
      this.rotate();
    }
  }

  private rotate(): void {
    this.preferred = (this.preferred + 1) % this.masters.length;
    this.leaderCheckedAt = 0;
    if (this.masters.length > 1) this.o.metrics.failovers.inc({ operation: 'master' });
  }

  private countError(kind: 'network' | 'timeout' | 'status_4xx' | 'status_5xx' | 'unavailable'): void {
    this.o.metrics.errors.inc({ operation: 'assign', kind });
  }
}

function parseLocations(v: unknown): Location[] {
  if (!Array.isArray(v)) return [];
  const out: Location[] = [];
  for (const l of v) {
    const url: unknown = typeof l === 'object' && l !== null ? (l as { url?: unknown }).url : undefined;
    if (typeof url === 'string' && isHostPort(url)) out.push({ url });
  }
  return out;
}

/** `host:port` exactly (what masters print for volume servers); anything else is not turned into a URL. */
export function isHostPort(s: string): boolean {
  return /^[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$/.test(s) || /^\[[0-9a-fA-F:.]+\]:[0-9]{1,5}$/.test(s);
}

/** `host:port` or `http://host:port` → `http://host:port` (no trailing slash). */
export function normaliseUrl(s: string): string {
  const t = s.trim().replace(/\/+$/, '');
  const url = /^https?:\/\//.test(t) ? t : `http://${t}`;
  const u = new URL(url);
  if (u.protocol !== 'http:' || u.pathname !== '/' || u.search) throw new RangeError(`not a SeaweedFS master address: ${s}`);
  return `http://${u.host}`;
}
