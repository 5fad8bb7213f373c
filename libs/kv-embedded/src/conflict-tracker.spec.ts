import { ConflictTracker } from './conflict-tracker';

describe('ConflictTracker', () => {
  it('flags a key committed after the snapshot and claims keys for clean commits', () => {
    const t = new ConflictTracker(10);
    expect(t.begin()).toBe(10);
    expect(t.claim(10, [['a'], ['lock']])).toBe(11);
    expect(t.claim(10, [['b', 'a']])).toEqual({ conflict: 'a' });
    expect(t.claim(10, [[], ['lock']])).toEqual({ conflict: 'lock' });
    expect(t.claim(10, [['b']])).toBe(12);
  });

  it('forgets entries once no registered or future snapshot is older', () => {
    const t = new ConflictTracker(0);
    t.begin(); // an old reader pins everything after seq 0
    t.begin();
    expect(t.claim(0, [['a', 'b']])).toBe(1);
    t.markResolved(1);
    t.end(0);
    expect(t.size).toBe(2); // the other reader at 0 could still write a or b
    expect(t.claim(0, [['a']])).toEqual({ conflict: 'a' });
    t.end(0);
    expect(t.size).toBe(0);
  });

  it('keeps entries of commits not yet resolved, since new snapshots may not see them', () => {
    const t = new ConflictTracker(5);
    t.begin();
    expect(t.claim(5, [['k']])).toBe(6);
    t.end(5);
    expect(t.size).toBe(1);
    expect(t.begin()).toBe(5); // a snapshot taken before commit 6 became visible
    expect(t.claim(5, [['k']])).toEqual({ conflict: 'k' });
    t.end(5);
    t.markResolved(6);
    expect(t.size).toBe(0);
  });

  it('refuses a snapshot older than what was already forgotten', () => {
    const t = new ConflictTracker(0);
    t.claim(t.begin(), [['k']]);
    t.markResolved(1);
    t.end(0);
    // A snapshot that misses a resolved commit cannot happen with LMDB; if it did, it must not
    // commit blindly since the entries it needs may be gone.
    t.end(t.begin());
    expect(t.claim(0, [['other']])).toEqual({ conflict: '' });
  });

  it('forgets an abandoned claim: a commit that failed conflicts with nobody', () => {
    const t = new ConflictTracker(3);
    t.begin();
    expect(t.claim(3, [['a', 'b'], ['lock']])).toBe(4);
    t.abandon(4); // LMDB wrote nothing (a full disk): the store is still at seq 3
    expect(t.size).toBe(0);
    // The retry of the same transaction, still on a snapshot at 3, commits.
    expect(t.claim(3, [['a', 'b'], ['lock']])).toBe(5);
    t.markResolved(5);
    t.end(3);
    expect(t.size).toBe(0);
  });

  it("gives an abandoned claim's keys back the commits they carried before", () => {
    const t = new ConflictTracker(0);
    t.begin(); // an old reader at 0 keeps commit 1's entries alive
    expect(t.claim(0, [['a']])).toBe(1);
    t.markResolved(1);
    expect(t.claim(1, [['a', 'b'], ['a']])).toBe(2); // a in writes and locks alike
    t.abandon(2);
    expect(t.claim(0, [['a']])).toEqual({ conflict: 'a' }); // commit 1 still counts against the old reader
    expect(t.claim(1, [['b']])).toBe(3); // commit 2 never happened
    expect(t.claim(1, [['a']])).toBe(4);
    t.abandon(99); // unknown or already settled: nothing to do
    t.markResolved(4);
    t.abandon(4);
    expect(t.claim(3, [['a']])).toEqual({ conflict: 'a' });
  });

  it('drops an abandoned key whose earlier commit nobody can conflict with any more', () => {
    const t = new ConflictTracker(0);
    t.begin();
    expect(t.claim(0, [['a']])).toBe(1);
    t.markResolved(1);
    const r = t.begin(); // reads at 1
    expect(t.claim(r, [['a']])).toBe(2);
    t.end(0); // the reader at 0 leaves: commit 1's entry is past the floor now
    t.abandon(2);
    t.end(r);
    expect(t.size).toBe(0);
  });
});
