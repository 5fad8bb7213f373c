import { isLogLevel, type LogLevel } from '@massive/observability';

/** Gateway settings: flags win over environment variables, which win over defaults. */
export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly region: string;
  readonly domains: readonly string[];
  readonly logLevel: LogLevel;
  readonly inlineThreshold: number;
  readonly chunkSize: number;
  readonly intentTtlMs: number;
  readonly gcIntervalMs: number;
  readonly gcGraceMs: number;
  readonly shutdownTimeoutMs: number;
}

interface Setting {
  readonly key: keyof GatewayConfig;
  readonly flag: string;
  readonly env: string;
  readonly kind: 'string' | 'int' | 'list' | 'level';
  readonly def?: string;
  readonly help: string;
  readonly min?: number;
}

export const SETTINGS: readonly Setting[] = [
  { key: 'host', flag: 'host', env: 'MASSIVE_HOST', kind: 'string', def: '0.0.0.0', help: 'address to listen on' },
  { key: 'port', flag: 'port', env: 'MASSIVE_PORT', kind: 'int', def: '8080', min: 0, help: 'S3 port (0 picks a free port)' },
  { key: 'dataDir', flag: 'data-dir', env: 'MASSIVE_DATA_DIR', kind: 'string', def: './data', help: 'where metadata and chunks live' },
  { key: 'accessKey', flag: 'access-key', env: 'MASSIVE_ACCESS_KEY', kind: 'string', help: 'access key id (default: generated development credentials)' },
  { key: 'secretKey', flag: 'secret-key', env: 'MASSIVE_SECRET_KEY', kind: 'string', help: 'secret access key' },
  { key: 'region', flag: 'region', env: 'MASSIVE_REGION', kind: 'string', def: 'us-east-1', help: 'region name used in SigV4 scopes' },
  { key: 'domains', flag: 'domain', env: 'MASSIVE_DOMAIN', kind: 'list', def: '', help: 'comma-separated domains for virtual-hosted-style requests (bucket.<domain>)' },
  { key: 'logLevel', flag: 'log-level', env: 'MASSIVE_LOG_LEVEL', kind: 'level', def: 'info', help: 'debug | info | warn | error | silent' },
  { key: 'inlineThreshold', flag: 'inline-threshold', env: 'MASSIVE_INLINE_THRESHOLD', kind: 'int', def: String(128 * 1024), min: 0, help: 'objects up to this many bytes are stored inline in metadata' },
  { key: 'chunkSize', flag: 'chunk-size', env: 'MASSIVE_CHUNK_SIZE', kind: 'int', def: String(8 * 1024 * 1024), min: 65536, help: 'bytes per stored chunk' },
  { key: 'intentTtlMs', flag: 'intent-ttl-ms', env: 'MASSIVE_INTENT_TTL_MS', kind: 'int', def: String(6 * 3600_000), min: 1000, help: 'how long an unfinished write may run before the janitor reclaims it' },
  { key: 'gcIntervalMs', flag: 'gc-interval-ms', env: 'MASSIVE_GC_INTERVAL_MS', kind: 'int', def: '10000', min: 10, help: 'pause between garbage-collection passes' },
  { key: 'gcGraceMs', flag: 'gc-grace-ms', env: 'MASSIVE_GC_GRACE_MS', kind: 'int', def: '60000', min: 0, help: 'delay before unlinked chunks are deleted (lets in-flight reads finish)' },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout-ms', env: 'MASSIVE_SHUTDOWN_TIMEOUT_MS', kind: 'int', def: '25000', min: 0, help: 'how long SIGTERM waits for in-flight requests' },
];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function usage(): string {
  const lines = SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(30)} ${s.help}${s.def ? ` (default ${s.def || "''"})` : ''}`);
  return `Usage: massive-gateway [flags]\n  flag                     environment variable\n${lines.join('\n')}\n`;
}

/** Parses `--name value` / `--name=value` flags over the environment; throws ConfigError with a clear message. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayConfig {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new ConfigError(`unexpected argument '${a}'\n${usage()}`);
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (!SETTINGS.some((s) => s.flag === name)) throw new ConfigError(`unknown flag --${name}\n${usage()}`);
    const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`flag --${name} needs a value`);
    flags.set(name, value);
  }
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = flags.get(s.flag) ?? env[s.env] ?? s.def;
    if (raw === undefined) continue;
    const where = flags.has(s.flag) ? `--${s.flag}` : env[s.env] !== undefined ? s.env : 'default';
    out[s.key] = parse(s, raw, where);
  }
  const cfg = out as unknown as GatewayConfig;
  if ((cfg.accessKey === undefined) !== (cfg.secretKey === undefined)) {
    throw new ConfigError('set both MASSIVE_ACCESS_KEY and MASSIVE_SECRET_KEY (or --access-key and --secret-key), or neither');
  }
  if (cfg.accessKey !== undefined && !/^[A-Za-z0-9._-]{3,128}$/.test(cfg.accessKey)) {
    throw new ConfigError('the access key must be 3-128 characters of letters, digits, ".", "_" or "-"');
  }
  if (cfg.secretKey !== undefined && cfg.secretKey.length < 8) throw new ConfigError('the secret key must be at least 8 characters');
  return cfg;
}

function parse(s: Setting, raw: string, where: string): unknown {
  switch (s.kind) {
    case 'string':
      if (raw === '') throw new ConfigError(`${where}: ${s.key} must not be empty`);
      return raw;
    case 'list':
      return raw.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x !== '');
    case 'level':
      if (!isLogLevel(raw)) throw new ConfigError(`${where}: log level must be debug, info, warn, error or silent (got '${raw}')`);
      return raw;
    case 'int': {
      const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < (s.min ?? 0)) throw new ConfigError(`${where}: ${s.key} must be an integer >= ${s.min ?? 0} (got '${raw}')`);
      if (s.key === 'port' && n > 65535) throw new ConfigError(`${where}: port must be at most 65535 (got '${raw}')`);
      return n;
    }
  }
}
