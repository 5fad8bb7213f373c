import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalUserId, type Credential, type CredentialStore } from '@massive/s3-api';

export interface KeyPair {
  readonly accessKey: string;
  readonly secretKey: string;
}

/** A fixed set of credentials from configuration; each key pair owns its buckets. */
export class StaticCredentials implements CredentialStore {
  private readonly keys = new Map<string, Credential>();
  constructor(pairs: readonly KeyPair[]) {
    for (const p of pairs) this.keys.set(p.accessKey, { secretKey: p.secretKey, owner: { id: ownerId(p.accessKey), displayName: p.accessKey } });
  }
  lookup(accessKeyId: string): Credential | undefined {
    return this.keys.get(accessKeyId);
  }
}

const ownerId = canonicalUserId;

/** Where `developmentCredentials` keeps the key pair of a data directory. */
export const devCredentialsFile = (dataDir: string): string => join(dataDir, 'dev-credentials.json');

/**
 * Development credentials for a data directory: generated once, kept (mode 0600) in the directory so
 * restarts keep working with the same client configuration. `created` says whether this call made them.
 */
export async function developmentCredentials(dataDir: string): Promise<KeyPair & { readonly created: boolean }> {
  const file = devCredentialsFile(dataDir);
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<KeyPair>;
    if (typeof parsed.accessKey === 'string' && typeof parsed.secretKey === 'string') return { accessKey: parsed.accessKey, secretKey: parsed.secretKey, created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const pair = {
    accessKey: 'MS' + randomBytes(9).toString('hex').toUpperCase(),
    secretKey: randomBytes(30).toString('base64').replace(/[+/=]/g, '').slice(0, 40),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file + '.tmp', JSON.stringify(pair) + '\n', { mode: 0o600 });
  await rename(file + '.tmp', file);
  return { ...pair, created: true };
}
