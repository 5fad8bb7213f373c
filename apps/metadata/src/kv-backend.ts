import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { withSnapshot, type KvStore } from '@massive/kv';
import { LmdbKv } from '@massive/kv-embedded';
import * as kvTikv from '@massive/kv-tikv';
import { ConfigError, type MetadataConfig } from './config';

/** The KV adapter chosen by MASSIVE_METADATA_BACKEND. */
export async function openKv(cfg: MetadataConfig): Promise<KvStore> {
  if (cfg.backend === 'embedded') {
    await mkdir(cfg.dataDir, { recursive: true });
    return new LmdbKv({ path: join(cfg.dataDir, 'metadata') });
  }
  // Resolved at run time so this service builds before (and after) libs/kv-tikv exports its adapter.
  const TikvKv = (kvTikv as Record<string, unknown>)['TikvKv'];
  if (typeof TikvKv !== 'function') {
    throw new ConfigError('MASSIVE_METADATA_BACKEND=tikv is not available in this build (libs/kv-tikv exports no TikvKv yet): use MASSIVE_METADATA_BACKEND=embedded');
  }
  return new (TikvKv as new (opts: { pdEndpoints: readonly string[] }) => KvStore)({ pdEndpoints: cfg.pdEndpoints });
}

/** Readiness of the store: a snapshot opens within `timeoutMs`. */
export async function kvReady(kv: KvStore, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = withSnapshot(kv, async () => true).catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
