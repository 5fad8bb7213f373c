/** The MVCC engine against TiKV's transaction semantics (actions/*.rs), without gRPC. */
import { MAX_U64, composeTs } from './codec';
import { MvccStore } from './mvcc';
import { Percolator } from './percolator';
import { Action, ConflictReason, Op } from './types';

const k = (s: string): Buffer => Buffer.from(s);
const ts = (ms: number, logical = 0): bigint => composeTs(BigInt(ms), BigInt(logical));

function setup() {
  const store = new MvccStore();
  const txn = new Percolator(store);
  const prewrite = (startTs: bigint, primary: string, muts: [number, string, string?][], ttl = 3000n) =>
    txn.prewrite({
      mutations: muts.map(([op, key, value]) => ({ op, key: k(key), value: value === undefined ? undefined : k(value) })),
      primary: k(primary),
      startTs,
      ttl,
      txnSize: BigInt(muts.length),
      minCommitTs: 0n,
      skipConstraintCheck: false,
    });
  const put = (startTs: bigint, commitTs: bigint, pairs: Record<string, string>) => {
    const keys = Object.keys(pairs);
    expect(prewrite(startTs, keys[0], keys.map((key) => [Op.Put, key, pairs[key]] as [number, string, string]))).toEqual([]);
    expect(txn.commit(keys.map(k), startTs, commitTs)).toBeUndefined();
  };
  const value = (key: string, at: bigint) => {
    const r = store.read(k(key), at);
    return r.kind === 'value' ? r.value.toString() : r.kind;
  };
  return { store, txn, prewrite, put, value };
}

describe('snapshot reads', () => {
  test('see the newest Put/Delete committed at or before the read ts; Lock and Rollback records are skipped', () => {
    const { txn, prewrite, put, value } = setup();
    put(ts(10), ts(11), { a: 'v1' });
    put(ts(20), ts(21), { a: 'v2' });
    expect(prewrite(ts(30), 'a', [[Op.Lock, 'a']])).toEqual([]);
    expect(txn.commit([k('a')], ts(30), ts(31))).toBeUndefined();
    expect(txn.batchRollback([k('a')], ts(40))).toBeUndefined();
    expect(value('a', ts(10))).toBe('none');
    expect(value('a', ts(11))).toBe('v1');
    expect(value('a', ts(20, 5))).toBe('v1');
    expect(value('a', ts(50))).toBe('v2');
    expect(prewrite(ts(60), 'a', [[Op.Del, 'a']])).toEqual([]);
    expect(txn.commit([k('a')], ts(60), ts(61))).toBeUndefined();
    expect(value('a', ts(61))).toBe('none');
    expect(value('a', ts(59))).toBe('v2');
  });

  test('a Put/Del lock with start_ts <= read ts blocks; newer locks, Lock-type locks and resolved_locks do not', () => {
    const { store, prewrite, put } = setup();
    put(ts(1), ts(2), { a: 'old', b: 'old' });
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', 'new'], [Op.Lock, 'b']])).toEqual([]);
    expect(store.read(k('a'), ts(10)).kind).toBe('locked');
    expect(store.read(k('a'), ts(20)).kind).toBe('locked');
    expect(store.read(k('a'), ts(9)).kind).toBe('value');
    expect(store.read(k('b'), ts(20)).kind).toBe('value');
    expect(store.read(k('a'), ts(20), { resolved: new Set([ts(10)]) })).toMatchObject({ kind: 'value', value: k('old') });
    expect(store.read(k('a'), ts(20), { committed: new Set([ts(10)]) })).toMatchObject({ kind: 'value', value: k('new') });
    expect(store.read(k('a'), MAX_U64).kind).toBe('value'); // u64::MAX reads through the primary's lock
  });
});

describe('prewrite', () => {
  test('a write committed after start_ts is a WriteConflict (Optimistic) carrying both timestamps', () => {
    const { store, prewrite, put } = setup();
    put(ts(20), ts(21), { a: 'x' });
    const [err] = prewrite(ts(15), 'a', [[Op.Put, 'a', 'y']]);
    expect(err.conflict).toEqual({
      start_ts: ts(15).toString(),
      conflict_ts: ts(20).toString(),
      conflict_commit_ts: ts(21).toString(),
      key: k('a'),
      primary: k('a'),
      reason: ConflictReason.Optimistic,
    });
    expect(store.lockOf(k('a'))).toBeUndefined();
    expect(prewrite(ts(22), 'a', [[Op.Put, 'a', 'y']])).toEqual([]);
  });

  test("another txn's lock: every locked key is reported and nothing is written", () => {
    const { store, prewrite } = setup();
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', '1'], [Op.Put, 'b', '1']])).toEqual([]);
    const errs = prewrite(ts(12), 'c', [[Op.Put, 'c', '2'], [Op.Put, 'a', '2'], [Op.Put, 'b', '2']]);
    expect(errs.map((e) => e.locked?.key?.toString())).toEqual(['a', 'b']);
    expect(errs[0].locked).toMatchObject({ primary_lock: k('a'), lock_version: ts(10).toString(), lock_ttl: '3000', lock_type: Op.Put });
    expect(store.lockOf(k('c'))).toBeUndefined();
  });

  test('a repeated prewrite of our own lock is idempotent; Insert on an existing key is AlreadyExist', () => {
    const { store, prewrite, put } = setup();
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', '1']])).toEqual([]);
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', '1']])).toEqual([]);
    expect(store.lockOf(k('a'))?.startTs).toBe(ts(10));
    put(ts(20), ts(21), { e: 'x' });
    expect(prewrite(ts(30), 'e', [[Op.Insert, 'e', 'y']])).toEqual([{ already_exist: { key: k('e') } }]);
    expect(prewrite(ts(30), 'f', [[Op.Insert, 'f', 'y']])).toEqual([]);
  });

  test('after a rollback of our start_ts a late prewrite fails (SelfRolledBack); a newer Rollback of another txn conflicts', () => {
    const { txn, prewrite } = setup();
    expect(txn.batchRollback([k('a')], ts(10))).toBeUndefined();
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', '1']])[0].conflict?.reason).toBe(ConflictReason.SelfRolledBack);
    expect(txn.batchRollback([k('b')], ts(20))).toBeUndefined();
    expect(prewrite(ts(15), 'b', [[Op.Put, 'b', '1']])[0].conflict?.reason).toBe(ConflictReason.Optimistic);
  });

  test('two overlapping Op.Lock transactions on one key: the second to prewrite after the first commits conflicts', () => {
    const { txn, prewrite } = setup();
    expect(prewrite(ts(10), 'g', [[Op.Lock, 'g']])).toEqual([]);
    expect(txn.commit([k('g')], ts(10), ts(12))).toBeUndefined();
    expect(prewrite(ts(11), 'g', [[Op.Lock, 'g']])[0].conflict).toBeDefined();
  });
});

describe('commit and rollback', () => {
  test('commit is idempotent; a rolled-back or missing lock is TxnLockNotFound; commit_ts must exceed start_ts', () => {
    const { txn, prewrite, value } = setup();
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', '1']])).toEqual([]);
    expect(txn.commit([k('a')], ts(10), ts(10))?.abort).toMatch(/InvalidTxnTso/);
    expect(txn.commit([k('a')], ts(10), ts(11))).toBeUndefined();
    expect(txn.commit([k('a')], ts(10), ts(11))).toBeUndefined();
    expect(value('a', ts(11))).toBe('1');
    expect(prewrite(ts(20), 'b', [[Op.Put, 'b', '1']])).toEqual([]);
    expect(txn.batchRollback([k('b')], ts(20))).toBeUndefined();
    const err = txn.commit([k('b')], ts(20), ts(21));
    expect(err?.txn_lock_not_found).toEqual({ key: k('b') });
    expect(err?.retryable).toMatch(/^TxnLockNotFound/);
    expect(txn.commit([k('zz')], ts(30), ts(31))?.txn_lock_not_found).toBeDefined();
  });

  test('a commit request is all-or-nothing', () => {
    const { store, txn, prewrite } = setup();
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', '1']])).toEqual([]);
    expect(txn.commit([k('a'), k('missing')], ts(10), ts(11))?.txn_lock_not_found).toBeDefined();
    expect(store.lockOf(k('a'))).toBeDefined();
    expect(store.versions(k('a'))).toEqual([]);
  });

  test('rolling back a committed key is refused (abort); min_commit_ts above commit_ts is CommitTsExpired', () => {
    const { txn, put } = setup();
    put(ts(10), ts(11), { a: '1' });
    expect(txn.batchRollback([k('a')], ts(10))?.abort).toMatch(/^Committed/);
    expect(txn.prewrite({ mutations: [{ op: Op.Put, key: k('m'), value: k('1') }], primary: k('m'), startTs: ts(20), ttl: 3000n, txnSize: 1n, minCommitTs: ts(25), skipConstraintCheck: false })).toEqual([]);
    expect(txn.commit([k('m')], ts(20), ts(22))?.commit_ts_expired).toMatchObject({ min_commit_ts: ts(25).toString() });
  });
});

describe('check_txn_status on the primary', () => {
  const check = (txn: Percolator, primary: string, lockTs: bigint, currentTs: bigint, rollbackIfNotExist = false, verifyIsPrimary = true) =>
    txn.checkTxnStatus({ primary: k(primary), lockTs, callerStartTs: currentTs, currentTs, rollbackIfNotExist, verifyIsPrimary });

  test('alive lock: ttl + lock info; expired by current_ts physical time: rolled back and recorded', () => {
    const { store, txn, prewrite } = setup();
    expect(prewrite(ts(1000), 'p', [[Op.Put, 'p', '1'], [Op.Put, 's', '1']], 100n)).toEqual([]);
    expect(check(txn, 'p', ts(1000), ts(1100))).toMatchObject({ kind: 'locked', pushed: false });
    expect(check(txn, 'p', ts(1000), ts(1101))).toEqual({ kind: 'ttl-expire-rollback' });
    expect(store.lockOf(k('p'))).toBeUndefined();
    expect(store.versions(k('p'))[0]).toMatchObject({ kind: 'Rollback', startTs: ts(1000) });
    expect(check(txn, 'p', ts(1000), ts(2000))).toEqual({ kind: 'rolled-back' });
  });

  test('committed primary reports commit_version; a secondary with verify_is_primary is PrimaryMismatch', () => {
    const { txn, prewrite } = setup();
    expect(prewrite(ts(10), 'p', [[Op.Put, 'p', '1'], [Op.Put, 's', '1']])).toEqual([]);
    expect(check(txn, 's', ts(10), ts(11))).toMatchObject({ kind: 'error', error: { primary_mismatch: {} } });
    expect(txn.commit([k('p')], ts(10), ts(12))).toBeUndefined();
    expect(check(txn, 'p', ts(10), ts(13))).toEqual({ kind: 'committed', commitTs: ts(12) });
  });

  test('no lock, no record: TxnNotFound, or with rollback_if_not_exist a Rollback that stops the late prewrite', () => {
    const { txn, prewrite } = setup();
    expect(check(txn, 'p', ts(10), ts(20))).toMatchObject({ kind: 'error', error: { txn_not_found: { start_ts: ts(10).toString() } } });
    expect(check(txn, 'p', ts(10), ts(20), true)).toEqual({ kind: 'lock-not-exist-rollback' });
    expect(prewrite(ts(10), 'p', [[Op.Put, 'p', '1']])[0].conflict?.reason).toBe(ConflictReason.SelfRolledBack);
  });

  test('a non-zero min_commit_ts is pushed past the caller (MinCommitTSPushed)', () => {
    const { txn } = setup();
    txn.prewrite({ mutations: [{ op: Op.Put, key: k('p'), value: k('1') }], primary: k('p'), startTs: ts(10), ttl: 3000n, txnSize: 1n, minCommitTs: ts(10, 1), skipConstraintCheck: false });
    const s = check(txn, 'p', ts(10), ts(15));
    expect(s).toMatchObject({ kind: 'locked', pushed: true });
    expect(s.kind === 'locked' && s.lock.minCommitTs).toBe(ts(15) + 1n);
    expect(Action.MinCommitTSPushed).toBe(3);
  });
});

describe('resolve_lock and heartbeat', () => {
  test('whole range: commits (or rolls back) every lock of the txn, leaving other txns alone; lite: only the keys', () => {
    const { store, txn, prewrite, value } = setup();
    expect(prewrite(ts(10), 'a', [[Op.Put, 'a', '1'], [Op.Put, 'b', '1'], [Op.Del, 'c']])).toEqual([]);
    expect(prewrite(ts(11), 'x', [[Op.Put, 'x', '2']])).toEqual([]);
    expect(txn.commit([k('a')], ts(10), ts(12))).toBeUndefined();
    const all = (startTs: bigint, commitTs: bigint) => new Map([[startTs, commitTs]]);
    expect(txn.resolveLock({ txns: all(ts(10), ts(12)), startTs: ts(10), keys: [k('b')], start: k(''), end: k('') })).toBeUndefined();
    expect(store.lockOf(k('c'))).toBeDefined();
    expect(txn.resolveLock({ txns: all(ts(10), ts(12)), startTs: ts(10), keys: [], start: k(''), end: k('') })).toBeUndefined();
    expect(store.locks().map((l) => l.key.toString())).toEqual(['x']);
    expect(value('b', ts(12))).toBe('1');
    expect(store.versions(k('c'))[0]).toMatchObject({ kind: 'Delete', commitTs: ts(12) });
    expect(txn.resolveLock({ txns: all(ts(11), 0n), startTs: ts(11), keys: [], start: k(''), end: k('') })).toBeUndefined();
    expect(store.locks()).toEqual([]);
    expect(store.versions(k('x'))[0]).toMatchObject({ kind: 'Rollback' });
  });

  test('heartbeat raises the ttl of a live primary, TxnNotFound otherwise', () => {
    const { store, txn, prewrite } = setup();
    expect(prewrite(ts(10), 'p', [[Op.Put, 'p', '1']], 100n)).toEqual([]);
    expect(txn.heartBeat(k('p'), ts(10), 5000n)).toEqual({ ttl: 5000n });
    expect(txn.heartBeat(k('p'), ts(10), 10n)).toEqual({ ttl: 5000n });
    expect(store.lockOf(k('p'))?.ttl).toBe(5000n);
    expect(txn.heartBeat(k('p'), ts(11), 10n).error?.txn_not_found).toBeDefined();
  });
});
