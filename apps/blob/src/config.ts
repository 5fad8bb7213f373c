import { hostname } from 'node:os';
import { SEAWEED_SETTINGS, seaweedSettingsError, type SeaweedSettings } from '@massive/blob-seaweedfs';
import { isReplicaId } from '@massive/contracts';
import { ConfigError, DEFAULT_RESERVE_BYTES, parseSettings, usageOf, type LogLevel, type Setting } from '@massive/observability';

export { ConfigError };

/** Blob service settings: flags win over environment variables, which win over defaults. */
export interface BlobConfig extends SeaweedSettings {
  readonly host: string;
  readonly grpcPort: number;
  /** The HTTP blob data path's port (bodies outside gRPC); `dataPath: 'off'` serves none. */
  readonly dataPort: number;
  readonly dataPath: 'http' | 'off';
  readonly adminPort: number;
  readonly backend: 'local' | 'seaweedfs';
  readonly dataDir: string;
  /** Local backend: the replica that owns the disk (chunk ids name it); defaulted from the host name. */
  readonly replicaId: string;
  readonly metadataEndpoints: readonly string[];
  readonly chunkSize: number;
  /** Local backend: O_DIRECT or through the page cache. */
  readonly diskIo: 'direct' | 'buffered';
  /** Local backend: free bytes kept for deletes on the data dir's filesystem (0: off). */
  readonly reserveSpace: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
}

export const SETTINGS: readonly Setting<keyof BlobConfig>[] = [
  { key: 'host', flag: 'host', env: 'MASSIVE_HOST', kind: 'string', def: '0.0.0.0', help: 'address to listen on (gRPC and admin)' },
  { key: 'grpcPort', flag: 'grpc-port', env: 'MASSIVE_GRPC_PORT', kind: 'port', def: '7071', help: 'gRPC port of massive.blob.v1.Blob (0 picks a free port)' },
  { key: 'dataPort', flag: 'data-port', env: 'MASSIVE_DATA_PORT', kind: 'port', help: 'HTTP/1.1 data port for object bodies (same TLS and service token as gRPC; 0 picks a free port; default: the gRPC port + 1)' },
  { key: 'dataPath', flag: 'data-path', env: 'MASSIVE_DATA_PATH', kind: 'enum', values: ['http', 'off'], def: 'http', help: 'http: serve bodies on the data port too | off: bodies only over gRPC Write/Read' },
  { key: 'adminPort', flag: 'admin-port', env: 'MASSIVE_ADMIN_PORT', kind: 'port', def: '9102', help: 'admin HTTP port: /metrics, /health/live, /health/ready' },
  { key: 'backend', flag: 'backend', env: 'MASSIVE_BLOB_BACKEND', kind: 'enum', values: ['local', 'seaweedfs'], def: 'local', help: 'local (chunks under --data-dir) | seaweedfs (--seaweed-masters)' },
  { key: 'dataDir', flag: 'data-dir', env: 'MASSIVE_DATA_DIR', kind: 'string', def: './data', help: 'local backend: chunks live in <data-dir>/blobs' },
  { key: 'replicaId', flag: 'replica-id', env: 'MASSIVE_BLOB_REPLICA_ID', kind: 'string', help: 'local backend: this replica\'s id, named by its chunk ids and bound to its data dir (default: the host name, e.g. the StatefulSet pod massive-blob-0)' },
  ...SEAWEED_SETTINGS,
  { key: 'metadataEndpoints', flag: 'metadata-endpoints', env: 'MASSIVE_METADATA_ENDPOINTS', kind: 'list', keepCase: true, def: '', help: 'seaweedfs backend: metadata gRPC targets, where fids are recorded under write intents before upload' },
  { key: 'chunkSize', flag: 'chunk-size', env: 'MASSIVE_CHUNK_SIZE', kind: 'int', def: String(8 * 1024 * 1024), min: 1024 * 1024, help: 'bytes per stored chunk (at least 1 MiB, so a 5 GiB PUT or part lists at most 5,120 chunks)' },
  { key: 'diskIo', flag: 'disk-io', env: 'MASSIVE_DISK_IO', kind: 'enum', values: ['direct', 'buffered'], def: 'direct', help: 'local backend: direct: chunk data bypasses the page cache (O_DIRECT; falls back to buffered, with a warning, where the filesystem refuses it) | buffered: through the page cache' },
  { key: 'reserveSpace', flag: 'reserve-space', env: 'MASSIVE_RESERVE_SPACE', kind: 'int', def: String(DEFAULT_RESERVE_BYTES), min: 0, help: 'local backend: free bytes kept for deletes on the filesystem of the data dir: below it, chunk writes are refused with InsufficientStorage (S3 507) while reads and deletes go on (0: off)' },
  { key: 'logLevel', flag: 'log-level', env: 'MASSIVE_LOG_LEVEL', kind: 'level', def: 'info', help: 'debug | info | warn | error | silent' },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout-ms', env: 'MASSIVE_SHUTDOWN_TIMEOUT_MS', kind: 'int', def: '25000', min: 0, help: 'how long SIGTERM waits for in-flight calls' },
];

export function usage(): string {
  return usageOf('massive-blob', SETTINGS);
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BlobConfig {
  const parsed = parseSettings(SETTINGS, argv, env, 'massive-blob') as unknown as Omit<BlobConfig, 'replicaId' | 'dataPort'> & { replicaId?: string; dataPort?: number };
  const cfg: BlobConfig = { ...parsed, replicaId: parsed.replicaId ?? defaultReplicaId(hostname()), dataPort: parsed.dataPort ?? defaultDataPort(parsed.grpcPort) };
  if (cfg.dataPath === 'http' && cfg.dataPort !== 0 && (cfg.dataPort === cfg.grpcPort || cfg.dataPort === cfg.adminPort)) {
    throw new ConfigError(`the data port ${cfg.dataPort} is also the gRPC or admin port: set MASSIVE_DATA_PORT (or --data-port) to a port of its own`);
  }
  if (cfg.backend === 'local' && cfg.seaweedMasters.length > 0) {
    throw new ConfigError('MASSIVE_SEAWEED_MASTERS is set but the backend is local: set MASSIVE_BLOB_BACKEND=seaweedfs, or unset it');
  }
  if (cfg.backend === 'seaweedfs') checkSeaweed(cfg);
  if (cfg.backend === 'local' && !isReplicaId(cfg.replicaId)) {
    const from = parsed.replicaId === undefined ? ' (from the host name)' : '';
    throw new ConfigError(`blob replica id '${cfg.replicaId}'${from} is not a DNS label (1-63 of [a-z0-9-]): set MASSIVE_BLOB_REPLICA_ID (or --replica-id)`);
  }
  return cfg;
}

function checkSeaweed(cfg: BlobConfig): void {
  const problem = seaweedSettingsError(cfg);
  if (problem) throw new ConfigError(problem);
  if (cfg.metadataEndpoints.length === 0) {
    throw new ConfigError(
      'MASSIVE_BLOB_BACKEND=seaweedfs needs MASSIVE_METADATA_ENDPOINTS (or --metadata-endpoints): every fid is recorded under its write intent in metadata before upload, so a crash leaks nothing',
    );
  }
}

/** The gRPC port + 1 (7072 by default); 0 (a free port) when the gRPC port is picked free too. */
function defaultDataPort(grpcPort: number): number {
  if (grpcPort === 0) return 0;
  if (grpcPort === 65535) throw new ConfigError('the data port defaults to the gRPC port + 1, and the gRPC port is 65535: set MASSIVE_DATA_PORT (or --data-port)');
  return grpcPort + 1;
}

/**
 * The host name's first label as a DNS label: a StatefulSet pod's name (`massive-blob-0`) as is; other
 * host names lower-cased, with characters outside [a-z0-9-] turned into '-' (stable for a given host).
 */
export function defaultReplicaId(host: string): string {
  const label = host.split('.')[0].toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
  return label === '' ? 'blob' : label;
}
