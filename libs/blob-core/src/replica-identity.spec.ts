import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDiskStore } from './local-disk-store';
import { claimReplicaIdentity, REPLICA_FILE, ReplicaIdentityError } from './replica-identity';
import { closingStores } from './testing';

/** Stores a test opens are closed after it. */
const keep = closingStores();

describe('claimReplicaIdentity', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blob-core-replica-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('binds a fresh directory to the replica id, and a restart with the same id keeps it', async () => {
    expect(await claimReplicaIdentity(dir, 'massive-blob-0')).toEqual({ replicaId: 'massive-blob-0', legacyChunks: false });
    expect(JSON.parse(await readFile(join(dir, REPLICA_FILE), 'utf8'))).toEqual({ version: 1, replicaId: 'massive-blob-0', legacyChunks: false });
    expect(await claimReplicaIdentity(dir, 'massive-blob-0')).toEqual({ replicaId: 'massive-blob-0', legacyChunks: false });
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a disk that belongs to another replica, naming both', async () => {
    await claimReplicaIdentity(dir, 'massive-blob-0');
    const err = await claimReplicaIdentity(dir, 'massive-blob-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplicaIdentityError);
    expect(String(err)).toMatch(/belongs to blob replica massive-blob-0, refusing to serve it as massive-blob-1/);
  });

  it('refuses replica ids that are not DNS labels', async () => {
    for (const bad of ['', 'Blob_0', 'a.b', '-x']) {
      await expect(claimReplicaIdentity(dir, bad)).rejects.toThrow(/MASSIVE_BLOB_REPLICA_ID/);
    }
  });

  it('refuses a damaged identity file instead of guessing', async () => {
    await writeFile(join(dir, REPLICA_FILE), '{"version":1,"replicaId":');
    await expect(claimReplicaIdentity(dir, 'massive-blob-0')).rejects.toThrow(/damaged or of an unknown format/);
  });

  it('marks a disk that already held chunks (plain ids) as holding legacy chunks', async () => {
    const before = keep(new LocalDiskStore(dir));
    const old = await before.allocate('old-intent', 0);
    await before.put(old, [Buffer.from('kept')]);
    expect(await claimReplicaIdentity(dir, 'massive-blob-0')).toEqual({ replicaId: 'massive-blob-0', legacyChunks: true });
    // The replica serves the old id and mints owned ids for new chunks, on the same disk.
    const after = keep(new LocalDiskStore(dir, { replicaId: 'massive-blob-0' }));
    expect((await after.read(old)).toString()).toBe('kept');
    const fresh = await after.allocate('new-intent', 0);
    expect(fresh).toBe('@massive-blob-0/new-intent.0');
    await after.put(fresh, [Buffer.from('new')]);
    expect((await after.read(fresh)).toString()).toBe('new');
  });
});
