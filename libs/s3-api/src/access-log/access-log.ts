import { randomBytes } from 'node:crypto';
import { isServiceError, type CallCtx } from '@massive/contracts';
import type { BucketLogging, LogKeyFormat } from '@massive/s3-protocol';
import { Counter, type Registry } from 'prom-client';
import { BucketLookups, type BucketLookupsOptions } from '../http/bucket-lookups';
import { discard, ingest } from '../http/ingest';
import { ingestEncryption, withEncryption, writeEncryption } from '../sse/object-encryption';
import type { S3ApiDeps, S3Request } from '../types';
import { formatLogRecord, logObjectKey, type LogRecordFields } from './log-record';

/**
 * S3 server access logging (PutBucketLogging), delivered as S3 delivers it: on a best-effort basis. Each
 * gateway keeps the records of a logged bucket in memory and writes them as one object into the target
 * bucket when the first of them is `flushMs` old, when they reach `maxBytes`, or when the gateway shuts
 * down gracefully. A crash loses what was not yet written, as AWS documents for its own delivery; a
 * failed write is retried, then its records are dropped and counted, never the logged request failed.
 *
 * The hot path pays a map lookup per request (`record`): a bucket's logging configuration is cached
 * (`BucketLookups`, 5 s like the other bucket caches), and a record's line is built only for a bucket
 * whose logging is on. Log objects are written as the gateway's own writes (the target bucket's default
 * encryption applies), never through the S3 listener, so they are not logged themselves.
 */

/** The stored form of a bucket's logging (the metadata `logging` document). */
export function encodeLoggingDocument(c: BucketLogging): string {
  return JSON.stringify({ v: 1, b: c.TargetBucket, p: c.TargetPrefix, ...(c.TargetObjectKeyFormat && { f: c.TargetObjectKeyFormat }) });
}

export function decodeLoggingDocument(doc: string): BucketLogging {
  const o = JSON.parse(doc) as { v?: unknown; b?: unknown; p?: unknown; f?: unknown };
  if (o.v !== 1 || typeof o.b !== 'string' || typeof o.p !== 'string') throw new Error('stored logging document is unreadable');
  const f = o.f as LogKeyFormat | undefined;
  if (f !== undefined && !(f.kind === 'simple' || (f.kind === 'partitioned' && (f.dateSource === 'EventTime' || f.dateSource === 'DeliveryTime')))) {
    throw new Error('stored logging document is unreadable');
  }
  return { TargetBucket: o.b, TargetPrefix: o.p, ...(f && { TargetObjectKeyFormat: f }), hasTargetGrants: false };
}

/** What the hot path needs of a bucket: its owner (the first field of every record) and where its logs go. */
interface BucketLog {
  readonly ownerId: string;
  readonly target?: BucketLogging;
}

/** The records of one source bucket waiting to be written. */
interface Pending {
  readonly source: string;
  readonly ownerId: string;
  readonly target: BucketLogging;
  readonly lines: string[];
  bytes: number;
  readonly firstAt: number;
  readonly timer: NodeJS.Timeout;
}

export interface AccessLogOptions {
  /** A buffer is written this long after its first record. */
  readonly flushMs: number;
  /** ... or once it holds this many bytes. */
  readonly maxBytes?: number;
  readonly lookups: BucketLookupsOptions;
  readonly registry?: Registry;
  readonly now?: () => number;
}

/** Writes attempted per log object before its records are dropped. */
const ATTEMPTS = 3;
const DEFAULT_MAX_BYTES = 64 * 1024;

export class AccessLogs {
  private readonly configs: BucketLookups<BucketLog>;
  private readonly pending = new Map<string, Pending>();
  private readonly writes = new Set<Promise<void>>();
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly records: Counter;
  private readonly objects: Counter<'result'>;
  private readonly dropped: Counter;

  constructor(
    private readonly deps: S3ApiDeps,
    private readonly opts: AccessLogOptions,
  ) {
    this.configs = new BucketLookups((bucket, ctx) => this.load(bucket, ctx), opts.lookups);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.now = opts.now ?? Date.now;
    const registers = opts.registry ? [opts.registry] : [];
    this.records = new Counter({ name: 's3_access_log_records_total', help: 'Server access log records buffered for delivery', registers });
    this.objects = new Counter({ name: 's3_access_log_objects_total', help: 'Server access log objects written to target buckets, by result', labelNames: ['result'], registers });
    this.dropped = new Counter({ name: 's3_access_log_dropped_records_total', help: 'Server access log records dropped after their object could not be written', registers });
    this.objects.inc({ result: 'ok' }, 0);
    this.objects.inc({ result: 'error' }, 0);
  }

  /**
   * Logs a request to `bucket` if its logging is on. `fields` builds the record and is called only then
   * (possibly after the response, once the configuration is known).
   */
  record(bucket: string, requestId: string, fields: (ownerId: string) => LogRecordFields): void {
    const hit = this.configs.peek(bucket);
    if (hit) {
      if (hit.value.target) this.safely(bucket, requestId, hit.value, fields);
      return;
    }
    this.configs.get(bucket, { requestId }).then(
      (log) => {
        if (log.target) this.safely(bucket, requestId, log, fields);
      },
      () => undefined, // a bucket that does not exist (or cannot be read now) logs nothing
    );
  }

  /** A record that cannot be built is a lost record, never a failed (or crashed) request. */
  private safely(bucket: string, requestId: string, log: BucketLog, fields: (ownerId: string) => LogRecordFields): void {
    try {
      this.add(bucket, log, fields(log.ownerId));
    } catch (err) {
      this.dropped.inc();
      this.deps.logger.warn('access log record dropped: it could not be built', { bucket, requestId, err });
    }
  }

  /**
   * False when `bucket` is known (cached) to have logging off: the hot path then builds nothing at all.
   * True when it is on, or not known yet (`record` looks it up).
   */
  maybeLogged(bucket: string): boolean {
    const hit = this.configs.peek(bucket);
    return hit === undefined || hit.value.target !== undefined;
  }

  /** This gateway changed `bucket`'s logging, or deleted it: the next request reads it again. */
  invalidate(bucket: string): void {
    this.configs.forget(bucket);
  }

  /** Writes everything buffered and waits for every write in flight (graceful shutdown). */
  async flush(): Promise<void> {
    for (const p of [...this.pending.values()]) this.write(p);
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private add(source: string, log: BucketLog, f: LogRecordFields): void {
    const target = log.target!;
    const line = formatLogRecord(f);
    this.records.inc();
    let p = this.pending.get(source);
    if (p && (p.target.TargetBucket !== target.TargetBucket || p.target.TargetPrefix !== target.TargetPrefix)) {
      // The configuration changed: what was buffered goes where it was meant to.
      this.write(p);
      p = undefined;
    }
    if (!p) {
      const timer = setTimeout(() => {
        const current = this.pending.get(source);
        if (current) this.write(current);
      }, this.opts.flushMs);
      timer.unref();
      p = { source, ownerId: log.ownerId, target, lines: [], bytes: 0, firstAt: f.time, timer };
      this.pending.set(source, p);
    }
    p.lines.push(line);
    p.bytes += Buffer.byteLength(line);
    if (p.bytes >= this.maxBytes) this.write(p);
  }

  private write(p: Pending): void {
    clearTimeout(p.timer);
    if (this.pending.get(p.source) === p) this.pending.delete(p.source);
    const done = this.deliver(p).finally(() => this.writes.delete(done));
    this.writes.add(done);
  }

  private async deliver(p: Pending): Promise<void> {
    const body = Buffer.from(p.lines.join(''), 'utf8');
    const unique = randomBytes(8).toString('hex').toUpperCase();
    const key = logObjectKey(
      p.target.TargetPrefix,
      p.target.TargetObjectKeyFormat,
      { deliveryTime: this.now(), eventTime: p.firstAt },
      { ownerId: p.ownerId, region: this.deps.config.region, bucket: p.source },
      unique,
    );
    for (let attempt = 1; ; attempt++) {
      try {
        await this.putLogObject(p.target.TargetBucket, key, body);
        this.objects.inc({ result: 'ok' });
        return;
      } catch (err) {
        this.objects.inc({ result: 'error' });
        if (attempt >= ATTEMPTS) {
          this.dropped.inc(p.lines.length);
          this.deps.logger.warn('access log records dropped: their object could not be written', { source: p.source, target: p.target.TargetBucket, key, records: p.lines.length, err });
          return;
        }
        // Not unref'd: at shutdown this wait is what keeps the process alive until the retry.
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  /** One log object, written as a PutObject of the bucket owner would be (inline or chunks, the bucket's default encryption). */
  private async putLogObject(bucket: string, key: string, body: Buffer): Promise<void> {
    const ctx: CallCtx = { requestId: `access-log-${randomBytes(6).toString('hex')}` };
    const encryption = await writeEncryption({}, bucket, key, this.deps, ctx);
    const req = { headers: {}, query: new URLSearchParams(), ctx, requestId: ctx.requestId } as unknown as S3Request;
    const stored = await ingest(req, this.deps, {
      maxSize: body.length,
      allowInline: true,
      source: (async function* () {
        yield body;
      })(),
      sourceLength: body.length,
      encryption: ingestEncryption(encryption, 0),
    });
    const headers = withEncryption({ contentType: 'text/plain', userMetadata: {} }, encryption);
    try {
      await this.deps.metadata.putObject({ bucket, key, data: stored.data, size: stored.size, etag: stored.etag, headers, withoutData: true }, ctx);
    } catch (err) {
      await discard(stored.data, req, this.deps);
      throw err;
    }
  }

  private async load(bucket: string, ctx: CallCtx): Promise<BucketLog> {
    try {
      const { bucket: b, documents } = await this.deps.metadata.getBucketConfig({ bucket, kinds: ['logging'] }, ctx);
      const doc = documents.logging;
      return { ownerId: b.owner.id, ...(doc !== undefined && { target: decodeLoggingDocument(doc) }) };
    } catch (err) {
      if (isServiceError(err) && err.code === 'NoSuchBucket') return { ownerId: '' };
      throw err;
    }
  }
}

