import { HandleCache } from './handle-cache';

/** A fake file: open and closed counts per name. */
class Files {
  readonly opened: string[] = [];
  readonly closed: string[] = [];
  private n = 0;

  open(name: string): () => Promise<{ name: string; serial: number }> {
    return async () => {
      this.opened.push(name);
      return { name, serial: this.n++ };
    };
  }

  get openNow(): string[] {
    const left = [...this.opened];
    for (const c of this.closed) left.splice(left.indexOf(c), 1);
    return left.sort();
  }
}

function cache(files: Files, capacity = 4, idleMs = 60_000): HandleCache<{ name: string; serial: number }> {
  return new HandleCache({ capacity, idleMs, close: async (h) => void files.closed.push(h.name) });
}

const settle = () => new Promise((r) => setImmediate(r));

describe('HandleCache', () => {
  it('opens a key once for uses in a row and for uses that overlap its open', async () => {
    const files = new Files();
    const c = cache(files);
    const [a, b] = await Promise.all([c.acquire('x', files.open('x')), c.acquire('x', files.open('x'))]);
    expect(a.value).toBe(b.value);
    a.release();
    b.release();
    const again = await c.acquire('x', files.open('x'));
    expect(again.value).toBe(a.value);
    again.release();
    expect(files.opened).toEqual(['x']);
    expect(c.hits).toBe(2);
    expect(files.closed).toEqual([]);
  });

  it('evicting a key in use closes it when the last user lets go, and the next use opens it again', async () => {
    const files = new Files();
    const c = cache(files);
    const a = await c.acquire('x', files.open('x'));
    const b = await c.acquire('x', files.open('x'));
    c.evict('x');
    a.release();
    a.release(); // a second release of the same lease counts once
    await settle();
    expect(files.closed).toEqual([]);
    b.release();
    await settle();
    expect(files.closed).toEqual(['x']);
    const fresh = await c.acquire('x', files.open('x'));
    expect(fresh.value.serial).not.toBe(a.value.serial);
    fresh.release();
  });

  it('an open still in flight when its key is evicted serves its waiters, then closes and is never kept', async () => {
    const files = new Files();
    const c = cache(files);
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    const slow = async () => {
      await gate;
      return files.open('x')();
    };
    const pending = c.acquire('x', slow);
    c.evict('x'); // the file is deleted while it is being opened
    finish();
    const lease = await pending;
    expect(lease.value.name).toBe('x');
    lease.release();
    await settle();
    expect(files.closed).toEqual(['x']);
    expect(c.size).toBe(0);
    const next = await c.acquire('x', files.open('x'));
    expect(files.opened).toEqual(['x', 'x']);
    next.release();
  });

  it('a failed open is not kept: every waiter sees the error and the next use tries again', async () => {
    const files = new Files();
    const c = cache(files);
    const failing = async (): Promise<{ name: string; serial: number }> => {
      throw new Error('ENOENT');
    };
    const both = await Promise.allSettled([c.acquire('x', failing), c.acquire('x', failing)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await settle();
    expect(c.size).toBe(0);
    const ok = await c.acquire('x', files.open('x'));
    expect(ok.value.name).toBe('x');
    ok.release();
  });

  it('keeps at most `capacity` entries, dropping the least recently used; one in use closes once released', async () => {
    const files = new Files();
    const c = cache(files, 2);
    const a = await c.acquire('a', files.open('a'));
    (await c.acquire('b', files.open('b'))).release();
    a.release();
    (await c.acquire('a', files.open('a'))).release(); // a is now the most recently used
    const held = await c.acquire('b', files.open('b'));
    (await c.acquire('c', files.open('c'))).release(); // drops a, the least recently used
    await settle();
    expect(files.closed).toEqual(['a']);
    (await c.acquire('d', files.open('d'))).release(); // drops b, though in use
    await settle();
    expect(files.closed).toEqual(['a']);
    held.release();
    await settle();
    expect(files.closed).toEqual(['a', 'b']);
    expect(files.openNow).toEqual(['c', 'd']);
    expect(c.size).toBe(2);
  });

  it('closes what nobody used for idleMs, and nothing in use', async () => {
    const files = new Files();
    const c = cache(files, 4, 40);
    (await c.acquire('idle', files.open('idle'))).release();
    const busy = await c.acquire('busy', files.open('busy'));
    await new Promise((r) => setTimeout(r, 200));
    expect(files.closed).toEqual(['idle']);
    busy.release();
    await new Promise((r) => setTimeout(r, 200));
    expect(files.openNow).toEqual([]);
    expect(c.size).toBe(0);
  });

  it('evictWhere and clear drop what they name; capacity 0 keeps nothing', async () => {
    const files = new Files();
    const c = cache(files);
    for (const k of ['i1.0', 'i1.1', 'i2.0']) (await c.acquire(k, files.open(k))).release();
    c.evictWhere((k) => k.startsWith('i1.'));
    await settle();
    expect(files.openNow).toEqual(['i2.0']);
    c.clear();
    await settle();
    expect(files.openNow).toEqual([]);

    const none = cache(files, 0);
    const l = await none.acquire('z', files.open('z'));
    expect(none.size).toBe(0);
    l.release();
    await settle();
    expect(files.openNow).toEqual([]);
  });
});
