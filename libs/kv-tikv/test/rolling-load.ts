import { randomBytes } from 'node:crypto';
import { KvUnknownOutcomeError, type KvStore } from '@massive/kv';

/**
 * A steady transactional load for restart tests (fake and real clusters): `workers` loops, each
 * writing its own keys (so the last acknowledged value of a key is well defined) and reading them
 * back, while `disturb` restarts stores. Tracks what each key may hold: exactly the acknowledged
 * value, or, after an unacknowledged write, the previous candidates plus the new value (an
 * unknown outcome may have landed); KvUnavailableError / KvConflictError mean "not committed".
 */
export interface RollingReport {
  readonly elapsedMs: number;
  readonly writes: number;
  readonly reads: number;
  /** Reads (during or after the run) that saw something no acknowledged history allows. */
  readonly wrong: string[];
  readonly failures: string[];
  readonly unknownOutcomes: number;
  /** Longest span during which operations kept failing with no success in between. */
  readonly failingForMs: number;
  readonly slowestMs: number;
  /** End times of successful operations (to check the load ran through each restart). */
  readonly successesAt: number[];
}

interface Op {
  readonly kind: 'write' | 'read';
  readonly start: number;
  readonly end: number;
  readonly error?: string;
}

export async function runRollingLoad(
  kv: KvStore,
  disturb: () => Promise<void>,
  opts: { workers?: number; keysPerWorker?: number; prefix?: Buffer } = {},
): Promise<RollingReport> {
  const workers = opts.workers ?? 4;
  const keysPerWorker = opts.keysPerWorker ?? 10;
  const prefix = opts.prefix ?? Buffer.from('rolling/');
  const key = (w: number, i: number) => Buffer.concat([prefix, Buffer.from(`w${w}/k${i}`)]);
  const possible = new Map<string, Set<string | undefined>>();
  const ops: Op[] = [];
  const wrong: string[] = [];
  let unknownOutcomes = 0;
  let stop = false;

  const timed = async <T>(kind: Op['kind'], fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> => {
    const start = Date.now();
    try {
      const value = await fn();
      ops.push({ kind, start, end: Date.now() });
      return { ok: true, value };
    } catch (error) {
      ops.push({ kind, start, end: Date.now(), error: `${(error as Error).name}: ${(error as Error).message}` });
      return { ok: false, error };
    }
  };

  const check = (k: Buffer, got: string | undefined, when: string): void => {
    const may = possible.get(k.toString()) ?? new Set([undefined]);
    if (!may.has(got)) wrong.push(`${when} ${k.toString()} = ${got}, expected one of ${[...may].join(' | ')}`);
    possible.set(k.toString(), new Set([got]));
  };

  const worker = async (w: number): Promise<void> => {
    for (let n = 0; !stop; n++) {
      const k = key(w, n % keysPerWorker);
      const value = `${n}#${randomBytes(6).toString('hex')}`;
      const before = possible.get(k.toString()) ?? new Set([undefined]);
      const put = await timed('write', () => kv.txn(async (tx) => tx.put(k, Buffer.from(value))));
      if (put.ok) possible.set(k.toString(), new Set([value]));
      else if (put.error instanceof KvUnknownOutcomeError) {
        unknownOutcomes++;
        possible.set(k.toString(), new Set([...before, value]));
      }
      const r = key(w, Math.floor(Math.random() * Math.min(n + 1, keysPerWorker)));
      const read = await timed('read', () => kv.txn((tx) => tx.get(r)));
      if (read.ok) check(r, read.value?.toString(), 'read');
    }
  };

  const t0 = Date.now();
  const load = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  try {
    await disturb();
  } finally {
    stop = true;
    await load;
  }
  const elapsedMs = Date.now() - t0;
  for (const k of possible.keys()) {
    const got = await kv.txn((tx) => tx.get(Buffer.from(k)));
    check(Buffer.from(k), got?.toString(), 'final');
  }
  let failingForMs = 0;
  let streak: number | undefined;
  for (const o of [...ops].sort((a, b) => a.end - b.end)) {
    if (o.error) {
      streak ??= o.start;
      failingForMs = Math.max(failingForMs, o.end - streak);
    } else streak = undefined;
  }
  return {
    elapsedMs,
    writes: ops.filter((o) => o.kind === 'write' && !o.error).length,
    reads: ops.filter((o) => o.kind === 'read' && !o.error).length,
    wrong,
    failures: ops.filter((o) => o.error).map((o) => o.error!),
    unknownOutcomes,
    failingForMs,
    slowestMs: Math.max(0, ...ops.map((o) => o.end - o.start)),
    successesAt: ops.filter((o) => !o.error).map((o) => o.end),
  };
}
