import { Worker } from 'node:worker_threads';
import { HASH_NAMES, InlineHashJob, type HashDigests, type HashJob, type HashName, type Hashing } from './hash-job';
import { HASH_WORKER_SOURCE, OP_ABORT, OP_DATA, OP_FINISH, OP_OPEN, OP_WRAP, RECORD_ALIGN, RECORD_HEADER } from './hash-worker-source';

export interface HashPoolOptions {
  /** Hashing threads (each with its own ring); at least 1. */
  readonly threads: number;
  /** Bytes of each thread's ring (a multiple of 16, at least 64 KiB). Default 4 MiB. */
  readonly ringBytes?: number;
  /** Bodies announced smaller than this are hashed on the calling thread. Default 64 KiB. */
  readonly minBytes?: number;
}

const DEFAULT_RING_BYTES = 4 * 1024 * 1024;
const DEFAULT_MIN_BYTES = 64 * 1024;

/**
 * MD5 / SHA-1 / SHA-256 of request bodies on worker threads, so the event loop only copies each byte
 * once into a shared ring instead of hashing it (MD5 alone costs ~1.5 ms of CPU per MiB here, a third
 * of the main thread's time on a 1 MiB PUT). Measured, not assumed: `npm run bench -- --only put1m`.
 *
 * Each thread has one single-producer single-consumer ring in a SharedArrayBuffer: records of
 * `[op, job, length, 0]` (+ data, padded to 16 bytes) written by the event loop, read in order by the
 * worker, which sleeps in `Atomics.wait` when the ring is empty. No message per piece: the head and
 * tail offsets are the only signals, and the worker posts one message per job, its digests. When the
 * ring is full the writer waits (`Atomics.waitAsync` on the tail), which is the body's backpressure.
 * A worker that dies fails its jobs (the request gets a 500, nothing is committed) and the next job
 * starts a new one.
 */
export class HashPool implements Hashing {
  private readonly lanes: (Lane | undefined)[];
  private readonly ringBytes: number;
  private readonly minBytes: number;
  private closed = false;

  constructor(opts: HashPoolOptions) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new RangeError(`hash threads must be a positive integer, got ${opts.threads}`);
    this.ringBytes = opts.ringBytes ?? DEFAULT_RING_BYTES;
    if (this.ringBytes % RECORD_ALIGN !== 0 || this.ringBytes < 64 * 1024) throw new RangeError(`ring bytes must be a multiple of ${RECORD_ALIGN} and at least 64 KiB`);
    this.minBytes = opts.minBytes ?? DEFAULT_MIN_BYTES;
    this.lanes = new Array<Lane | undefined>(opts.threads).fill(undefined);
  }

  open(names: Iterable<HashName>, expectedBytes: number | undefined): HashJob {
    const set = new Set(names);
    if (this.closed || set.size === 0 || (expectedBytes !== undefined && expectedBytes < this.minBytes)) return new InlineHashJob(set);
    return this.lane().open(set);
  }

  /** Stops the threads; jobs still running fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.lanes.map((l) => l?.close()));
  }

  /** The live lane with the fewest jobs (a dead one is replaced). */
  private lane(): Lane {
    let best: Lane | undefined;
    for (let i = 0; i < this.lanes.length; i++) {
      let l = this.lanes[i];
      if (!l || l.dead) l = this.lanes[i] = new Lane(this.ringBytes);
      if (!best || l.active < best.active) best = l;
    }
    return best as Lane;
  }
}

interface Pending {
  readonly op: number;
  readonly job: number;
  readonly arg: number;
  readonly bytes?: Buffer;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

interface JobResult {
  readonly resolve: (d: HashDigests) => void;
  readonly reject: (e: Error) => void;
}

/** One hashing thread and its ring. */
class Lane {
  dead = false;
  private readonly worker: Worker;
  private readonly ring: Buffer;
  private readonly words: Int32Array;
  /** [0] head (written here), [1] tail (written by the worker), [2] stop flag, [3] worker asleep, [4] writer waiting. */
  private readonly ctl: Int32Array;
  private readonly size: number;
  /** The largest data record, so a record always fits a ring that is otherwise empty. */
  private readonly maxPiece: number;
  private head = 0;
  private nextJob = 1;
  private readonly queue: Pending[] = [];
  private waiting = false;
  private readonly results = new Map<number, JobResult>();

  constructor(size: number) {
    const ring = new SharedArrayBuffer(size);
    const ctl = new SharedArrayBuffer(32);
    this.size = size;
    this.maxPiece = Math.floor(size / 4) - RECORD_HEADER;
    this.ring = Buffer.from(ring);
    this.words = new Int32Array(ring);
    this.ctl = new Int32Array(ctl);
    this.worker = new Worker(HASH_WORKER_SOURCE, { eval: true, workerData: { ring, ctl }, name: 'massive-hash' });
    this.worker.on('message', (m: { id: number; digests: Record<string, string> }) => {
      const r = this.results.get(m.id);
      if (!r) return;
      this.results.delete(m.id);
      const out: Partial<Record<HashName, Buffer>> = {};
      for (const n of HASH_NAMES) if (m.digests[n] !== undefined) out[n] = Buffer.from(m.digests[n], 'hex');
      r.resolve(out);
    });
    const fail = (why: string) => this.fail(new Error(`hashing thread ${why}`));
    this.worker.on('error', (e) => fail(`failed: ${e.message}`));
    this.worker.on('exit', (code) => fail(`exited (code ${code})`));
    // After the listeners: adding a 'message' listener refs the worker's port again, and a ref'd port
    // would keep the process from ever exiting (the thread never ends on its own).
    this.worker.unref();
  }

  get active(): number {
    return this.results.size;
  }

  open(names: ReadonlySet<HashName>): HashJob {
    const id = this.nextJob;
    this.nextJob = this.nextJob >= 0x7fffffff ? 1 : this.nextJob + 1;
    let mask = 0;
    HASH_NAMES.forEach((n, i) => {
      if (names.has(n)) mask |= 1 << i;
    });
    const done = new Promise<HashDigests>((resolve, reject) => this.results.set(id, { resolve, reject }));
    done.catch(() => undefined);
    this.send(OP_OPEN, id, mask)?.catch(() => undefined);
    return new PooledHashJob(this, id, names, done);
  }

  /** Ends job `id`: its digests, once the worker has hashed everything sent before. */
  finish(id: number, done: Promise<HashDigests>): Promise<HashDigests> {
    const sent = this.send(OP_FINISH, id, 0);
    return sent ? sent.then(() => done) : done;
  }

  /** Drops job `id`: its digests reject, the worker forgets it. */
  abort(id: number): void {
    const r = this.results.get(id);
    this.results.delete(id);
    r?.reject(new Error('hash job aborted'));
    if (!this.dead) this.send(OP_ABORT, id, 0)?.catch(() => undefined);
  }

  async close(): Promise<void> {
    Atomics.store(this.ctl, 2, 1);
    Atomics.notify(this.ctl, 0);
    await this.worker.terminate();
  }

  /** Sends `bytes` from `from` on as data records; a promise when the ring filled up on the way. */
  feed(job: number, bytes: Buffer, from: number): Promise<void> | undefined {
    for (let at = from; at < bytes.length; ) {
      const piece = bytes.subarray(at, at + this.maxPiece);
      at += piece.length;
      const wait = this.send(OP_DATA, job, piece.length, piece);
      if (wait) return at < bytes.length ? wait.then(() => this.feed(job, bytes, at)) : wait;
    }
    return undefined;
  }

  /** Writes one record now if it fits and nobody is queued before it; otherwise queues it. */
  private send(op: number, job: number, arg: number, bytes?: Buffer): Promise<void> | undefined {
    if (this.dead) return Promise.reject(new Error('hashing thread is gone'));
    if (this.queue.length === 0 && this.write(op, job, arg, bytes)) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ op, job, arg, bytes, resolve, reject });
      this.pump();
    });
  }

  private write(op: number, job: number, arg: number, bytes?: Buffer): boolean {
    const need = RECORD_HEADER + align(bytes?.length ?? 0);
    const tail = Atomics.load(this.ctl, 1);
    let head = this.head;
    const free = this.size - ((head - tail + this.size) % this.size) - RECORD_ALIGN;
    if (head + need > this.size) {
      // The record must be contiguous: mark the rest of the ring skipped and start again at 0.
      if (free < this.size - head + need) return false;
      this.header(head, OP_WRAP, 0, 0);
      head = 0;
    } else if (free < need) {
      return false;
    }
    this.header(head, op, job, arg);
    if (bytes) this.ring.set(bytes, head + RECORD_HEADER);
    head += need;
    this.head = head === this.size ? 0 : head;
    Atomics.store(this.ctl, 0, this.head);
    // A wake-up is a futex call, and can hand this core to the worker: only when it sleeps.
    if (Atomics.load(this.ctl, 3) === 1) Atomics.notify(this.ctl, 0);
    return true;
  }

  private header(at: number, op: number, job: number, arg: number): void {
    const w = at >> 2;
    this.words[w] = op;
    this.words[w + 1] = job;
    this.words[w + 2] = arg;
    this.words[w + 3] = 0;
  }

  /**
   * Writes what is queued, in order, as far as the ring allows; then, if some is left, waits (without
   * blocking the event loop) for the worker to move its tail and tries again. The tail is read before
   * the attempt, so a move between the attempt and the wait makes the wait return at once.
   */
  private pump(): void {
    if (this.waiting || this.dead) return;
    const tail = Atomics.load(this.ctl, 1);
    while (this.queue.length > 0) {
      const p = this.queue[0];
      if (!this.write(p.op, p.job, p.arg, p.bytes)) break;
      this.queue.shift();
      p.resolve();
    }
    if (this.queue.length === 0) return;
    this.waiting = true;
    Atomics.store(this.ctl, 4, 1);
    // The timeout only bounds a wait on a worker that died meanwhile (its lane then fails).
    const w = waitAsync(this.ctl, 1, tail, 1000);
    const again = () => {
      this.waiting = false;
      Atomics.store(this.ctl, 4, 0);
      this.pump();
    };
    if (typeof w.value === 'string') queueMicrotask(again);
    else void w.value.then(again);
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = true;
    for (const r of this.results.values()) r.reject(e);
    this.results.clear();
    for (const p of this.queue.splice(0)) p.reject(e);
  }
}

/** `Atomics.waitAsync` (Node 16+; typed in TypeScript's es2024 lib, newer than ours). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

function align(n: number): number {
  return (n + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1);
}

/** A job of a lane: its bytes go through the lane's ring. */
class PooledHashJob implements HashJob {
  private result?: Promise<HashDigests>;
  private ended = false;

  constructor(
    private readonly lane: Lane,
    private readonly id: number,
    readonly names: ReadonlySet<HashName>,
    private readonly done: Promise<HashDigests>,
  ) {}

  update(bytes: Buffer): Promise<void> | undefined {
    if (this.ended) throw new Error('hash job updated after it ended');
    return this.lane.feed(this.id, bytes, 0);
  }

  digests(): Promise<HashDigests> {
    this.ended = true;
    this.result ??= this.lane.finish(this.id, this.done);
    return this.result;
  }

  abort(): void {
    if (this.result) return;
    this.ended = true;
    this.result = this.done;
    this.lane.abort(this.id);
  }
}
