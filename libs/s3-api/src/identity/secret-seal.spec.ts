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
});
