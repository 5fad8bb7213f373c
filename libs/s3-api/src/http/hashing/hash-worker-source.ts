import { HASH_NAMES } from './hash-job';

/** Ring record layout shared by hash-pool.ts (writer) and the worker below (reader). */
export const RECORD_HEADER = 16;
export const RECORD_ALIGN = 16;
/** `[OP_OPEN, job, mask of HASH_NAMES]`: start a job. */
export const OP_OPEN = 1;
/** `[OP_DATA, job, length]` + the bytes: hash them. */
export const OP_DATA = 2;
/** `[OP_FINISH, job]`: post the job's digests. */
export const OP_FINISH = 3;
/** `[OP_ABORT, job]`: forget the job. */
export const OP_ABORT = 4;
/** `[OP_WRAP]`: the next record is at offset 0. */
export const OP_WRAP = 5;

/**
 * The hashing thread (run with `eval: true`, so it needs no file of its own in dist/ or under ts-jest).
 * It reads records from the ring between its tail and the writer's head, sleeping in Atomics.wait when
 * there are none, and answers each finished job with one message of hex digests. Names are in the
 * order of HASH_NAMES (bit i of the mask).
 */
export const HASH_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const NAMES = ${JSON.stringify(HASH_NAMES)};
const ring = Buffer.from(workerData.ring);
const words = new Int32Array(workerData.ring);
const ctl = new Int32Array(workerData.ctl);
const size = workerData.ring.byteLength;
const jobs = new Map();
let tail = Atomics.load(ctl, 1);
while (Atomics.load(ctl, 2) === 0) {
  const head = Atomics.load(ctl, 0);
  if (head === tail) {
    // Say we sleep, then sleep unless the head moved meanwhile: a writer that stores the head and then
    // sees the flag wakes us; one that stored it before we read it makes the wait return at once.
    Atomics.store(ctl, 3, 1);
    Atomics.wait(ctl, 0, head);
    Atomics.store(ctl, 3, 0);
    continue;
  }
  const w = tail >> 2;
  const op = words[w];
  const id = words[w + 1];
  const arg = words[w + 2];
  let next = tail + ${RECORD_HEADER};
  if (op === ${OP_OPEN}) {
    jobs.set(id, NAMES.filter((_, i) => (arg & (1 << i)) !== 0).map((n) => [n, createHash(n)]));
  } else if (op === ${OP_DATA}) {
    const job = jobs.get(id);
    if (job) {
      const bytes = ring.subarray(next, next + arg);
      for (const [, h] of job) h.update(bytes);
    }
    next += (arg + ${RECORD_ALIGN - 1}) & ~${RECORD_ALIGN - 1};
  } else if (op === ${OP_FINISH}) {
    const job = jobs.get(id);
    jobs.delete(id);
    const digests = {};
    if (job) for (const [n, h] of job) digests[n] = h.digest('hex');
    parentPort.postMessage({ id, digests });
  } else if (op === ${OP_ABORT}) {
    jobs.delete(id);
  } else if (op === ${OP_WRAP}) {
    next = 0;
  } else {
    throw new Error('hash ring corrupt: op ' + op + ' at ' + tail);
  }
  tail = next === size ? 0 : next;
  Atomics.store(ctl, 1, tail);
  if (Atomics.load(ctl, 4) === 1) Atomics.notify(ctl, 1);
}
`;
