import type { CallCtx, MetadataApi } from '@massive/contracts';
import type { SecretSealer } from './secret-seal';

export interface ResealReport {
  /** Secrets a previous master key opened, now sealed under the current one (by this pass). */
  readonly resealed: number;
  /** Already under the current key, or re-sealed meanwhile by another gateway. */
  readonly current: number;
  /** Open with no configured master key (or corrupt): left as they are, and logged by the caller. */
  readonly unreadable: readonly string[];
}

/**
 * After a master key rotation (MASSIVE_PREVIOUS_MASTER_KEYS set): every access key whose secret only a
 * previous master key opens gets it sealed again under the current one, so that the previous key can
 * leave the configuration without taking the access keys with it. Each key is re-sealed only if its stored
 * seal is still the one read (`resealKey` compares it in the transaction), so gateways running the pass
 * at once, or a key deleted or re-created meanwhile, lose nothing. The secret itself never changes:
 * clients notice nothing.
 */
export async function resealAccessKeys(metadata: Pick<MetadataApi, 'listKeys' | 'getKey' | 'resealKey'>, sealer: SecretSealer, ctx: CallCtx): Promise<ResealReport> {
  let resealed = 0;
  let current = 0;
  const unreadable: string[] = [];
  for (const summary of await metadata.listKeys({}, ctx)) {
    const { key } = await metadata.getKey({ accessKeyId: summary.accessKeyId }, ctx);
    if (!key) continue; // deleted since the listing
    let opened: { readonly secret: string; readonly previous: boolean };
    try {
      opened = sealer.open(key.sealedSecret, key.accessKeyId);
    } catch {
      unreadable.push(key.accessKeyId);
      continue;
    }
    if (!opened.previous) {
      current++;
      continue;
    }
    const done = await metadata.resealKey({ accessKeyId: key.accessKeyId, expected: key.sealedSecret, sealedSecret: sealer.seal(opened.secret, key.accessKeyId) }, ctx);
    if (done.resealed) resealed++;
    else current++;
  }
  return { resealed, current, unreadable };
}
