import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import type { Registry } from 'prom-client';
import { BlobService, LocalDiskStore, sharedReadBuffers, type BlobServiceOptions, type ChunkStore } from '@massive/blob-core';
import { SeaweedFsChunkStore } from '@massive/blob-seaweedfs';
import { backgroundCtx } from '@massive/contracts';
import { LmdbKv, tolerateOrphanLmdbCommitFailures } from '@massive/kv-embedded';
import { GarbageCollector, LifecycleWorker, MetadataService } from '@massive/metadata-core';
import { createBlobMetrics, createDiskMetrics, openSpaceReserve, type DiskSpaceReserve, type LimitMetrics, type Logger } from '@massive/observability';
import { combineMultipartChecksum } from '@massive/s3-protocol';
import { createS3Listeners, type AdminHandler, type CredentialStore, type SseKeys } from '@massive/s3-api';
import { credentialsFor, type IdentitySetup } from './identity';
import { metricsAccess, s3ApiConfig, type GatewayConfig } from './config';

export interface Composed {
  readonly app: RequestListener;
  /** The static website endpoint's listener (served when a website port is configured). */
  readonly website: RequestListener;
  /** Background work (GC) starts here, once the server listens. */
  start(): void;
  /** Whether the dependencies answer (readiness, besides draining). */
  dependenciesReady(): Promise<boolean>;
  close(): Promise<void>;
  /** The admin API (keys, grants), for the admin port; absent with fixed credentials. */
  readonly admin?: AdminHandler;
  /** Where chunk files are kept (local mode on local disk): its filesystem is checked once the server listens. */
  readonly chunkDir?: string;
}

export interface ComposeDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Shared by the S3 dispatcher and the HTTP server (one set of limit metrics per registry). */
  readonly limitMetrics: LimitMetrics;
  /** Fixed credentials (tests), or, with `identity`, keys from metadata under the root key. */
  readonly credentials?: CredentialStore;
  readonly identity?: IdentitySetup;
  /** Master keys for SSE-S3 (derived from the master key: sse-keys.ts); without, SSE requests answer 501. */
  readonly sse?: SseKeys;
  /** Serve the admin API on the S3 port under `/-/admin/` (local mode without an admin port). */
  readonly adminOnS3Port?: boolean;
  readonly draining: () => boolean;
}

/**
 * Local mode: metadata on embedded LMDB and chunks on local disk, wired in-process straight into the S3
 * API (the ports are the service objects: no RPC on the hot path).
 */
export async function composeLocal(cfg: GatewayConfig, deps: ComposeDeps): Promise<Composed> {
  await mkdir(cfg.dataDir, { recursive: true });
  tolerateOrphanLmdbCommitFailures();
  const kv = new LmdbKv({ path: join(cfg.dataDir, 'metadata'), mapSize: cfg.metadataMapBytes });
  // Metadata and chunks share the data dir's filesystem, each with its reserve: the metadata store also
  // counts the pages LMDB freed (deleting small objects makes room for more, never for chunks).
  const reserveDeps = { logger: deps.logger, registry: deps.registry };
  const metadataReserve = await openSpaceReserve(cfg.dataDir, cfg.reserveSpace, { ...reserveDeps, store: 'metadata', reusable: () => kv.reusableBytes() });
  const metadata = new MetadataService({ kv, registry: deps.registry, gcGraceMs: cfg.gcGraceMs, checksumCombiner: combineMultipartChecksum, spaceReserve: metadataReserve });
  const blobReserve = await openSpaceReserve(cfg.dataDir, cfg.reserveSpace, { ...reserveDeps, store: 'blob' });
  const chunks = await openLocalChunkStore(cfg, metadata, deps, blobReserve);
  const blob = new BlobService(chunks.store, { chunkSize: cfg.chunkSize, metrics: createBlobMetrics(deps.registry), ...chunks.options });
  const gc = new GarbageCollector({
    kv,
    blob,
    registry: deps.registry,
    intervalMs: cfg.gcIntervalMs,
    // One process owns a local data dir: a restart after a crash takes its own lease back at once.
    holderId: 'local-mode',
    onError: (err, loop) => deps.logger.warn('garbage collection pass failed', { loop, err }),
  });
  const lifecycle =
    cfg.lifecycleEnabled === 'true'
      ? new LifecycleWorker({
          kv,
          registry: deps.registry,
          gcGraceMs: cfg.gcGraceMs,
          intervalMs: cfg.lifecycleIntervalMs,
          maxRecordsPerPass: cfg.lifecycleMaxRecords,
          holderId: 'local-mode',
          onError: (err, stage) => deps.logger.warn('lifecycle pass failed', { stage, err }),
        })
      : undefined;
  const config = s3ApiConfig(cfg);
  const { credentials, admin, sessions } = credentialsFor(deps, metadata, config);
  const { s3: app, website, flush: flushAccessLogs } = createS3Listeners(
    { metadata, blob, credentials, logger: deps.logger, config, ...(deps.sse && { sse: deps.sse }), ...(sessions && { sessions }) },
    {
      registry: deps.registry,
      limitMetrics: deps.limitMetrics,
      metricsAccess: metricsAccess(cfg),
      ready: async () => !deps.draining() && (await chunks.ready()),
      ...(deps.adminOnS3Port && admin && { admin }),
      websiteDomains: cfg.websiteDomains,
    },
  );
  return {
    app,
    website,
    ...(admin && { admin }),
    ...(chunks.dir !== undefined && { chunkDir: chunks.dir }),
    start: () => {
      gc.start();
      lifecycle?.start();
    },
    dependenciesReady: () => chunks.ready(),
    close: async () => {
      // Buffered access log records are written while metadata and chunks are still open.
      await flushAccessLogs();
      await gc.stop();
      await lifecycle?.stop();
      chunks.close();
      await kv.close();
    },
  };
}

/**
 * Local mode's chunk store: local disk, or SeaweedFS with the in-process MetadataService as the
 * intent log (fids are recorded under their write intent before upload, no RPC involved).
 */
async function openLocalChunkStore(
  cfg: GatewayConfig,
  metadata: MetadataService,
  deps: ComposeDeps,
  spaceReserve: DiskSpaceReserve,
): Promise<{ store: ChunkStore; dir?: string; options: BlobServiceOptions; ready(): Promise<boolean>; close(): void }> {
  if (cfg.blobBackend === 'seaweedfs') {
    const store = new SeaweedFsChunkStore({
      masters: cfg.seaweedMasters,
      collection: cfg.seaweedCollection,
      replication: cfg.seaweedReplication,
      jwtSigningKey: cfg.seaweedJwtSigningKey,
      jwtReadSigningKey: cfg.seaweedJwtReadSigningKey,
      registry: deps.registry,
      log: deps.logger,
      intentLog: { recordChunks: (intentId, chunkIds) => metadata.recordIntentChunks({ intentId, chunkIds }, backgroundCtx('record-fid')) },
    });
    return { store, options: { maxWritesInFlight: 4 }, ready: () => store.reachable(), close: () => store.close() };
  }
  const dir = join(cfg.dataDir, 'blobs');
  const store = new LocalDiskStore(dir, {
    spaceReserve,
    directIo: cfg.diskIo === 'direct',
    onDirectIoRefused: (err) => deps.logger.warn('the filesystem refuses direct I/O: chunk data goes through the page cache', { dir, err }),
  });
  createDiskMetrics(deps.registry, cfg.dataDir, { directIo: () => store.directIo, readBuffers: sharedReadBuffers(), openFiles: () => store.openFiles });
  const swept = await store.sweepTemp();
  if (swept) deps.logger.info('removed temp files of interrupted writes', { count: swept });
  return { store, dir, options: {}, ready: async () => true, close: () => store.close() };
}
