import { randomBytes } from 'node:crypto';

/**
 * Request ids in AWS's shape (16 upper-case hex characters): a random per-generator prefix and a
 * counter, so minting one costs no syscall and ids never repeat within a process.
 */
export function requestIdGenerator(): () => string {
  const prefix = randomBytes(4).toString('hex').toUpperCase();
  let n = randomBytes(4).readUInt32BE(0);
  return () => {
    n = (n + 1) >>> 0;
    return prefix + n.toString(16).toUpperCase().padStart(8, '0');
  };
}
