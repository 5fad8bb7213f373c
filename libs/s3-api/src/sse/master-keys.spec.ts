import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { isServiceError } from '@massive/contracts';
import { MasterKeys } from './master-keys';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const b64 = (b: Buffer) => b.toString('base64');

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('MasterKeys', () => {
  it('seals a fresh data key that unseals for the same object', () => {
    const keys = new MasterKeys([{ id: 'k1', key: k1 }]);
    const a = keys.newDataKey('bucket/photos/cat.jpg');
    const b = keys.newDataKey('bucket/photos/cat.jpg');
    expect(a.dataKey.length).toBe(32);
    expect(a.dataKey.equals(b.dataKey)).toBe(false);
    expect(a.sealed).toMatch(/^v1:k1:[A-Za-z0-9_-]{80}$/);
    expect(a.sealed.includes(a.dataKey.toString('base64url'))).toBe(false);
    expect(keys.unseal(a.sealed, 'bucket/photos/cat.jpg').equals(a.dataKey)).toBe(true);
    expect(keys.currentId).toBe('k1');
  });

  it('unseals under an older key after rotation, and seals new keys under the new one', () => {
    const old = new MasterKeys([{ id: 'k1', key: k1 }]);
    const { dataKey, sealed } = old.newDataKey('b/k');
    const previous: string[] = [];
    const rotated = new MasterKeys(
      [
        { id: 'k2', key: k2 },
        { id: 'k1', key: k1 },
      ],
      (id) => previous.push(id),
    );
    expect(rotated.currentId).toBe('k2');
    expect(rotated.unseal(sealed, 'b/k').equals(dataKey)).toBe(true);
    expect(previous).toEqual(['k1']); // what still needs the old key is counted
    const fresh = rotated.newDataKey('b/k');
    rotated.unseal(fresh.sealed, 'b/k');
    expect(previous).toEqual(['k1']);
    expect(fresh.sealed.startsWith('v1:k2:')).toBe(true);
    expect(thrown(() => old.unseal(fresh.sealed, 'b/k'))).toMatchObject({ code: 'Internal' });
  });

  it('reseal: the same data key under the current key (itself when already there), still bound to its object', () => {
    const old = new MasterKeys([{ id: 'k1', key: k1 }]);
    const { dataKey, sealed } = old.newDataKey('b/k');
    const rotated = new MasterKeys([
      { id: 'k2', key: k2 },
      { id: 'k1', key: k1 },
    ]);
    const again = rotated.reseal(sealed, 'b/k');
    expect(again.startsWith('v1:k2:')).toBe(true);
    expect(new MasterKeys([{ id: 'k2', key: k2 }]).unseal(again, 'b/k').equals(dataKey)).toBe(true);
    expect(rotated.reseal(again, 'b/k')).toBe(again);
    expect(thrown(() => rotated.reseal(sealed, 'b/other'))).toMatchObject({ code: 'DataCorrupted' });
  });

  it('binds the sealed key to its object', () => {
    const keys = new MasterKeys([{ id: 'k1', key: k1 }]);
    const { sealed } = keys.newDataKey('b/a');
    for (const other of ['b/b', 'c/a', 'b/a ', '']) {
      expect(isServiceError(thrown(() => keys.unseal(sealed, other)), 'DataCorrupted')).toBe(true);
    }
  });

  it('refuses a sealed key that was altered, or that a same-named different key sealed', () => {
    const keys = new MasterKeys([{ id: 'k1', key: k1 }]);
    const { sealed } = keys.newDataKey('b/k');
    const body = Buffer.from(sealed.slice('v1:k1:'.length), 'base64url');
    for (const at of [0, 11, 12, 43, 44, 59]) {
      const bad = Buffer.from(body);
      bad[at] ^= 0x01;
      expect(isServiceError(thrown(() => keys.unseal(`v1:k1:${bad.toString('base64url')}`, 'b/k')), 'DataCorrupted')).toBe(true);
    }
    const impostor = new MasterKeys([{ id: 'k1', key: k2 }]);
    expect(isServiceError(thrown(() => impostor.unseal(sealed, 'b/k')), 'DataCorrupted')).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another version', 'v2:k1:AAAA'],
    ['no body', 'v1:k1'],
    ['extra field', 'v1:k1:x:y'],
    ['bad id', 'v1:k/1:' + 'A'.repeat(80)],
    ['short body', 'v1:k1:' + 'A'.repeat(79)],
    ['long body', 'v1:k1:' + 'A'.repeat(84)],
    ['not base64url', 'v1:k1:' + '+'.repeat(80)],
  ])('refuses a malformed sealed key (%s) as DataCorrupted', (_what, sealed) => {
    const keys = new MasterKeys([{ id: 'k1', key: k1 }]);
    expect(isServiceError(thrown(() => keys.unseal(sealed, 'b/k')), 'DataCorrupted')).toBe(true);
  });

  it('names an unknown master key id as an internal (configuration) error', () => {
    const { sealed } = new MasterKeys([{ id: 'gone', key: k1 }]).newDataKey('b/k');
    const err = thrown(() => new MasterKeys([{ id: 'k2', key: k2 }]).unseal(sealed, 'b/k'));
    expect(isServiceError(err, 'Internal')).toBe(true);
    expect((err as Error).message).toBe('object key sealed under master key "gone", which this gateway is not configured with');
  });

  it('keeps its own copy of the keys, and never shows them', () => {
    const key = Buffer.from(k1);
    const keys = new MasterKeys([{ id: 'k1', key }]);
    const { dataKey, sealed } = keys.newDataKey('b/k');
    key.fill(0);
    expect(keys.unseal(sealed, 'b/k').equals(dataKey)).toBe(true);
    const shown = inspect(keys, { showHidden: true, depth: 5 }) + JSON.stringify(keys);
    expect(shown.includes(k1.toString('hex').slice(0, 8))).toBe(false);
    expect(shown.includes(b64(k1).slice(0, 8))).toBe(false);
  });

  it.each([
    ['no keys', [], /at least one/],
    ['a bad id', [{ id: 'a b', key: k1 }], /key 1: the id/],
    ['a long id', [{ id: 'x'.repeat(65), key: k1 }], /key 1: the id/],
    ['a short key', [{ id: 'a', key: k1.subarray(0, 31) }], /key 1: must be 32 bytes, got 31/],
    [
      'duplicate ids',
      [
        { id: 'a', key: k1 },
        { id: 'a', key: k2 },
      ],
      /key 2: id "a" is already the id of key 1/,
    ],
  ])('the constructor refuses %s', (_what, list, message) => {
    expect(() => new MasterKeys(list)).toThrow(message);
  });
});
