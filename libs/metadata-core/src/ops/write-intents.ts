import { ServiceError, type CallCtx, type WriteIntent } from '@massive/contracts';
import { idBytes, intentExpiryKey, intentKey } from '../keys/keys';
import { codecs } from '../model/records';
import { randomId, type OpDeps } from './deps';

/** Write intents: recorded before any chunk is written, consumed by the commit, reclaimed by the janitor. */

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new ServiceError('InvalidArgument', 'ttlMs must be > 0');
}

export function createWriteIntent(deps: OpDeps, req: { ttlMs: number }, ctx: CallCtx): Promise<WriteIntent> {
  checkTtl(req.ttlMs);
  return deps.txn.run(
    'CreateWriteIntent',
    async (tx) => {
      const intentId = randomId();
      const expiresAt = deps.clock() + req.ttlMs;
      tx.put(intentKey(intentId), codecs.intent.encode({ expiresAt }));
      tx.put(intentExpiryKey(expiresAt, intentId), Buffer.alloc(0));
      return { intentId, expiresAt };
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
      const expired = new ServiceError('IntentExpired', `write intent ${req.intentId} expired or was reclaimed`);
      if (!idBytes(req.intentId)) throw expired;
      const raw = await tx.get(intentKey(req.intentId));
      if (!raw) throw expired;
      const rec = codecs.intent.decodeValue(raw);
      const now = deps.clock();
      if (rec.reclaiming || rec.expiresAt <= now) throw expired;
      const expiresAt = Math.max(rec.expiresAt, now + req.ttlMs);
      tx.delete(intentExpiryKey(rec.expiresAt, req.intentId));
      tx.put(intentKey(req.intentId), codecs.intent.encode({ expiresAt }));
      tx.put(intentExpiryKey(expiresAt, req.intentId), Buffer.alloc(0));
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
      tx.put(intentKey(req.intentId), codecs.intent.encode({ expiresAt }));
      tx.put(intentExpiryKey(expiresAt, req.intentId), Buffer.alloc(0));
    },
    ctx,
  );
}
