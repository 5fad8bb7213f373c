import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { withSnapshot, type KvStore } from '@massive/kv';
import { LmdbKv, tolerateOrphanLmdbCommitFailures } from '@massive/kv-embedded';
import { TikvKv } from '@massive/kv-tikv';
import type { MetadataConfig } from './config';

/** The KV adapter chosen by MASSIVE_METADATA_BACKEND. */
export async function openKv(cfg: MetadataConfig, registry?: Registry): Promise<KvStore> {
  if (cfg.backend === 'embedded') {
    await mkdir(cfg.dataDir, { recursive: true });
    tolerateOrphanLmdbCommitFailures();
    return new LmdbKv({ path: join(cfg.dataDir, 'metadata'), mapSize: cfg.metadataMapBytes });
  }
  return TikvKv.connect({ pdEndpoints: cfg.pdEndpoints, registry });
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
