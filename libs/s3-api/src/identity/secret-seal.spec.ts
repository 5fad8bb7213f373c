import { randomBytes } from 'node:crypto';
import { SecretSealer } from './secret-seal';

describe('SecretSealer', () => {
  const sealer = new SecretSealer(randomBytes(32));

  it('round-trips, never shows the secret, and draws a fresh nonce each time', () => {
    const a = sealer.seal('wJalrXUtnFEMI/K7MDENG', 'MKAAA');
    const b = sealer.seal('wJalrXUtnFEMI/K7MDENG', 'MKAAA');
    expect(a).not.toBe(b);
    expect(a).not.toContain('wJalrXUtnFEMI');
    expect(Buffer.from(a, 'base64').toString('latin1')).not.toContain('wJalrXUtnFEMI');
    expect(sealer.unseal(a, 'MKAAA')).toBe('wJalrXUtnFEMI/K7MDENG');
  });

  it('refuses another key id, another master key, a flipped bit and a bad length', () => {
    const sealed = sealer.seal('secret', 'MKAAA');
    expect(() => sealer.unseal(sealed, 'MKBBB')).toThrow(/does not open/);
    expect(() => new SecretSealer(randomBytes(32)).unseal(sealed, 'MKAAA')).toThrow(/does not open/);
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => sealer.unseal(raw.toString('base64'), 'MKAAA')).toThrow(/does not open/);
    expect(() => sealer.unseal('AAAA', 'MKAAA')).toThrow(/unknown format/);
    expect(() => new SecretSealer(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('rotation: previous master keys open what they sealed (counted); new secrets are sealed under the current key', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const sealedOld = new SecretSealer(oldKey).seal('old secret', 'MKAAA');
    const opened: string[] = [];
    const rotated = new SecretSealer(newKey, [randomBytes(32), oldKey], (id) => opened.push(id));
    expect(rotated.unseal(sealedOld, 'MKAAA')).toBe('old secret');
    expect(opened).toEqual(['MKAAA']);
    const sealedNew = rotated.seal('new secret', 'MKBBB');
    expect(rotated.unseal(sealedNew, 'MKBBB')).toBe('new secret');
    expect(opened).toEqual(['MKAAA']);
    expect(new SecretSealer(newKey).unseal(sealedNew, 'MKBBB')).toBe('new secret');
    expect(() => new SecretSealer(oldKey).unseal(sealedNew, 'MKBBB')).toThrow(/does not open/);
    // Neither the current nor a previous key: refused, and the message says both were tried.
    expect(() => new SecretSealer(randomBytes(32), [randomBytes(32)]).unseal(sealedOld, 'MKAAA')).toThrow(/or a previous one/);
    expect(() => new SecretSealer(newKey, [randomBytes(31)])).toThrow(/32 bytes/);
  });
});
