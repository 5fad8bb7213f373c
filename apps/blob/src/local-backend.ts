import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { claimReplicaIdentity, LocalDiskStore, ReplicaIdentityError, type ReplicaIdentity } from '@massive/blob-core';
import type { SpaceReserve } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import { ConfigError } from './config';

export interface LocalBackend {
  readonly dir: string;
  readonly store: LocalDiskStore;
  /** What Describe answers: this replica owns the disk and names its chunks `@<replicaId>/...`. */
  readonly identity: ReplicaIdentity;
}

/**
 * The local-disk backend of a blob replica: `<dataDir>/blobs`, bound to `replicaId` on first start (a
 * disk that belongs to another replica is refused), temp files of interrupted writes swept.
 */
export async function openLocalBackend(dataDir: string, replicaId: string, logger: Logger, directIo = true, spaceReserve?: SpaceReserve): Promise<LocalBackend> {
  const dir = join(dataDir, 'blobs');
  await mkdir(dir, { recursive: true });
  let identity: ReplicaIdentity;
  try {
    identity = await claimReplicaIdentity(dir, replicaId);
  } catch (e) {
    throw e instanceof ReplicaIdentityError ? new ConfigError(e.message) : e;
  }
  const store = new LocalDiskStore(dir, {
    replicaId: identity.replicaId,
    directIo,
    spaceReserve,
    onDirectIoRefused: (err) => logger.warn('the filesystem refuses direct I/O: chunk data goes through the page cache', { dir, err }),
  });
  const swept = await store.sweepTemp();
  if (swept) logger.info('removed temp files of interrupted writes', { count: swept });
  return { dir, store, identity };
}
