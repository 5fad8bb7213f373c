import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isReplicaId } from '@massive/contracts';
import { errnoCode, fsyncDir, writeAll } from './fs-io';

/** The file in a blob data directory that records which replica owns the disk. */
export const REPLICA_FILE = 'replica.json';
const FORMAT_VERSION = 1;

export interface ReplicaIdentity {
  /** The replica that owns this disk; its chunk ids are `@<replicaId>/...`. */
  readonly replicaId: string;
  /**
   * The disk held chunks before it was given a replica id (plain `<intentId>.<seq>` ids stored in
   * metadata name them). The replica announces it so clients send such ids to it.
   */
  readonly legacyChunks: boolean;
}

/** A data directory that belongs to another replica, or a replica id that is not a DNS label. */
export class ReplicaIdentityError extends Error {
  override readonly name = 'ReplicaIdentityError';
}

/**
 * Binds a blob data directory to `replicaId`, once: the first start writes `<dir>/replica.json`
 * durably (temp file, fsync, rename, directory fsync); later starts must ask for the same id. A disk
 * moved to a replica with another id is refused: every chunk id stored in metadata names its replica,
 * so serving them under another name would route reads and deletes to the wrong place.
 */
export async function claimReplicaIdentity(dir: string, replicaId: string): Promise<ReplicaIdentity> {
  if (!isReplicaId(replicaId)) {
    throw new ReplicaIdentityError(`blob replica id ${JSON.stringify(replicaId)} is not a DNS label (1-63 of [a-z0-9-], starting and ending with a letter or digit): set MASSIVE_BLOB_REPLICA_ID`);
  }
  const file = join(dir, REPLICA_FILE);
  const existing = await readIdentity(file);
  if (existing) {
    if (existing.replicaId !== replicaId) {
      throw new ReplicaIdentityError(
        `data directory ${dir} belongs to blob replica ${existing.replicaId}, refusing to serve it as ${replicaId}: ` +
          `the chunk ids stored in metadata name ${existing.replicaId}. Start this disk with MASSIVE_BLOB_REPLICA_ID=${existing.replicaId}, or give this replica its own disk`,
      );
    }
    return existing;
  }
  await mkdir(dir, { recursive: true });
  const identity: ReplicaIdentity = { replicaId, legacyChunks: await hasChunks(join(dir, 'chunks')) };
  const temp = join(dir, `.${REPLICA_FILE}.${process.pid}.tmp`);
  const fh = await open(temp, 'w');
  try {
    await writeAll(fh, [Buffer.from(`${JSON.stringify({ version: FORMAT_VERSION, ...identity })}\n`)]);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dir);
  return identity;
}

async function readIdentity(file: string): Promise<ReplicaIdentity | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('version' in parsed) ||
    parsed.version !== FORMAT_VERSION ||
    !('replicaId' in parsed) ||
    typeof parsed.replicaId !== 'string' ||
    !isReplicaId(parsed.replicaId) ||
    !('legacyChunks' in parsed) ||
    typeof parsed.legacyChunks !== 'boolean'
  ) {
    throw new ReplicaIdentityError(`${file} is damaged or of an unknown format (expected {"version":1,"replicaId":...,"legacyChunks":...}); refusing to guess which replica owns this disk`);
  }
  return { replicaId: parsed.replicaId, legacyChunks: parsed.legacyChunks };
}

/** Whether the chunk tree holds anything (fan directories are only created by writes). */
async function hasChunks(root: string): Promise<boolean> {
  try {
    return (await readdir(root)).length > 0;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
}
