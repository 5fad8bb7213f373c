import { normaliseMasterUrl } from '@massive/blob-seaweedfs';
import { ConfigError, parseSettings, usageOf, type LogLevel, type Setting } from '@massive/observability';

export { ConfigError };

/** Blob service settings: flags win over environment variables, which win over defaults. */
export interface BlobConfig {
  readonly host: string;
  readonly grpcPort: number;
  readonly adminPort: number;
  readonly backend: 'local' | 'seaweedfs';
  readonly dataDir: string;
  readonly seaweedMasters: readonly string[];
  readonly seaweedCollection?: string;
  readonly seaweedReplication?: string;
  readonly seaweedJwtSigningKey?: string;
  readonly seaweedJwtReadSigningKey?: string;
  readonly metadataEndpoints: readonly string[];
  readonly chunkSize: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
}

export const SETTINGS: readonly Setting<keyof BlobConfig>[] = [
  { key: 'host', flag: 'host', env: 'MASSIVE_HOST', kind: 'string', def: '0.0.0.0', help: 'address to listen on (gRPC and admin)' },
  { key: 'grpcPort', flag: 'grpc-port', env: 'MASSIVE_GRPC_PORT', kind: 'port', def: '7071', help: 'gRPC port of massive.blob.v1.Blob (0 picks a free port)' },
  { key: 'adminPort', flag: 'admin-port', env: 'MASSIVE_ADMIN_PORT', kind: 'port', def: '9102', help: 'admin HTTP port: /metrics, /health/live, /health/ready' },
  { key: 'backend', flag: 'backend', env: 'MASSIVE_BLOB_BACKEND', kind: 'enum', values: ['local', 'seaweedfs'], def: 'local', help: 'local (chunks under --data-dir) | seaweedfs (--seaweed-masters)' },
  { key: 'dataDir', flag: 'data-dir', env: 'MASSIVE_DATA_DIR', kind: 'string', def: './data', help: 'local backend: chunks live in <data-dir>/blobs' },
  { key: 'seaweedMasters', flag: 'seaweed-masters', env: 'MASSIVE_SEAWEED_MASTERS', kind: 'list', keepCase: true, def: '', help: 'seaweedfs backend: master addresses, comma-separated host:port' },
  { key: 'seaweedCollection', flag: 'seaweed-collection', env: 'MASSIVE_SEAWEED_COLLECTION', kind: 'string', help: 'seaweedfs backend: collection for chunk volumes (letters, digits, _ . -; default: the default collection)' },
  { key: 'seaweedReplication', flag: 'seaweed-replication', env: 'MASSIVE_SEAWEED_REPLICATION', kind: 'string', help: "seaweedfs backend: replica placement xyz, e.g. 001 (default: the master's -defaultReplication)" },
  { key: 'seaweedJwtSigningKey', flag: 'seaweed-jwt-signing-key', env: 'MASSIVE_SEAWEED_JWT_SIGNING_KEY', kind: 'string', help: 'seaweedfs backend: the cluster\'s [jwt.signing] key, if volume writes are secured (never logged)' },
  { key: 'seaweedJwtReadSigningKey', flag: 'seaweed-jwt-read-signing-key', env: 'MASSIVE_SEAWEED_JWT_READ_SIGNING_KEY', kind: 'string', help: 'seaweedfs backend: the cluster\'s [jwt.signing.read] key, if volume reads are secured' },
  { key: 'metadataEndpoints', flag: 'metadata-endpoints', env: 'MASSIVE_METADATA_ENDPOINTS', kind: 'list', keepCase: true, def: '', help: 'seaweedfs backend: metadata gRPC targets, where fids are recorded under write intents before upload' },
  { key: 'chunkSize', flag: 'chunk-size', env: 'MASSIVE_CHUNK_SIZE', kind: 'int', def: String(8 * 1024 * 1024), min: 65536, help: 'bytes per stored chunk' },
  { key: 'logLevel', flag: 'log-level', env: 'MASSIVE_LOG_LEVEL', kind: 'level', def: 'info', help: 'debug | info | warn | error | silent' },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout-ms', env: 'MASSIVE_SHUTDOWN_TIMEOUT_MS', kind: 'int', def: '25000', min: 0, help: 'how long SIGTERM waits for in-flight calls' },
];

export function usage(): string {
  return usageOf('massive-blob', SETTINGS);
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BlobConfig {
  const cfg = parseSettings(SETTINGS, argv, env, 'massive-blob') as unknown as BlobConfig;
  if (cfg.backend === 'seaweedfs' && cfg.seaweedMasters.length === 0) {
    throw new ConfigError('MASSIVE_BLOB_BACKEND=seaweedfs needs MASSIVE_SEAWEED_MASTERS (or --seaweed-masters), e.g. seaweed-master:9333');
  }
  if (cfg.backend === 'local' && cfg.seaweedMasters.length > 0) {
    throw new ConfigError('MASSIVE_SEAWEED_MASTERS is set but the backend is local: set MASSIVE_BLOB_BACKEND=seaweedfs, or unset it');
  }
  if (cfg.backend === 'seaweedfs') checkSeaweed(cfg);
  return cfg;
}

function checkSeaweed(cfg: BlobConfig): void {
  for (const m of cfg.seaweedMasters) {
    try {
      normaliseMasterUrl(m);
    } catch {
      throw new ConfigError(`MASSIVE_SEAWEED_MASTERS: '${m}' is not a master address (host:port or http://host:port)`);
    }
  }
  if (cfg.seaweedReplication !== undefined && !/^[0-9]{3}$/.test(cfg.seaweedReplication)) {
    throw new ConfigError(`MASSIVE_SEAWEED_REPLICATION must be three digits xyz (e.g. 000, 001, 010), got '${cfg.seaweedReplication}'`);
  }
  if (cfg.seaweedCollection !== undefined && !/^[A-Za-z0-9_.-]{1,128}$/.test(cfg.seaweedCollection)) {
    throw new ConfigError(`MASSIVE_SEAWEED_COLLECTION may hold only letters, digits, '_', '.' and '-', got '${cfg.seaweedCollection}'`);
  }
  if (cfg.metadataEndpoints.length === 0) {
    throw new ConfigError(
      'MASSIVE_BLOB_BACKEND=seaweedfs needs MASSIVE_METADATA_ENDPOINTS (or --metadata-endpoints): every fid is recorded under its write intent in metadata before upload, so a crash leaks nothing',
    );
  }
}
