import { mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from './journal';
import { MvccStore } from './mvcc';
import { Op } from './types';

describe('fake-tikv FileJournal (fake:tikv --data-dir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-tikv-journal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays every lock, value and write record into a fresh store, in order, and keeps appending', () => {
    const path = join(dir, 'a', 'mvcc.jsonl');
    const a = new MvccStore();
    expect(new FileJournal(path).open(a)).toBe(0);
    const k = Buffer.from('key-1');
    const k2 = Buffer.from([0, 255, 7]);
    a.putData(k, 10n, Buffer.from('v1'));
    a.putLock(k, { primary: k, startTs: 10n, ttl: 3000n, op: Op.Put, minCommitTs: 11n, txnSize: 1n });
    a.putWrite(k, { startTs: 10n, commitTs: 12n, kind: 'Put' });
    a.deleteLock(k);
    a.putData(k2, 20n, Buffer.from('tmp'));
    a.deleteData(k2, 20n);
    a.putLock(k2, { primary: k, startTs: 30n, ttl: 3000n, op: Op.Del, minCommitTs: 31n, txnSize: 2n });
    // A killed writer may leave a torn last line: it is ignored, everything before it replays.
    appendFileSync(path, '{"op":"write","key":');

    const b = new MvccStore();
    const journal = new FileJournal(path);
    expect(journal.open(b)).toBe(7);
    expect(b.read(k, 100n)).toEqual({ kind: 'value', value: Buffer.from('v1'), commitTs: 12n });
    expect(b.lockOf(k)).toBeUndefined();
    expect(b.dataOf(k2, 20n)).toBeUndefined();
    expect(b.lockOf(k2)).toMatchObject({ startTs: 30n, op: Op.Del, primary: k });
    b.putWrite(k, { startTs: 40n, commitTs: 41n, kind: 'Delete' });
    journal.close();

    const c = new MvccStore();
    expect(new FileJournal(path).open(c)).toBe(8);
    expect(c.read(k, 100n)).toEqual({ kind: 'none' });
  });
});
