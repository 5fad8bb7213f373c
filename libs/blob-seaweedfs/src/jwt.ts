import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * SeaweedFS volume-server JWTs (weed/security/jwt.go): HS256 over `{"fid":"3,01637037d6","exp":…}`,
 * base64url without padding. The master hands one out with each assign when `[jwt.signing] key` is set;
 * a client holding the key may mint its own (for re-sends and deletes).
 */
const HEADER = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));

function b64url(b: Buffer): string {
  return b.toString('base64url');
}

export function signFidJwt(key: string | Buffer, fid: string, ttlSeconds: number, nowMs = Date.now()): string {
  const claims = b64url(Buffer.from(JSON.stringify({ fid, exp: Math.floor(nowMs / 1000) + ttlSeconds })));
  const sig = createHmac('sha256', key).update(`${HEADER}.${claims}`).digest();
  return `${HEADER}.${claims}.${b64url(sig)}`;
}

/** The verified claims, or undefined for a bad signature, algorithm, shape or expiry. */
export function verifyFidJwt(key: string | Buffer, token: string, nowMs = Date.now()): { fid: string; exp: number } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts;
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(header) || header.alg !== 'HS256') return undefined;
  const want = createHmac('sha256', key).update(`${h}.${c}`).digest();
  const got = Buffer.from(s, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  if (!isRecord(claims) || typeof claims.fid !== 'string' || typeof claims.exp !== 'number') return undefined;
  if (claims.exp * 1000 <= nowMs) return undefined;
  return { fid: claims.fid, exp: claims.exp };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
