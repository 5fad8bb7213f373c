import { access, constants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { LocalDiskStore, type ChunkStore } from '@massive/blob-core';
import { SeaweedFsChunkStore } from '@massive/blob-seaweedfs';
import { backgroundCtx } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import { createGrpcClientMetrics, GrpcMetadataClient, loadProtos, parseEndpoints } from '@massive/rpc';
import type { BlobConfig } from './config';

export interface OpenedStore {
  readonly store: ChunkStore;
  /** Chunk uploads one write keeps in flight: network-bound stores want more than a local disk. */
  readonly writesInFlight?: number;
  /** Readiness of the backend: the data dir is writable, or a SeaweedFS master answers with a leader. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** The chunk store the config asks for. */
export async function openStore(cfg: BlobConfig, deps: { logger: Logger; registry: Registry }): Promise<OpenedStore> {
  if (cfg.backend === 'seaweedfs') return openSeaweed(cfg, deps);
  const dir = join(cfg.dataDir, 'blobs');
  await mkdir(dir, { recursive: true });
  const store = new LocalDiskStore(dir);
  const swept = await store.sweepTemp();
  if (swept) deps.logger.info('removed temp files of interrupted writes', { count: swept });
  return {
    store,
    ready: () =>
      access(dir, constants.W_OK).then(
        () => true,
        () => false,
      ),
    close: async () => undefined,
  };
}

/**
 * SeaweedFS: stateless (chunk ids are fids). Each fid is recorded under its write intent through the
 * metadata service before upload, so the metadata janitor can reclaim an abandoned write.
 */
function openSeaweed(cfg: BlobConfig, deps: { logger: Logger; registry: Registry }): OpenedStore {
  const metadata = new GrpcMetadataClient({
    definition: loadProtos().metadata,
    targets: parseEndpoints(cfg.metadataEndpoints.join(','), 'MASSIVE_METADATA_ENDPOINTS'),
    metrics: createGrpcClientMetrics(deps.registry),
    defaultTimeoutMs: 10_000,
  });
  const store = new SeaweedFsChunkStore({
    masters: cfg.seaweedMasters,
    collection: cfg.seaweedCollection,
    replication: cfg.seaweedReplication,
    jwtSigningKey: cfg.seaweedJwtSigningKey,
    jwtReadSigningKey: cfg.seaweedJwtReadSigningKey,
    registry: deps.registry,
    log: deps.logger,
    intentLog: { recordChunks: (intentId, chunkIds) => metadata.recordIntentChunks({ intentId, chunkIds }, backgroundCtx('blob-record-fid')) },
  });
  return {
    store,
    // SeaweedFS's own uploader keeps 4 chunks of a file in flight (reference §3.7); memory ≈ 5 chunks per PUT.
    writesInFlight: 4,
    ready: () => store.reachable(),
    close: async () => {
      store.close();
      metadata.close();
    },
  };
}
