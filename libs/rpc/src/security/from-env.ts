import { readFileSync } from 'node:fs';
import { ConfigError } from '@massive/observability';
import type { RpcSecurity, TlsMaterial } from './rpc-security';

/** Shortest service token accepted (a generated one is 43 characters: 32 random bytes, base64url). */
export const MIN_SERVICE_TOKEN_LENGTH = 32;
/**
 * Secrets shipped in example manifests carry this marker (deploy/README.md); a service refuses to start
 * with a value that contains it (or `CHANGE_ME`, `REPLACE-ME`, any case), so nobody runs on a
 * well-known token.
 */
export const SECRET_PLACEHOLDER = 'CHANGE-ME';
const PLACEHOLDER = /(CHANGE|REPLACE)[-_]?ME/i;

/** Whether `value` still holds an example manifest's placeholder. */
export function isPlaceholderSecret(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** The environment variables read by `rpcSecurityFromEnv` (documented in README "Service security"). */
export const RPC_SECURITY_ENV = {
  token: 'MASSIVE_SERVICE_TOKEN',
  tokenFile: 'MASSIVE_SERVICE_TOKEN_FILE',
  ca: 'MASSIVE_TLS_CA',
  cert: 'MASSIVE_TLS_CERT',
  key: 'MASSIVE_TLS_KEY',
  serverName: 'MASSIVE_TLS_SERVER_NAME',
  insecure: 'MASSIVE_INSECURE_RPC',
} as const;

export interface RpcSecuritySetting {
  /** What both ends use; `{}` only when the insecure opt-out is set. */
  readonly security: RpcSecurity;
  /** A line for the startup log (never the token). */
  readonly describe: string;
}

type ReadFile = (path: string) => Buffer;

/**
 * The gRPC trust settings of a distributed service, validated at start:
 * - `MASSIVE_TLS_CA` + `MASSIVE_TLS_CERT` + `MASSIVE_TLS_KEY` (PEM file paths): mutual TLS. Servers
 *   require a client certificate signed by the CA; clients verify the server's certificate against the
 *   CA and the target's host name (or `MASSIVE_TLS_SERVER_NAME`).
 * - `MASSIVE_SERVICE_TOKEN` (or `MASSIVE_SERVICE_TOKEN_FILE`, a file holding it): a shared token that
 *   every client sends and every server checks. May be combined with TLS.
 * - Neither: refused, unless `MASSIVE_INSECURE_RPC=true` (development only: anyone who can reach the
 *   port can read and delete everything).
 */
export function rpcSecurityFromEnv(env: NodeJS.ProcessEnv, readFile: ReadFile = readFileSync): RpcSecuritySetting {
  const E = RPC_SECURITY_ENV;
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const load = (name: string, path: string): Buffer => {
    try {
      return readFile(path);
    } catch (e) {
      throw new ConfigError(`${name}: cannot read ${path}: ${(e as Error).message}`);
    }
  };

  let token = get(E.token);
  const tokenFile = get(E.tokenFile);
  if (token !== undefined && tokenFile !== undefined) throw new ConfigError(`set ${E.token} or ${E.tokenFile}, not both`);
  if (tokenFile !== undefined) token = load(E.tokenFile, tokenFile).toString('utf8').trim();
  if (token !== undefined) {
    const from = tokenFile !== undefined ? E.tokenFile : E.token;
    if (isPlaceholderSecret(token)) {
      throw new ConfigError(`${from} still holds the placeholder ${SECRET_PLACEHOLDER}: put a random token in the Secret (e.g. openssl rand -base64 32)`);
    }
    if (token.length < MIN_SERVICE_TOKEN_LENGTH) throw new ConfigError(`${from} must be at least ${MIN_SERVICE_TOKEN_LENGTH} characters (e.g. openssl rand -base64 32)`);
    if (/\s/.test(token) || !/^[\x21-\x7e]+$/.test(token)) throw new ConfigError(`${from} must be printable ASCII without spaces`);
  }

  const paths = { ca: get(E.ca), cert: get(E.cert), key: get(E.key) };
  const given = Object.entries(paths).filter(([, v]) => v !== undefined);
  let tls: TlsMaterial | undefined;
  if (given.length > 0) {
    if (given.length < 3) throw new ConfigError(`mutual TLS needs all of ${E.ca}, ${E.cert} and ${E.key} (PEM files); only ${given.map(([k]) => `MASSIVE_TLS_${k.toUpperCase()}`).join(', ')} set`);
    const ca = load(E.ca, paths.ca!);
    const cert = load(E.cert, paths.cert!);
    const key = load(E.key, paths.key!);
    for (const [name, pem, kind] of [[E.ca, ca, 'CERTIFICATE'], [E.cert, cert, 'CERTIFICATE'], [E.key, key, 'PRIVATE KEY']] as const) {
      if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(pem.toString('latin1'))) throw new ConfigError(`${name}: ${kind === 'PRIVATE KEY' ? 'no PEM private key' : 'no PEM certificate'} in the file`);
    }
    const serverName = get(E.serverName);
    tls = { ca, cert, key, ...(serverName !== undefined && { serverName }) };
  }

  const insecure = get(E.insecure);
  if (insecure !== undefined && insecure !== 'true' && insecure !== 'false') throw new ConfigError(`${E.insecure} must be true or false, got '${insecure}'`);
  if (!token && !tls) {
    if (insecure === 'true') return { security: {}, describe: 'INSECURE: no service token, no TLS (MASSIVE_INSECURE_RPC=true)' };
    throw new ConfigError(
      `the gRPC services need a shared secret: set ${E.token} (the same random value on gateway, metadata and blob; ` +
        `npm run start:distributed generates one), or ${E.ca}/${E.cert}/${E.key} for mutual TLS. ` +
        `For development only, ${E.insecure}=true lets anyone who reaches the port in.`,
    );
  }
  if (insecure === 'true') throw new ConfigError(`${E.insecure}=true contradicts the service token / TLS settings: unset it`);
  const parts = [tls ? 'mutual TLS' : undefined, token ? 'service token' : undefined].filter(Boolean);
  return { security: { ...(token && { token }), ...(tls && { tls }) }, describe: parts.join(' + ') };
}
