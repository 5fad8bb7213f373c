import { MAX_WRITE_INTENTS_PER_CALL, ServiceError, type CallCtx, type WriteIntent } from '@massive/contracts';
import type { KvTxn } from '@massive/kv';
import { idBytes, intentChunkKey, intentExpiryKey, intentKey } from '../keys/keys';
import { codecs } from '../model/records';
import { randomId, type OpDeps } from './deps';
import { intentExpired } from './common';

/** Write intents: recorded before any chunk is written, consumed by the commit, reclaimed by the janitor. */

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new ServiceError('InvalidArgument', 'ttlMs must be > 0');
}

/** An intent's record and its entry in the expiry index the janitor scans (always written together). */
function putIntent(tx: KvTxn, intentId: string, expiresAt: number): void {
  tx.put(intentKey(intentId), codecs.intent.encode({ expiresAt }));
  tx.put(intentExpiryKey(expiresAt, intentId), Buffer.alloc(0));
}

/** A new intent with a fresh id. */
function newIntent(tx: KvTxn, expiresAt: number): WriteIntent {
  const intentId = randomId();
  putIntent(tx, intentId, expiresAt);
  return { intentId, expiresAt };
}

export async function createWriteIntent(deps: OpDeps, req: { ttlMs: number }, ctx: CallCtx): Promise<WriteIntent> {
  checkTtl(req.ttlMs);
  return deps.txn.run(
    'CreateWriteIntent',
    async (tx) => newIntent(tx, deps.clock() + req.ttlMs),
    ctx,
  );
}

/** `count` intents in one transaction (an intent pool's refill): the same records createWriteIntent writes. */
export async function createWriteIntents(deps: OpDeps, req: { ttlMs: number; count: number }, ctx: CallCtx): Promise<WriteIntent[]> {
  checkTtl(req.ttlMs);
  if (!Number.isInteger(req.count) || req.count < 1 || req.count > MAX_WRITE_INTENTS_PER_CALL) {
    throw new ServiceError('InvalidArgument', `count must be an integer in 1..${MAX_WRITE_INTENTS_PER_CALL}, got ${req.count}`);
  }
  return deps.txn.run(
    'CreateWriteIntents',
    async (tx) => {
      const expiresAt = deps.clock() + req.ttlMs;
      return Array.from({ length: req.count }, () => newIntent(tx, expiresAt));
    },
    ctx,
  );
}

/** Fails IntentExpired once the intent expired or the janitor started on it: it can never be revived. */
export function renewWriteIntent(
  deps: OpDeps,
  req: { intentId: string; ttlMs: number },
  ctx: CallCtx,
): Promise<WriteIntent> {
  checkTtl(req.ttlMs);
  return deps.txn.run(
    'RenewWriteIntent',
    async (tx) => {
      if (!idBytes(req.intentId)) throw intentExpired(req.intentId);
      const raw = await tx.get(intentKey(req.intentId));
      if (!raw) throw intentExpired(req.intentId);
      const rec = codecs.intent.decodeValue(raw);
      const now = deps.clock();
      if (rec.reclaiming || rec.expiresAt <= now) throw intentExpired(req.intentId);
      const expiresAt = Math.max(rec.expiresAt, now + req.ttlMs);
      tx.delete(intentExpiryKey(rec.expiresAt, req.intentId));
      putIntent(tx, req.intentId, expiresAt);
      return { intentId: req.intentId, expiresAt };
    },
    ctx,
  );
}

/** Makes the intent due now, so the janitor reclaims its chunks on its next pass. Idempotent. */
export function abandonWriteIntent(deps: OpDeps, req: { intentId: string }, ctx: CallCtx): Promise<void> {
  return deps.txn.run(
    'AbandonWriteIntent',
    async (tx) => {
      if (!idBytes(req.intentId)) return;
      const raw = await tx.get(intentKey(req.intentId));
      if (!raw) return;
      const rec = codecs.intent.decodeValue(raw);
      const now = deps.clock();
      if (rec.reclaiming || rec.expiresAt <= now) return;
      // Expire it in the past so a commit racing this call fails (expiresAt <= now is expired).
      const expiresAt = now - 1;
      tx.delete(intentExpiryKey(rec.expiresAt, req.intentId));
      putIntent(tx, req.intentId, expiresAt);
    },
    ctx,
  );
}

/** At most this many chunk ids per `recordIntentChunks` call, each at most MAX_RECORDED_CHUNK_ID bytes. */
export const MAX_RECORDED_CHUNKS = 1000;
export const MAX_RECORDED_CHUNK_ID = 256;

/**
 * Records chunk ids under a live intent before their data is written (stores that learn an id only
 * from a remote allocator, e.g. SeaweedFS fids). The commit consumes the records; the janitor deletes
 * the recorded chunks of an abandoned intent. Fails IntentExpired once the intent is gone, expired or
 * being reclaimed, so nothing is ever written under an intent the janitor has already swept. The intent
 * record is rewritten unchanged so this transaction conflicts with a concurrent janitor claim.
 */
export async function recordIntentChunks(
  deps: OpDeps,
  req: { intentId: string; chunkIds: readonly string[] },
  ctx: CallCtx,
): Promise<void> {
  if (req.chunkIds.length > MAX_RECORDED_CHUNKS) {
    throw new ServiceError('InvalidArgument', `at most ${MAX_RECORDED_CHUNKS} chunk ids per call`);
  }
  for (const id of req.chunkIds) {
    if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > MAX_RECORDED_CHUNK_ID) {
      throw new ServiceError('InvalidArgument', `malformed chunk id ${JSON.stringify(String(id).slice(0, 100))}`);
    }
  }
  return deps.txn.run(
    'RecordIntentChunks',
    async (tx) => {
      if (!idBytes(req.intentId)) throw intentExpired(req.intentId);
      const raw = await tx.get(intentKey(req.intentId));
      if (!raw) throw intentExpired(req.intentId);
      const rec = codecs.intent.decodeValue(raw);
      if (rec.reclaiming || rec.expiresAt <= deps.clock()) throw intentExpired(req.intentId);
      tx.put(intentKey(req.intentId), raw);
      for (const id of req.chunkIds) tx.put(intentChunkKey(req.intentId, id), RECORDED);
    },
    ctx,
  );
}

/** Value of a recorded-chunk key: just the format-version byte. */
const RECORDED = Buffer.from([0x01]);
