import { ConfigError, DEFAULT_RESERVE_BYTES, parseSettings, usageOf, type LogLevel, type Setting } from '@massive/observability';
import { parseEndpoints } from '@massive/rpc';
import { DEFAULT_MAP_SIZE } from '@massive/kv-embedded';

export { ConfigError };

/** Metadata service settings: flags win over environment variables, which win over defaults. */
export interface MetadataConfig {
  readonly host: string;
  readonly grpcPort: number;
  /** Mux streams' direct connections (`muxDirect: 'off'`: none offered). */
  readonly muxDirect: 'on' | 'off';
  readonly muxPort: number;
  readonly adminPort: number;
  readonly backend: 'embedded' | 'tikv';
  readonly dataDir: string;
  /** Embedded backend: free bytes kept for deletes on the data dir's filesystem (0: off). */
  readonly reserveSpace: number;
  /** Embedded backend: address space the store (LMDB) maps up front; it maps more as it grows. */
  readonly metadataMapBytes: number;
  readonly pdEndpoints: readonly string[];
  readonly blobEndpoints: readonly string[];
  readonly logLevel: LogLevel;
  readonly gcIntervalMs: number;
  readonly gcGraceMs: number;
  readonly lifecycleEnabled: 'true' | 'false';
  readonly lifecycleIntervalMs: number;
  readonly lifecycleMaxRecords: number;
  readonly tikvGcLifetimeMs: number;
  readonly tikvGcIntervalMs: number;
  readonly rpcTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
}

export const SETTINGS: readonly Setting<keyof MetadataConfig>[] = [
  { key: 'host', flag: 'host', env: 'MASSIVE_HOST', kind: 'string', def: '0.0.0.0', help: 'address to listen on (gRPC and admin)' },
  { key: 'grpcPort', flag: 'grpc-port', env: 'MASSIVE_GRPC_PORT', kind: 'port', def: '7070', help: 'gRPC port of massive.metadata.v1.Metadata (0 picks a free port)' },
  { key: 'muxDirect', flag: 'mux-direct', env: 'MASSIVE_MUX_DIRECT', kind: 'enum', values: ['on', 'off'], def: 'on', help: 'offer each Mux stream a direct TCP connection for its messages (same TLS; the ticket comes over the authenticated stream): on | off' },
  { key: 'muxPort', flag: 'mux-port', env: 'MASSIVE_MUX_PORT', kind: 'port', help: 'port of Mux direct connections (0 picks a free port; default: the gRPC port + 3, 7073, clear of the blob service\'s 7071 and 7072 on one machine)' },
  { key: 'adminPort', flag: 'admin-port', env: 'MASSIVE_ADMIN_PORT', kind: 'port', def: '9101', help: 'admin HTTP port: /metrics, /health/live, /health/ready' },
  { key: 'backend', flag: 'backend', env: 'MASSIVE_METADATA_BACKEND', kind: 'enum', values: ['embedded', 'tikv'], def: 'embedded', help: 'embedded (LMDB under --data-dir) | tikv (--pd-endpoints)' },
  { key: 'dataDir', flag: 'data-dir', env: 'MASSIVE_DATA_DIR', kind: 'string', def: './data', help: 'embedded backend: the store lives in <data-dir>/metadata' },
  { key: 'reserveSpace', flag: 'reserve-space', env: 'MASSIVE_RESERVE_SPACE', kind: 'int', def: String(DEFAULT_RESERVE_BYTES), min: 0, help: 'embedded backend: free bytes kept for deletes on the filesystem of the data dir: below it, writes that add data are refused with InsufficientStorage (S3 507) while reads and deletes go on (0: off; TiKV keeps its own reserve-space)' },
  { key: 'metadataMapBytes', flag: 'metadata-map-bytes', env: 'MASSIVE_METADATA_MAP_BYTES', kind: 'int', def: String(DEFAULT_MAP_SIZE), min: 1024 * 1024, help: 'embedded backend: address space the store maps up front; not a limit (it maps more as it grows): lower it where virtual memory is capped (ulimit -v, valgrind)' },
  { key: 'pdEndpoints', flag: 'pd-endpoints', env: 'MASSIVE_PD_ENDPOINTS', kind: 'list', keepCase: true, def: '', help: 'tikv backend: PD addresses, comma-separated host:port' },
  { key: 'blobEndpoints', flag: 'blob-endpoints', env: 'MASSIVE_BLOB_ENDPOINTS', kind: 'list', keepCase: true, def: '', help: 'blob gRPC targets for garbage collection, comma-separated host:port or dns:///host:port' },
  { key: 'logLevel', flag: 'log-level', env: 'MASSIVE_LOG_LEVEL', kind: 'level', def: 'info', help: 'debug | info | warn | error | silent' },
  { key: 'gcIntervalMs', flag: 'gc-interval-ms', env: 'MASSIVE_GC_INTERVAL_MS', kind: 'int', def: '10000', min: 10, help: 'pause between garbage-collection passes' },
  { key: 'gcGraceMs', flag: 'gc-grace-ms', env: 'MASSIVE_GC_GRACE_MS', kind: 'int', def: '60000', min: 0, help: 'delay before unlinked chunks are deleted (lets in-flight reads finish)' },
  { key: 'lifecycleEnabled', flag: 'lifecycle-enabled', env: 'MASSIVE_LIFECYCLE_ENABLED', kind: 'enum', values: ['true', 'false'], def: 'true', help: 'run the bucket lifecycle worker: expirations and aborts of stale uploads' },
  { key: 'lifecycleIntervalMs', flag: 'lifecycle-interval-ms', env: 'MASSIVE_LIFECYCLE_INTERVAL_MS', kind: 'int', def: '60000', min: 10, help: 'pause between lifecycle passes' },
  { key: 'lifecycleMaxRecords', flag: 'lifecycle-max-records', env: 'MASSIVE_LIFECYCLE_MAX_RECORDS', kind: 'int', def: '20000', min: 1, help: 'versions, uploads and buckets examined per lifecycle pass (the next pass resumes)' },
  { key: 'tikvGcLifetimeMs', flag: 'tikv-gc-lifetime-ms', env: 'MASSIVE_TIKV_GC_LIFETIME_MS', kind: 'int', def: '600000', min: 1000, help: 'tikv backend: how long a replaced or deleted version stays readable before MVCC GC may drop it (TiDB\'s tikv_gc_life_time); must exceed the longest transaction plus the 10 s another replica takes to learn a new safe point' },
  { key: 'tikvGcIntervalMs', flag: 'tikv-gc-interval-ms', env: 'MASSIVE_TIKV_GC_INTERVAL_MS', kind: 'int', def: '600000', min: 0, help: 'tikv backend: pause between MVCC GC runs (one replica runs them): resolve old locks, then advance PD\'s GC safe point; 0 turns it off, for a cluster whose TiDB runs its own GC worker' },
  { key: 'rpcTimeoutMs', flag: 'rpc-timeout-ms', env: 'MASSIVE_RPC_TIMEOUT_MS', kind: 'int', def: '30000', min: 1, help: 'deadline of each call to the blob service' },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout-ms', env: 'MASSIVE_SHUTDOWN_TIMEOUT_MS', kind: 'int', def: '25000', min: 0, help: 'how long SIGTERM waits for in-flight calls' },
];

export function usage(): string {
  return usageOf('massive-metadata', SETTINGS);
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): MetadataConfig {
  const parsed = parseSettings(SETTINGS, argv, env, 'massive-metadata') as unknown as Omit<MetadataConfig, 'muxPort'> & { muxPort?: number };
  const cfg: MetadataConfig = { ...parsed, muxPort: parsed.muxPort ?? defaultMuxPort(parsed.grpcPort) };
  if (cfg.muxDirect === 'on' && cfg.muxPort !== 0 && (cfg.muxPort === cfg.grpcPort || cfg.muxPort === cfg.adminPort)) {
    throw new ConfigError(`the Mux direct port ${cfg.muxPort} is also the gRPC or admin port: set MASSIVE_MUX_PORT (or --mux-port) to a port of its own`);
  }
  if (cfg.backend === 'tikv' && cfg.pdEndpoints.length === 0) {
    throw new ConfigError('MASSIVE_METADATA_BACKEND=tikv needs MASSIVE_PD_ENDPOINTS (or --pd-endpoints), e.g. pd-0.pd:2379,pd-1.pd:2379');
  }
  if (cfg.backend === 'embedded' && cfg.pdEndpoints.length > 0) {
    throw new ConfigError('MASSIVE_PD_ENDPOINTS is set but the backend is embedded: set MASSIVE_METADATA_BACKEND=tikv, or unset it');
  }
  if (cfg.blobEndpoints.length === 0) {
    throw new ConfigError('MASSIVE_BLOB_ENDPOINTS (or --blob-endpoints) is required: garbage collection deletes chunks on the blob service, e.g. 127.0.0.1:7071');
  }
  try {
    parseEndpoints(cfg.blobEndpoints.join(','), 'MASSIVE_BLOB_ENDPOINTS');
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  return cfg;
}

/** The gRPC port + 3 (7073 by default); 0 (a free port) when the gRPC port is picked free too. */
function defaultMuxPort(grpcPort: number): number {
  if (grpcPort === 0) return 0;
  if (grpcPort > 65532) throw new ConfigError(`the Mux direct port defaults to the gRPC port + 3, and the gRPC port is ${grpcPort}: set MASSIVE_MUX_PORT (or --mux-port)`);
  return grpcPort + 3;
}
