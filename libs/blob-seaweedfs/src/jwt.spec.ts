import { createHmac } from 'node:crypto';
import { signFidJwt, verifyFidJwt } from './jwt';

describe('fid JWTs', () => {
  it('round-trips and checks signature, fid claim and expiry', () => {
    const now = 1_700_000_000_000;
    const t = signFidJwt('k', '3,01637037d6', 10, now);
    expect(verifyFidJwt('k', t, now)).toEqual({ fid: '3,01637037d6', exp: 1_700_000_010 });
    expect(verifyFidJwt('other', t, now)).toBeUndefined();
    expect(verifyFidJwt('k', t, now + 10_000)).toBeUndefined();
    expect(verifyFidJwt('k', `${t}x`, now)).toBeUndefined();
    expect(verifyFidJwt('k', 'a.b', now)).toBeUndefined();
  });

  it('is standard HS256 (the same bytes golang-jwt verifies)', () => {
    const t = signFidJwt('secret', '1,0a0b0c0d0e', 10, 0);
    const [h, c, s] = t.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toEqual({ fid: '1,0a0b0c0d0e', exp: 10 });
    expect(s).toBe(createHmac('sha256', 'secret').update(`${h}.${c}`).digest('base64url'));
  });

  it('refuses alg none', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const c = Buffer.from(JSON.stringify({ fid: 'x', exp: 9e9 })).toString('base64url');
    expect(verifyFidJwt('k', `${h}.${c}.`)).toBeUndefined();
  });
});
