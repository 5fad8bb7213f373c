import { hkdfSync, randomBytes } from 'node:crypto';
import { S3Error } from '@massive/s3-protocol';
import { MASTER_KEY_BYTES, SecretSealer } from './secret-seal';

/**
 * Temporary credentials (STS AssumeRole / GetSessionToken, sts/sts-api.ts): an access key id, a secret
 * and a session token, valid until they expire, acting as the key that asked for them.
 *
 * Nothing is stored: the session token carries its own claims (the temporary key id and secret, the
 * parent key, the expiry, the session's name), sealed with AES-256-GCM under a key derived (HKDF-SHA256)
 * from the master key, so every gateway replica can check any session and none can be forged or changed
 * without the master key (GCM's tag). The derivation keeps them apart from access-key secrets and SSE
 * data keys sealed under the same master key. After a master key rotation, previous keys still open the
 * sessions they sealed, until those expire.
 *
 * A session is only as alive as its parent: each request re-reads the parent key through the key cache,
 * so deleting the key (or taking its grants) ends its sessions as it ends the key's own requests.
 */
export interface SessionClaims {
  /** The temporary access key id (`ASIA…`): requests must be signed with it. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The long-term key the session acts as. */
  readonly parentAccessKeyId: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  /** AssumeRole: the role ARN and session name asked for (GetSessionToken: absent). */
  readonly roleArn?: string;
  readonly sessionName?: string;
}

export interface IssuedSession extends SessionClaims {
  readonly sessionToken: string;
}

const TOKEN_PREFIX = 'MSTS1';
const AAD = 'massive sts session v1';
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Longer than any token we issue (~330 characters); anything longer is refused before it is decoded. */
const MAX_TOKEN_CHARS = 4096;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function deriveKey(master: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'massive-storage sts session tokens', MASTER_KEY_BYTES));
}

/** A signature's key lookup for a session: only its own temporary key id has a secret. */
export function sessionLookup(session: SessionClaims): { lookup(accessKeyId: string): string | undefined } {
  return { lookup: (accessKeyId) => (accessKeyId === session.accessKeyId ? session.secretAccessKey : undefined) };
}

/** `ASIA` and 16 characters of base32, as AWS's temporary key ids look. */
export function temporaryAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'ASIA';
  for (const b of bytes) id += KEY_ID_ALPHABET[b & 31];
  return id;
}

export class SessionTokens {
  private readonly sealer: SecretSealer;

  constructor(masterKey: Buffer, previousMasterKeys: readonly Buffer[] = []) {
    this.sealer = new SecretSealer(deriveKey(masterKey), previousMasterKeys.map(deriveKey));
  }

  issue(parentAccessKeyId: string, expiresAt: number, role?: { readonly roleArn: string; readonly sessionName: string }): IssuedSession {
    const claims: SessionClaims = {
      accessKeyId: temporaryAccessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      parentAccessKeyId,
      expiresAt,
      ...(role && { roleArn: role.roleArn, sessionName: role.sessionName }),
    };
    const body = JSON.stringify({ a: claims.accessKeyId, s: claims.secretAccessKey, p: parentAccessKeyId, e: expiresAt, r: role?.roleArn, n: role?.sessionName });
    return { ...claims, sessionToken: TOKEN_PREFIX + this.sealer.seal(body, AAD) };
  }

  /**
   * The claims of a session token, or throws S3's errors: InvalidToken when it is not one of ours (or was
   * changed, or sealed under a master key no longer configured), ExpiredToken once it has expired.
   */
  open(token: string, now = Date.now()): SessionClaims {
    const claims = this.decode(token);
    if (now >= claims.expiresAt) throw new S3Error('ExpiredToken');
    return claims;
  }

  private decode(token: string): SessionClaims {
    // Strict base64 (Node's decoder would skip stray characters): one token, one spelling.
    if (token.length > MAX_TOKEN_CHARS || !token.startsWith(TOKEN_PREFIX) || !BASE64.test(token.slice(TOKEN_PREFIX.length))) throw new S3Error('InvalidToken');
    let raw: unknown;
    try {
      raw = JSON.parse(this.sealer.unseal(token.slice(TOKEN_PREFIX.length), AAD));
    } catch {
      throw new S3Error('InvalidToken');
    }
    const c = raw as { a?: unknown; s?: unknown; p?: unknown; e?: unknown; r?: unknown; n?: unknown };
    if (typeof c.a !== 'string' || typeof c.s !== 'string' || typeof c.p !== 'string' || typeof c.e !== 'number') throw new S3Error('InvalidToken');
    return {
      accessKeyId: c.a,
      secretAccessKey: c.s,
      parentAccessKeyId: c.p,
      expiresAt: c.e,
      ...(typeof c.r === 'string' && { roleArn: c.r }),
      ...(typeof c.n === 'string' && { sessionName: c.n }),
    };
  }
}
