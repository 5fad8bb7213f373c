import { randomBytes } from 'node:crypto';
import { isS3Error } from '@massive/s3-protocol';
import { SecretSealer } from './secret-seal';
import { SessionTokens, temporaryAccessKeyId } from './session-tokens';

const master = randomBytes(32);

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isS3Error(e) ? e.code : String(e);
  }
  return undefined;
}

describe('SessionTokens', () => {
  it('issues a session whose token opens to its claims, on any instance with the same master key', () => {
    const now = Date.now();
    const s = new SessionTokens(master).issue('AKIDPARENT', now + 900_000, { roleArn: 'arn:aws:iam::000000000000:role/r', sessionName: 'job' });
    expect(s.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(s.secretAccessKey).toHaveLength(40);
    expect(s.sessionToken.length).toBeLessThan(600);
    expect(new SessionTokens(Buffer.from(master)).open(s.sessionToken, now)).toEqual({
      accessKeyId: s.accessKeyId,
      secretAccessKey: s.secretAccessKey,
      parentAccessKeyId: 'AKIDPARENT',
      expiresAt: now + 900_000,
      roleArn: 'arn:aws:iam::000000000000:role/r',
      sessionName: 'job',
    });
    const plain = new SessionTokens(master).issue('AKIDPARENT', now + 900_000);
    expect(new SessionTokens(master).open(plain.sessionToken, now)).not.toHaveProperty('roleArn');
  });

  it('refuses an expired token (ExpiredToken) from its expiry on', () => {
    const tokens = new SessionTokens(master);
    const s = tokens.issue('AKIDPARENT', 1_000_000);
    expect(tokens.open(s.sessionToken, 999_999).parentAccessKeyId).toBe('AKIDPARENT');
    expect(code(() => tokens.open(s.sessionToken, 1_000_000))).toBe('ExpiredToken');
  });

  it('refuses anything changed, another master key, other spellings and foreign values (InvalidToken)', () => {
    const tokens = new SessionTokens(master);
    const { sessionToken } = tokens.issue('AKIDPARENT', Date.now() + 60_000);
    for (let i = 5; i < sessionToken.length - 2; i += 17) {
      const c = sessionToken[i] === 'A' ? 'B' : 'A';
      expect(code(() => tokens.open(sessionToken.slice(0, i) + c + sessionToken.slice(i + 1)))).toBe('InvalidToken');
    }
    expect(code(() => new SessionTokens(randomBytes(32)).open(sessionToken))).toBe('InvalidToken');
    expect(code(() => tokens.open(`${sessionToken}x`))).toBe('InvalidToken');
    expect(code(() => tokens.open(`${sessionToken} `))).toBe('InvalidToken');
    expect(code(() => tokens.open(sessionToken.slice(5)))).toBe('InvalidToken');
    expect(code(() => tokens.open(''))).toBe('InvalidToken');
    expect(code(() => tokens.open(`MSTS1${'A'.repeat(5000)}`))).toBe('InvalidToken');
    // A value sealed under the master key itself (an access-key secret's seal) is not a session.
    expect(code(() => tokens.open(`MSTS1${new SecretSealer(master).seal('{"a":"x","s":"y","p":"z","e":9e15}', 'massive sts session v1')}`))).toBe('InvalidToken');
  });

  it('keeps opening what a previous master key sealed, after a rotation; new sessions use the current key', () => {
    const previous = randomBytes(32);
    const old = new SessionTokens(previous).issue('AKIDPARENT', Date.now() + 60_000);
    const rotated = new SessionTokens(master, [previous]);
    expect(rotated.open(old.sessionToken).accessKeyId).toBe(old.accessKeyId);
    const fresh = rotated.issue('AKIDPARENT', Date.now() + 60_000);
    expect(code(() => new SessionTokens(previous).open(fresh.sessionToken))).toBe('InvalidToken');
    expect(new SessionTokens(master).open(fresh.sessionToken).accessKeyId).toBe(fresh.accessKeyId);
  });

  it('makes distinct temporary key ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, temporaryAccessKeyId));
    expect(ids.size).toBe(1000);
  });
});
