import { ServiceError } from './service-error';

/**
 * Which blob replica a chunk id belongs to (DESIGN.md §5: "a chunk id says where its bytes are").
 *
 * - `@<replicaId>/<local id>`: a **replica-owned** chunk, minted by a blob replica that keeps chunks on
 *   its own disk (local-disk backend in distributed mode). Only that replica can serve or delete it.
 * - anything else: a chunk any blob replica can serve (a SeaweedFS fid, or a local-mode id
 *   `<intentId>.<seq>` written before replica ids existed).
 *
 * A replica id is a DNS label (what a StatefulSet pod's hostname is): 1-63 of `[a-z0-9-]`, starting and
 * ending with a letter or digit.
 */
export const REPLICA_CHUNK_PREFIX = '@';
const REPLICA_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isReplicaId(s: string): boolean {
  return typeof s === 'string' && REPLICA_ID.test(s);
}

export function assertReplicaId(s: string): void {
  if (!isReplicaId(s)) {
    throw new ServiceError('InvalidArgument', `malformed blob replica id ${JSON.stringify(String(s).slice(0, 100))}: 1-63 characters of [a-z0-9-], starting and ending with a letter or digit`);
  }
}

/** The replica that owns `id`, or undefined when any replica serves it. Throws InvalidArgument on `@` ids with a malformed owner. */
export function chunkOwner(id: string): string | undefined {
  if (typeof id !== 'string' || !id.startsWith(REPLICA_CHUNK_PREFIX)) return undefined;
  const slash = id.indexOf('/');
  const owner = slash < 0 ? '' : id.slice(REPLICA_CHUNK_PREFIX.length, slash);
  assertReplicaId(owner);
  return owner;
}

/** `@<replicaId>/<localId>`. */
export function replicaOwnedChunkId(replicaId: string, localId: string): string {
  assertReplicaId(replicaId);
  return `${REPLICA_CHUNK_PREFIX}${replicaId}/${localId}`;
}
