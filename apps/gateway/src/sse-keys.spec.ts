import { randomBytes } from 'node:crypto';
import { MasterKeys } from '@massive/s3-api';
import { sseKeysFrom } from './sse-keys';

describe('sseKeysFrom', () => {
  const master = randomBytes(32);

  it('derives the same key from the same master key (every replica reads every object), a different one from another', () => {
    const sealed = sseKeysFrom(master).newDataKey('b/k');
    expect(sseKeysFrom(Buffer.from(master)).unseal(sealed.sealed, 'b/k').equals(sealed.dataKey)).toBe(true);
    expect(() => sseKeysFrom(randomBytes(32)).unseal(sealed.sealed, 'b/k')).toThrow(/not configured with/);
  });

  it('names the derived key by a fingerprint, never by key material, and never uses the master key itself', () => {
    const keys = sseKeysFrom(master);
    expect(keys.currentId).toMatch(/^mk-[0-9a-f]{16}$/);
    const { sealed } = keys.newDataKey('b/k');
    expect(sealed).toContain(`:${keys.currentId}:`);
    expect(sealed).not.toContain(master.toString('base64'));
    expect(sseKeysFrom(master).currentId).toBe(keys.currentId);
    // The master key itself (which also seals access-key secrets) does not open what SSE sealed.
    const raw = new MasterKeys([{ id: keys.currentId, key: master }]);
    expect(() => raw.unseal(sealed, 'b/k')).toThrow(expect.objectContaining({ code: 'DataCorrupted' }));
  });
});

describe('sseKeysFrom with previous master keys (rotation)', () => {
  it('opens what the previous master keys sealed (counted), and seals new keys under the current one', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = sseKeysFrom(oldKey).newDataKey('b/k');
    const previous: string[] = [];
    const rotated = sseKeysFrom(newKey, [oldKey], (id) => previous.push(id));
    expect(rotated.unseal(before.sealed, 'b/k').equals(before.dataKey)).toBe(true);
    expect(previous).toEqual([sseKeysFrom(oldKey).currentId]);
    expect(rotated.currentId).toBe(sseKeysFrom(newKey).currentId);
    const after = rotated.newDataKey('b/k');
    expect(sseKeysFrom(newKey).unseal(after.sealed, 'b/k').equals(after.dataKey)).toBe(true);
    expect(() => sseKeysFrom(newKey).unseal(before.sealed, 'b/k')).toThrow(/not configured with/);
  });
});
