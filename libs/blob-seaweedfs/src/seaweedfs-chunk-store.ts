import { ServiceError } from '@massive/contracts';
import type { Agent } from 'node:http';
import type { Registry } from 'prom-client';
import { assertIntentId, assertSeq, chunkIdOf, parseChunkId, type Fid } from './fid';
import { createAgent, header, type HttpResponse } from './http';
import type { IntentChunkLog } from './intent-chunk-log';
import { MasterClient, type Assignment, type Location } from './masters';
import { createSeaweedMetrics, type SeaweedMetrics } from './metrics';
import { corrupt, dataLengthOf, decodeBlocks, encodeNeedle, needleRangeFor, storedSize, BLOCK_SIZE } from './needle-format';
import { backoffMs, silentLogger, sleep, type Logger } from './util';
import { VolumeClient } from './volume-client';

export interface SeaweedFsChunkStoreOptions {
  /** Master addresses (`host:port` or `http://host:port`); any of them may be a follower. */
  readonly masters: readonly string[];
  /** Records fids under their write intent before upload (metadata's recordIntentChunks). */
  readonly intentLog: IntentChunkLog;
  readonly collection?: string;
  /** `xyz` replica placement; empty means the master's default. */
  readonly replication?: string;
  /** `[jwt.signing] key` of the cluster, if secured (the client then mints write/delete tokens). */
  readonly jwtSigningKey?: string;
  /** `[jwt.signing.read] key`, if reads are secured. */
  readonly jwtReadSigningKey?: string;
  readonly registry?: Registry;
  readonly metrics?: SeaweedMetrics;
  readonly log?: Logger;
  /** Per HTTP request. Default 30 s (a 16 MiB chunk on a slow link). */
  readonly requestTimeoutMs?: number;
  /** Assign retry budget. Default 30 s. */
  readonly assignBudgetMs?: number;
  /** Volume location cache TTL. Default 10 min. */
  readonly lookupTtlMs?: number;
  /** Upload attempts per chunk, each on a fresh fid after the first failure. Default 3. */
  readonly uploadAttempts?: number;
  /** Delete attempts per call (the GC queue retries later after that). Default 4. */
  readonly deleteAttempts?: number;
  /** Pooled keep-alive sockets per server. Default 16. */
  readonly maxSocketsPerHost?: number;
}

/** An assigned fid waiting for its one upload. */
interface Pending {
  readonly intentId: string;
  readonly assignment: Assignment;
  readonly at: number;
}

const PENDING_TTL_MS = 5 * 60_000;

/**
 * The ChunkStore port (libs/blob-core/src/chunk-store.ts) on SeaweedFS, over its HTTP API
 * (../../shared/reference: master /dir/assign and /dir/lookup, volume server PUT/GET/DELETE).
 *
 * - allocate: one assign per chunk (collection, replication, dataSize), then the fid is recorded under
 *   the intent (IntentChunkLog) before anything is uploaded; the id is `sw1:<fid>` (fid.ts).
 * - put: a raw PUT right away (JWT lifetime is 10 s). On a network error, 5xx or 401 (expired JWT) the
 *   fid is deleted best effort (the primary keeps its copy when replication fails), a new fid is
 *   assigned and recorded, and the upload retried: up to `uploadAttempts` fids. `put` then resolves to
 *   the id the chunk really lives under. Write-once: only an id this store allocated and has not yet
 *   written can be put (SeaweedFS itself would overwrite a fid with the same cookie).
 * - read: a Range request for just the blocks the range covers (needle-format.ts), verified; replicas
 *   in turn on a network error, 5xx, 404 or checksum mismatch, then one invalidate-and-relookup. Missing
 *   on every replica is data loss: DataCorrupted, an error log and `seaweedfs_chunks_lost_total`.
 * - delete: idempotent (202 and 404 both mean done), retried with backoff across locations.
 * - deleteIntent is a no-op and listing is not offered: SeaweedFS cannot list needles by owner, so the
 *   intent log is the record, and the janitor deletes the recorded fids itself.
 */
export class SeaweedFsChunkStore {
  readonly metrics: SeaweedMetrics;
  private readonly agent: Agent;
  private readonly masters: MasterClient;
  private readonly volumes: VolumeClient;
  private readonly log: Logger;
  private readonly pending = new Map<string, Pending>();
  private readonly uploadAttempts: number;
  private readonly deleteAttempts: number;

  constructor(private readonly o: SeaweedFsChunkStoreOptions) {
    this.metrics = o.metrics ?? createSeaweedMetrics(o.registry);
    this.agent = createAgent(o.maxSocketsPerHost ?? 16);
    this.log = o.log ?? silentLogger;
    const requestTimeoutMs = o.requestTimeoutMs ?? 30_000;
    this.masters = new MasterClient({
      masters: o.masters,
      agent: this.agent,
      metrics: this.metrics,
      log: this.log,
      requestTimeoutMs: Math.min(requestTimeoutMs, 10_000),
      assignBudgetMs: o.assignBudgetMs,
      lookupTtlMs: o.lookupTtlMs,
    });
    this.volumes = new VolumeClient({
      agent: this.agent,
      metrics: this.metrics,
      requestTimeoutMs,
      signingKey: o.jwtSigningKey || undefined,
      readSigningKey: o.jwtReadSigningKey || undefined,
    });
    this.uploadAttempts = o.uploadAttempts ?? 3;
    this.deleteAttempts = o.deleteAttempts ?? 4;
  }

  async allocate(intentId: string, seq: number, dataSize?: number): Promise<string> {
    assertIntentId(intentId);
    assertSeq(seq);
    this.sweepPending();
    const assignment = await this.assignAndRecord(intentId, dataSize === undefined ? 0 : storedSize(dataSize));
    const id = chunkIdOf(assignment.fid);
    this.pending.set(id, { intentId, assignment, at: Date.now() });
    return id;
  }

  async put(id: string, data: readonly Buffer[]): Promise<string> {
    parseChunkId(id);
    const p = this.pending.get(id);
    if (!p) throw new ServiceError('InvalidArgument', `chunk ${id} was not allocated by this store or is already written (chunks are write-once)`);
    this.pending.delete(id);
    let size = 0;
    for (const b of data) size += b.length;
    const needle = encodeNeedle(data);
    let a = p.assignment;
    let last = '';
    let md5Retried = false;
    for (let attempt = 1; ; attempt++) {
      const r = await this.volumes.upload(a.url, a.fid, needle, a.jwt);
      if (r.kind === 'ok' && (r.res.status === 201 || r.res.status === 204)) {
        this.metrics.uploads.inc({ result: 'ok' });
        this.metrics.bytes.inc({ direction: 'written' }, size);
        return chunkIdOf(a.fid);
      }
      last = r.kind === 'fail' ? r.message : `PUT ${a.url}/${a.fid.fid} answered ${r.res.status}`;
      const status = r.kind === 'fail' ? r.status : r.res.status;
      if (status === 400 && !md5Retried && /Content-MD5/i.test(last)) {
        md5Retried = true; // damaged in transit: send the same bytes once more
        continue;
      }
      if (status !== undefined && status < 500 && status !== 401 && status !== 429) {
        this.metrics.uploads.inc({ result: 'error' });
        throw new ServiceError('Internal', `SeaweedFS refused chunk upload: ${last}`);
      }
      if (attempt >= this.uploadAttempts) break;
      this.metrics.uploads.inc({ result: 'retry' });
      if (status === 429) {
        await sleep(backoffMs(attempt, 200));
        continue;
      }
      // The primary may hold a copy even though the write failed: delete it, then place the chunk anew.
      this.log.warn('seaweedfs upload failed; re-assigning', { fid: a.fid.fid, url: a.url, error: last });
      void this.bestEffortDelete(a);
      this.metrics.reassigns.inc();
      a = await this.assignAndRecord(p.intentId, storedSize(size));
    }
    this.metrics.uploads.inc({ result: 'error' });
    void this.bestEffortDelete(a);
    throw new ServiceError('Unavailable', `SeaweedFS upload failed after ${this.uploadAttempts} attempts: ${last}`);
  }

  async read(id: string, range?: { offset: number; length: number }): Promise<Buffer> {
    const fid = parseChunkId(id);
    if (range) assertRange(range);
    const want = range && range.length > 0 ? needleRangeFor(range.offset, range.length) : undefined;
    const httpRange = range ? (want ?? { start: 0, end: 0 }) : undefined;
    const tried = new Set<string>();
    let missing = 0;
    let lastCorrupt: ServiceError | undefined;
    let last = '';
    for (let round = 0; round < 2; round++) {
      const locations = await this.masters.lookup(fid.volumeId);
      const fresh = locations.filter((l) => !tried.has(l.url));
      if (round === 1 && fresh.length === 0) break;
      for (const loc of fresh) {
        if (tried.size > 0) this.metrics.failovers.inc({ operation: 'read' });
        tried.add(loc.url);
        const r = await this.volumes.read(loc.url, fid, httpRange, undefined, maxBodyFor(range));
        if (r.kind === 'fail') {
          last = r.message;
          continue;
        }
        if (r.res.status === 404) {
          missing++;
          last = `${loc.url} has no needle ${fid.fid}`;
          continue;
        }
        try {
          const out = this.decode(id, r.res, range, want?.first ?? 0);
          this.metrics.reads.inc({ result: 'ok' });
          this.metrics.bytes.inc({ direction: 'read' }, out.length);
          return out;
        } catch (e) {
          if (!(e instanceof ServiceError)) throw e;
          lastCorrupt = e;
          last = e.message;
          this.metrics.errors.inc({ operation: 'read', kind: 'checksum' });
          this.log.error('seaweedfs replica returned corrupt chunk data; trying another replica', { chunkId: id, url: loc.url, error: e.message });
        }
      }
      // Stale locations (a moved or re-registered volume): look up once more, retry only new servers.
      this.masters.invalidate(fid.volumeId);
    }
    this.metrics.reads.inc({ result: 'error' });
    if (lastCorrupt && missing === 0) throw lastCorrupt;
    if (tried.size === 0 || (missing > 0 && missing + (lastCorrupt ? 1 : 0) >= tried.size)) {
      this.metrics.dataLoss.inc();
      this.log.error('DATA LOSS: chunk missing on every SeaweedFS replica', { chunkId: id, replicas: [...tried] });
      throw corrupt(id, `missing on every replica (${tried.size ? [...tried].join(', ') : 'volume not found'})`);
    }
    throw new ServiceError('Unavailable', `no SeaweedFS replica of ${id} answered: ${last}`);
  }

  async delete(id: string): Promise<void> {
    const fid = parseChunkId(id);
    this.pending.delete(id);
    let last = '';
    for (let attempt = 0; attempt < this.deleteAttempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt, 100));
      const locations = await this.masters.lookup(fid.volumeId);
      if (locations.length === 0) {
        this.metrics.deletes.inc({ result: 'absent' });
        return; // the volume is gone: so is the needle
      }
      const primary = locations[attempt % locations.length];
      const r = await this.volumes.delete(primary.url, fid);
      if (r.kind === 'ok' && r.res.status === 404 && locations.length > 1) {
        // Not on this server, which then does not fan the delete out (SeaweedFS's DeleteHandler answers
        // 404 before replicating). Another replica may still hold a copy: an earlier attempt tombstoned
        // this one and failed on a replica, or a crash cut the write between the primary and a replica.
        // Delete it there too, each server on its own (type=replicate), 404 counting as done.
        await this.deleteReplicas(fid, locations.filter((l) => l !== primary));
        return;
      }
      if (r.kind === 'ok' && (r.res.status === 202 || r.res.status === 200 || r.res.status === 204 || r.res.status === 404)) {
        this.metrics.deletes.inc({ result: r.res.status === 404 ? 'absent' : 'deleted' });
        return;
      }
      last = r.kind === 'fail' ? r.message : `DELETE answered ${r.res.status}`;
      if (r.kind === 'fail' && r.status !== undefined && r.status < 500 && r.status !== 429) {
        this.metrics.deletes.inc({ result: 'error' });
        throw new ServiceError('Internal', `SeaweedFS refused a delete: ${last}`);
      }
      this.masters.invalidate(fid.volumeId);
      this.metrics.deletes.inc({ result: 'retry' });
    }
    this.metrics.deletes.inc({ result: 'error' });
    throw new ServiceError('Unavailable', `SeaweedFS delete of ${id} failed (the GC queue retries it): ${last}`);
  }

  /**
   * GC batches: ids grouped by volume (one location lookup per volume, shared through the cache), up to
   * `parallel` deletes in flight. Every id is attempted; if any failed it rejects afterwards with the
   * first error, so the GC queue keeps the batch and retries it (deletes are idempotent).
   */
  async deleteMany(ids: readonly string[], parallel = 16): Promise<void> {
    const byVolume = new Map<number, string[]>();
    for (const id of ids) {
      const { volumeId } = parseChunkId(id);
      byVolume.set(volumeId, [...(byVolume.get(volumeId) ?? []), id]);
    }
    await Promise.all([...byVolume.keys()].map((vid) => this.masters.lookup(vid).catch(() => undefined)));
    const queue = [...byVolume.values()].flat();
    let first: unknown;
    await Promise.all(
      Array.from({ length: Math.min(parallel, queue.length) }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          await this.delete(id).catch((e: unknown) => (first ??= e));
        }
      }),
    );
    if (first !== undefined) throw first;
  }

  /** No-op by design: SeaweedFS cannot find an intent's needles; the janitor deletes the recorded fids. */
  async deleteIntent(intentId: string): Promise<void> {
    assertIntentId(intentId);
  }

  /** Readiness: some master answers with a leader. */
  reachable(signal?: AbortSignal): Promise<boolean> {
    return this.masters.reachable(signal);
  }

  close(): void {
    this.agent.destroy();
  }

  private async assignAndRecord(intentId: string, dataSize: number): Promise<Assignment> {
    const a = await this.masters.assign({ collection: this.o.collection, replication: this.o.replication, dataSize });
    try {
      await this.o.intentLog.recordChunks(intentId, [chunkIdOf(a.fid)]);
    } catch (e) {
      void this.bestEffortDelete(a); // nothing was uploaded, but keep the volume tidy if it was
      throw e;
    }
    return a;
  }

  private async bestEffortDelete(a: Assignment): Promise<void> {
    try {
      await this.volumes.delete(a.url, a.fid, a.jwt);
    } catch {
      // best effort: the recorded intent lets the janitor finish it
    }
  }

  private async deleteReplicas(fid: Fid, others: readonly Location[]): Promise<void> {
    let deleted = false;
    for (const l of others) {
      const r = await this.volumes.delete(l.url, fid, undefined, true);
      if (r.kind === 'fail') throw new ServiceError('Unavailable', `SeaweedFS replica delete failed (the GC queue retries it): ${r.message}`);
      if (r.res.status !== 404) deleted = true;
    }
    this.metrics.deletes.inc({ result: deleted ? 'deleted' : 'absent' });
  }

  private decode(id: string, res: HttpResponse, range: { offset: number; length: number } | undefined, first: number): Buffer {
    if (res.status === 416) throw corrupt(id, 'range past the end of the stored needle');
    let needleSize: number;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header(res, 'content-range') ?? '');
      if (!m) throw corrupt(id, `bad Content-Range ${header(res, 'content-range')}`);
      needleSize = Number(m[3]);
    } else if (res.status === 200) {
      needleSize = res.body.length;
    } else {
      throw new ServiceError('Unavailable', `unexpected status ${res.status} reading ${id}`);
    }
    if (!range) return decodeBlocks(id, res.body, needleSize, 0, 0, undefined);
    if (range.length === 0) {
      const whole = dataLengthOf(needleSize);
      if (whole === undefined) throw corrupt(id, `needle size ${needleSize} fits no chunk layout (truncated or torn)`);
      if (range.offset > whole) throw corrupt(id, `range ${range.offset}+0 is past the chunk's end (${whole} bytes)`);
      return Buffer.alloc(0);
    }
    const raw = res.status === 200 ? res.body.subarray(first * (BLOCK_SIZE + 4)) : res.body;
    return decodeBlocks(id, raw, needleSize, first, range.offset, range.length);
  }

  private sweepPending(): void {
    const cutoff = Date.now() - PENDING_TTL_MS;
    for (const [id, p] of this.pending) {
      if (p.at >= cutoff) break;
      this.pending.delete(id);
    }
  }
}

function assertRange(range: { offset: number; length: number }): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ServiceError('InvalidArgument', `malformed chunk range ${offset}+${length}`);
  }
}

/** Largest sane response for a read: the covered blocks, or a whole needle of the largest chunk (64 MiB). */
function maxBodyFor(range: { offset: number; length: number } | undefined): number {
  const limit = storedSize(64 * 1024 * 1024);
  if (!range || range.length === 0) return limit;
  const r = needleRangeFor(range.offset, range.length);
  return Math.min(limit, r.end - r.start + 1);
}
