import { access, constants, mkdir } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import { sharedReadBuffers, type ChunkStore, type ReplicaIdentity } from '@massive/blob-core';
import { SeaweedFsChunkStore } from '@massive/blob-seaweedfs';
import { backgroundCtx } from '@massive/contracts';
import { createDiskMetrics, openSpaceReserve, type Logger } from '@massive/observability';
import { createGrpcClientMetrics, GrpcMetadataClient, loadProtos, parseEndpoints, type RpcSecurity } from '@massive/rpc';
import type { BlobConfig } from './config';
import { openLocalBackend } from './local-backend';

export interface OpenedStore {
  readonly store: ChunkStore;
  /** Local disk: the replica that owns it (Describe announces it; chunk ids name it). Absent: stateless. */
  readonly identity?: ReplicaIdentity;
  /** Local disk: the directory holding the chunk files (its filesystem is checked once the service listens). */
  readonly dir?: string;
  /** Chunk uploads one write keeps in flight: network-bound stores want more than a local disk. */
  readonly writesInFlight?: number;
  /** Readiness of the backend: the data dir is writable, or a SeaweedFS master answers with a leader. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** How to reach the metadata service (seaweedfs records fids there): token and/or TLS. */
  readonly rpcSecurity?: RpcSecurity;
}

/** The chunk store the config asks for. */
export async function openStore(cfg: BlobConfig, deps: StoreDeps): Promise<OpenedStore> {
  if (cfg.backend === 'seaweedfs') return openSeaweed(cfg, deps);
  await mkdir(cfg.dataDir, { recursive: true });
  const reserve = await openSpaceReserve(cfg.dataDir, cfg.reserveSpace, { logger: deps.logger, registry: deps.registry, store: 'blob' });
  const { dir, store, identity } = await openLocalBackend(cfg.dataDir, cfg.replicaId, deps.logger, cfg.diskIo === 'direct', reserve);
  createDiskMetrics(deps.registry, dir, { directIo: () => store.directIo, readBuffers: sharedReadBuffers(), openFiles: () => store.openFiles });
  return {
    store,
    identity,
    dir,
    ready: () =>
      access(dir, constants.W_OK).then(
        () => true,
        () => false,
      ),
    close: async () => store.close(),
  };
}

/**
 * SeaweedFS: stateless (chunk ids are fids). Each fid is recorded under its write intent through the
 * metadata service before upload, so the metadata janitor can reclaim an abandoned write.
 */
function openSeaweed(cfg: BlobConfig, deps: StoreDeps): OpenedStore {
  const metadata = new GrpcMetadataClient({
    definition: loadProtos().metadata,
    targets: parseEndpoints(cfg.metadataEndpoints.join(','), 'MASSIVE_METADATA_ENDPOINTS'),
    metrics: createGrpcClientMetrics(deps.registry),
    defaultTimeoutMs: 10_000,
    ...(deps.rpcSecurity && { security: deps.rpcSecurity }),
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
