import { DirSyncer, KeptDirs } from './dir-sync';

/** An fsync stand-in whose calls complete only when the test says so. */
function manualFsync() {
  const calls: { dir: string; startedAt: number; done: (e?: Error) => void }[] = [];
  let clock = 0;
  const fsync = (dir: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ dir, startedAt: clock++, done: (e) => (e ? reject(e) : resolve()) });
    });
  return { calls, fsync, tick: () => clock++ };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('DirSyncer', () => {
  it('one caller: one fsync', async () => {
    const f = manualFsync();
    const s = new DirSyncer(f.fsync);
    const p = s.sync('/a');
    expect(f.calls).toHaveLength(1);
    f.calls[0].done();
    await p;
  });

  it('callers arriving during a running sync share one later sync, never the running one', async () => {
    const f = manualFsync();
    const s = new DirSyncer(f.fsync);
    const resolved: string[] = [];
    const first = s.sync('/a').then(() => resolved.push('first'));
    const late = Array.from({ length: 5 }, (_, i) => s.sync('/a').then(() => resolved.push(`late${i}`)));
    expect(f.calls).toHaveLength(1);
    f.calls[0].done();
    await first;
    await flush();
    // The late callers are not covered by the sync that was already running when they arrived.
    expect(resolved).toEqual(['first']);
    expect(f.calls).toHaveLength(2);
    f.calls[1].done();
    await Promise.all(late);
    expect(resolved).toHaveLength(6);
    expect(f.calls).toHaveLength(2);
  });

  it('different directories sync independently', async () => {
    const f = manualFsync();
    const s = new DirSyncer(f.fsync);
    const a = s.sync('/a');
    const b = s.sync('/b');
    expect(f.calls.map((c) => c.dir)).toEqual(['/a', '/b']);
    f.calls[1].done();
    await b;
    f.calls[0].done();
    await a;
  });

  it('a failed fsync rejects the callers it covered; later callers get a fresh attempt', async () => {
    const f = manualFsync();
    const s = new DirSyncer(f.fsync);
    const failed = s.sync('/a');
    const later = s.sync('/a');
    f.calls[0].done(new Error('EIO'));
    await expect(failed).rejects.toThrow('EIO');
    await flush();
    expect(f.calls).toHaveLength(2);
    f.calls[1].done();
    await expect(later).resolves.toBeUndefined();
    // Idle again: the next caller starts at once.
    const again = s.sync('/a');
    expect(f.calls).toHaveLength(3);
    f.calls[2].done();
    await again;
  });
});

describe('KeptDirs', () => {
  it('keeps one descriptor per directory; a failed open keeps nothing and the next sync opens afresh; close() drops them', async () => {
    const { mkdtemp, mkdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = await mkdtemp(join(tmpdir(), 'kept-dirs-'));
    const dirs = new KeptDirs();
    try {
      await dirs.fsync(root);
      await dirs.fsync(root);
      expect(dirs.size).toBe(1);
      const missing = join(root, 'later');
      await expect(dirs.fsync(missing)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(dirs.size).toBe(1);
      await mkdir(missing);
      await dirs.fsync(missing);
      expect(dirs.size).toBe(2);
      dirs.close();
      expect(dirs.size).toBe(0);
      await dirs.fsync(root);
      expect(dirs.size).toBe(1);
    } finally {
      dirs.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
