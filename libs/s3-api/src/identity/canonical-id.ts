import { createHash, randomBytes } from 'node:crypto';

/** A stable canonical-user-id-like string per access key (64 hex characters, as AWS's). */
export function canonicalUserId(accessKeyId: string): string {
  return createHash('sha256').update(`massive-owner:${accessKeyId}`).digest('hex');
}

/** A new access key id: `MK` and 18 upper-case hex digits (20 characters, as AWS's). */
export function newAccessKeyId(): string {
  return 'MK' + randomBytes(9).toString('hex').toUpperCase();
}

/** A new secret access key: 40 characters of base64 without `+/=` (240 random bits drawn). */
export function newSecretKey(): string {
  return randomBytes(45).toString('base64').replace(/[+/=]/g, '').slice(0, 40);
}
