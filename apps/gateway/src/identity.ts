import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetadataApi } from '@massive/contracts';
import type { Logger } from '@massive/observability';
import { Counter, type Registry } from 'prom-client';
import { ConfigError } from '@massive/observability';
import { createAdminApi, createKeyCacheMetrics, KeyCache, MASTER_KEY_BYTES, resealAccessKeys, SecretSealer, SessionTokens, type AdminHandler, type CredentialStore, type S3ApiConfig } from '@massive/s3-api';
import type { KeyPair } from './credentials';

/**
 * Values that are public knowledge: the placeholders of deploy/k8s/base/gateway/secret.yaml, AWS's
 * documentation example and MinIO's default. A server started with one of them is open to anyone.
 */
const WELL_KNOWN = [/CHANGE-?ME/i, /^AKIAIOSFODNN7EXAMPLE$/, /^wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY$/, /^minioadmin$/];

export function isWellKnownSecret(v: string): boolean {
  return WELL_KNOWN.some((re) => re.test(v));
}

/** Refuses root credentials anyone could know (a base Secret applied unchanged). */
export function refuseWellKnownRoot(root: KeyPair): void {
  if (isWellKnownSecret(root.accessKey) || isWellKnownSecret(root.secretKey)) {
    throw new ConfigError(
      'MASSIVE_ACCESS_KEY / MASSIVE_SECRET_KEY hold well-known placeholder or example values (e.g. the CHANGE-ME values of ' +
        'deploy/k8s/base/gateway/secret.yaml): set credentials of your own before starting the gateway',
    );
  }
}

/**
 * The master key that seals access-key secrets (and, through sse-keys.ts, SSE-S3 data keys):
 * `MASSIVE_MASTER_KEY` (base64 of 32 bytes), shared by every gateway replica. Without it, one is generated once into `<data dir>/master-key` (mode 0600) and kept
 * there; `announce` is told once, when it is generated (never the key itself).
 */
export async function loadMasterKey(env: NodeJS.ProcessEnv, dataDir: string, announce: (msg: string) => void): Promise<Buffer> {
  const configured = env['MASSIVE_MASTER_KEY'];
  if (configured !== undefined && configured !== '') return decodeMasterKey(configured, 'MASSIVE_MASTER_KEY');
  const file = join(dataDir, 'master-key');
  try {
    return decodeMasterKey((await readFile(file, 'utf8')).trim(), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = randomBytes(MASTER_KEY_BYTES);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file + '.tmp', key.toString('base64') + '\n', { mode: 0o600, flag: 'w' });
  await rename(file + '.tmp', file);
  announce(
    `No MASSIVE_MASTER_KEY set: generated the master key that seals access-key secrets and SSE-S3 data keys into ${file} (mode 0600). ` +
      'Keep it with the metadata; every gateway replica needs the same one (set MASSIVE_MASTER_KEY to share it).',
  );
  return key;
}

/**
 * Master keys being rotated out: `MASSIVE_PREVIOUS_MASTER_KEYS`, base64 keys separated by commas or
 * whitespace, newest first. They open what they sealed (access-key secrets, SSE-S3 data keys); nothing new
 * is sealed under them. Each must differ from the current key and from the others.
 */
export function loadPreviousMasterKeys(env: NodeJS.ProcessEnv, current: Buffer): Buffer[] {
  const text = env['MASSIVE_PREVIOUS_MASTER_KEYS'] ?? '';
  const keys = text
    .split(/[\s,]+/)
    .filter((t) => t !== '')
    .map((t, i) => decodeMasterKey(t, `MASSIVE_PREVIOUS_MASTER_KEYS (key ${i + 1})`));
  keys.forEach((k, i) => {
    if (k.equals(current)) throw new ConfigError(`MASSIVE_PREVIOUS_MASTER_KEYS (key ${i + 1}) is the current master key: list only keys rotated out`);
    if (keys.findIndex((o) => o.equals(k)) < i) throw new ConfigError(`MASSIVE_PREVIOUS_MASTER_KEYS (key ${i + 1}) is listed twice`);
  });
  return keys;
}

/**
 * `master_key_previous_uses_total{use}`: what a previous master key still opened (`access_key`: a secret,
 * `sse`: an object's data key). Zero for long enough: the key can leave MASSIVE_PREVIOUS_MASTER_KEYS.
 */
export function createMasterKeyMetrics(registry: Registry): { accessKey: () => void; sse: () => void; resealed: (n: number) => void } {
  const uses = new Counter({
    name: 'master_key_previous_uses_total',
    help: 'Access-key secrets (use=access_key) and SSE-S3 data keys (use=sse) opened with a previous master key (MASSIVE_PREVIOUS_MASTER_KEYS)',
    labelNames: ['use'],
    registers: [registry],
  });
  // Both from the start, at 0 (prom-client's `labels()` alone exports nothing until the first inc).
  uses.inc({ use: 'access_key' }, 0);
  uses.inc({ use: 'sse' }, 0);
  const accessKey = uses.labels('access_key');
  const sse = uses.labels('sse');
  const reseals = new Counter({
    name: 'master_key_reseals_total',
    help: 'Access-key secrets a previous master key opened, sealed again under the current one at start (after a rotation)',
    registers: [registry],
  });
  return { accessKey: () => accessKey.inc(), sse: () => sse.inc(), resealed: (n) => reseals.inc(n) };
}

function decodeMasterKey(text: string, where: string): Buffer {
  if (isWellKnownSecret(text)) throw new ConfigError(`${where} holds a placeholder value: set a master key of your own (base64 of ${MASTER_KEY_BYTES} random bytes, e.g. \`openssl rand -base64 32\`)`);
  const key = Buffer.from(text, 'base64');
  if (key.length !== MASTER_KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new ConfigError(`${where} must be base64 of exactly ${MASTER_KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

export interface IdentitySetup {
  readonly root: KeyPair;
  readonly masterKey: Buffer;
  /** Rotated out, newest first: they still open what they sealed. */
  readonly previousMasterKeys?: readonly Buffer[];
  /** Hears of each access-key secret a previous master key opened. */
  readonly onPreviousMasterKey?: () => void;
  /** Hears how many access-key secrets the start's pass sealed again under the current master key. */
  readonly onResealed?: (n: number) => void;
}

/** Attempts of the re-seal pass before it gives up (distributed mode may start before metadata answers). */
const RESEAL_ATTEMPTS = 8;

/**
 * With previous master keys configured: seals again, in the background, every access key's secret that
 * only a previous key opens (resealAccessKeys), retrying while metadata cannot be reached, so that after
 * one start with the previous keys listed they can leave the configuration. SSE-S3 objects are not
 * rewritten here: copying one onto itself re-seals its data key (README, Rotating the master key).
 */
function resealInBackground(metadata: MetadataApi, sealer: SecretSealer, logger: Logger, onResealed: ((n: number) => void) | undefined): void {
  const attempt = (n: number): void => {
    resealAccessKeys(metadata, sealer, { requestId: 'master-key-reseal' }).then(
      (r) => {
        onResealed?.(r.resealed);
        logger.info('access keys re-sealed under the current master key', { resealed: r.resealed, alreadyCurrent: r.current, unreadable: r.unreadable.length });
        for (const accessKeyId of r.unreadable) logger.error('access key secret opens with no configured master key: left as it is', { accessKeyId });
      },
      (err: unknown) => {
        if (n >= RESEAL_ATTEMPTS) {
          logger.error('re-sealing access keys under the current master key failed: keep the previous master key configured and restart', { err });
          return;
        }
        setTimeout(() => attempt(n + 1), Math.min(30_000, 500 * 2 ** n)).unref();
      },
    );
  };
  attempt(1);
}

/** The key cache (SigV4 lookups, grants), the admin API over a metadata port, and temporary credentials (STS) under the master key. */
export function composeIdentity(
  setup: IdentitySetup,
  metadata: MetadataApi,
  config: Pick<S3ApiConfig, 'region' | 'maxSkewMs'>,
  logger: Logger,
  registry: Registry,
): { credentials: CredentialStore; admin: AdminHandler; sessions: SessionTokens } {
  const sealer = new SecretSealer(setup.masterKey, setup.previousMasterKeys, setup.onPreviousMasterKey);
  if ((setup.previousMasterKeys?.length ?? 0) > 0) resealInBackground(metadata, sealer, logger, setup.onResealed);
  const keys = new KeyCache({
    root: setup.root,
    metadata,
    sealer,
    onUnreadable: (accessKeyId) => logger.error('access key secret does not open with this master key (wrong MASSIVE_MASTER_KEY?)', { accessKeyId }),
    onLoad: createKeyCacheMetrics(registry),
  });
  const admin = createAdminApi({ metadata, keys, sealer, region: config.region, maxSkewMs: config.maxSkewMs, logger });
  return { credentials: keys, admin, sessions: new SessionTokens(setup.masterKey, setup.previousMasterKeys) };
}

/** Tests pass fixed credentials; the gateway passes its root key and master key (keys from metadata, admin API). */
export function credentialsFor(
  deps: { readonly credentials?: CredentialStore; readonly identity?: IdentitySetup; readonly logger: Logger; readonly registry: Registry },
  metadata: MetadataApi,
  config: Pick<S3ApiConfig, 'region' | 'maxSkewMs'>,
): { credentials: CredentialStore; admin?: AdminHandler; sessions?: SessionTokens } {
  if (deps.identity) return composeIdentity(deps.identity, metadata, config, deps.logger, deps.registry);
  if (!deps.credentials) throw new Error('the gateway needs credentials or an identity setup');
  return { credentials: deps.credentials };
}
