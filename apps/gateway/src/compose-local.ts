import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import type { Registry } from 'prom-client';
import { BlobService, LocalDiskStore } from '@massive/blob-core';
import { LmdbKv } from '@massive/kv-embedded';
import { GarbageCollector, MetadataService } from '@massive/metadata-core';
import { createBlobMetrics, type LimitMetrics, type Logger } from '@massive/observability';
import { combineMultipartChecksum } from '@massive/s3-protocol';
import { createS3Api, type CredentialStore } from '@massive/s3-api';
import { s3ApiConfig, type GatewayConfig } from './config';

export interface Composed {
  readonly app: RequestListener;
  /** Background work (GC) starts here, once the server listens. */
  start(): void;
  /** Whether the dependencies answer (readiness, besides draining). */
  dependenciesReady(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ComposeDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Shared by the S3 dispatcher and the HTTP server (one set of limit metrics per registry). */
  readonly limitMetrics: LimitMetrics;
  readonly credentials: CredentialStore;
  readonly draining: () => boolean;
}

/**
 * Local mode: metadata on embedded LMDB and chunks on local disk, wired in-process straight into the S3
 * API (the ports are the service objects: no RPC on the hot path).
 */
export async function composeLocal(cfg: GatewayConfig, deps: ComposeDeps): Promise<Composed> {
  await mkdir(cfg.dataDir, { recursive: true });
  const kv = new LmdbKv({ path: join(cfg.dataDir, 'metadata') });
  const metadata = new MetadataService({ kv, registry: deps.registry, gcGraceMs: cfg.gcGraceMs, checksumCombiner: combineMultipartChecksum });
  const store = new LocalDiskStore(join(cfg.dataDir, 'blobs'));
  const swept = await store.sweepTemp();
  if (swept) deps.logger.info('removed temp files of interrupted writes', { count: swept });
  const blob = new BlobService(store, { chunkSize: cfg.chunkSize, metrics: createBlobMetrics(deps.registry) });
  const gc = new GarbageCollector({
    kv,
    blob,
    registry: deps.registry,
    intervalMs: cfg.gcIntervalMs,
    // One process owns a local data dir: a restart after a crash takes its own lease back at once.
    holderId: 'local-mode',
    onError: (err, loop) => deps.logger.warn('garbage collection pass failed', { loop, err }),
  });
  const app = createS3Api(
    {
      metadata,
      blob,
      credentials: deps.credentials,
      logger: deps.logger,
      config: s3ApiConfig(cfg),
    },
    { registry: deps.registry, limitMetrics: deps.limitMetrics, ready: () => !deps.draining() },
  );
  return {
    app,
    start: () => gc.start(),
    dependenciesReady: async () => true,
    close: async () => {
      await gc.stop();
      await kv.close();
    },
  };
}
