import { ConfigError, DEFAULT_RESERVE_BYTES, parseSettings, usageOf, type LogLevel, type Setting } from '@massive/observability';
import { SEAWEED_SETTINGS, seaweedSettingsError, type SeaweedSettings } from '@massive/blob-seaweedfs';
import { isPlaceholderSecret, parseEndpoints } from '@massive/rpc';
import { DEFAULT_MAP_SIZE } from '@massive/kv-embedded';
import { readFileSync } from 'node:fs';
import { DEFAULT_S3_CONFIG, DEFAULT_SERVER_LIMITS, KmsKeys, type MetricsAccess, type S3ApiConfig, type S3Tls, type ServerLimits } from '@massive/s3-api';

export { ConfigError };

/** Gateway settings: flags win over environment variables, which win over defaults. */
export interface GatewayConfig extends SeaweedSettings {
  /** local: metadata and blob in-process; distributed: gRPC clients to the metadata and blob services. */
  readonly mode: 'local' | 'distributed';
  readonly host: string;
  readonly port: number;
  /** Admin HTTP (/metrics, /health/*); default 9100 in distributed mode, off in local mode (/-/ on the S3 port). */
  readonly adminPort?: number;
  readonly dataDir: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly region: string;
  readonly domains: readonly string[];
  /** Static website endpoint (PutBucketWebsite): its port (0 picks a free one; unset: no website endpoint). */
  readonly websitePort?: number;
  /** Root domains of the website endpoint: `<bucket>.<domain>` names a bucket there. */
  readonly websiteDomains: readonly string[];
  /** SSE-KMS: the built-in key service's key ids; the first is the default key. */
  readonly kmsKeys: readonly string[];
  /** Server access logging: how long a target's records wait in memory before they are written. */
  readonly accessLogFlushMs: number;
  readonly logLevel: LogLevel;
  readonly inlineThreshold: number;
  readonly chunkSize: number;
  /** Local disk chunks: O_DIRECT or through the page cache. */
  readonly diskIo: 'direct' | 'buffered';
  /** Free bytes kept for deletes on the data dir's filesystem (local mode; 0: off). */
  readonly reserveSpace: number;
  /** Address space the metadata store (LMDB) maps up front (local mode); it maps more as it grows. */
  readonly metadataMapBytes: number;
  readonly intentTtlMs: number;
  readonly gcIntervalMs: number;
  readonly gcGraceMs: number;
  readonly lifecycleEnabled: 'true' | 'false';
  readonly lifecycleIntervalMs: number;
  readonly lifecycleMaxRecords: number;
  readonly readLeaseAfterMs: number;
  readonly shutdownTimeoutMs: number;
  readonly metadataEndpoints: readonly string[];
  readonly blobEndpoints: readonly string[];
  readonly rpcTimeoutMs: number;
  readonly rpcMux: 'true' | 'false';
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly bodyIdleTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxInflightBodyBytes: number;
  readonly maxHeaderBytes: number;
  readonly maxKeyBytes: number;
  readonly maxMetadataBytes: number;
  /** Local mode: where chunks go (local disk under dataDir, or SeaweedFS). The blob service has its own. */
  readonly blobBackend: 'local' | 'seaweedfs';
  /** HTTPS on the S3 port: PEM certificate chain and key files (both or neither). */
  readonly s3TlsCert?: string;
  readonly s3TlsKey?: string;
  /** Refuse UNSIGNED-PAYLOAD bodies over plain HTTP. */
  readonly requireSignedPayload: 'true' | 'false';
  readonly sigV2: 'on' | 'off';
  readonly hashThreads: number;
  /** `/-/metrics` on the S3 port: bearer token, or public. */
  readonly metricsToken?: string;
  readonly metricsPublic: 'true' | 'false';
}

export const DEFAULT_GATEWAY_ADMIN_PORT = 9100;

export const SETTINGS: readonly Setting<keyof GatewayConfig>[] = [
  { key: 'mode', flag: 'mode', env: 'MASSIVE_MODE', kind: 'enum', values: ['local', 'distributed'], help: 'local | distributed (default: distributed when endpoints are set, else local)' },
  { key: 'host', flag: 'host', env: 'MASSIVE_HOST', kind: 'string', def: '0.0.0.0', help: 'address to listen on' },
  { key: 'port', flag: 'port', env: 'MASSIVE_PORT', kind: 'port', def: '8080', min: 0, help: 'S3 port (0 picks a free port)' },
  { key: 'adminPort', flag: 'admin-port', env: 'MASSIVE_ADMIN_PORT', kind: 'port', min: 0, help: `admin HTTP port: /metrics, /health/live, /health/ready (distributed default ${DEFAULT_GATEWAY_ADMIN_PORT})` },
  { key: 'dataDir', flag: 'data-dir', env: 'MASSIVE_DATA_DIR', kind: 'string', def: './data', help: 'where metadata and chunks live (local mode; development credentials in both modes)' },
  { key: 'accessKey', flag: 'access-key', env: 'MASSIVE_ACCESS_KEY', kind: 'string', help: 'access key id (default: generated development credentials)' },
  { key: 'secretKey', flag: 'secret-key', env: 'MASSIVE_SECRET_KEY', kind: 'string', help: 'secret access key' },
  { key: 'region', flag: 'region', env: 'MASSIVE_REGION', kind: 'string', def: 'us-east-1', help: 'region name used in SigV4 scopes' },
  { key: 'domains', flag: 'domain', env: 'MASSIVE_DOMAIN', kind: 'list', def: '', help: 'comma-separated domains for virtual-hosted-style requests (bucket.<domain>)' },
  { key: 'websitePort', flag: 'website-port', env: 'MASSIVE_WEBSITE_PORT', kind: 'port', min: 0, help: 'serve buckets\' static websites (PutBucketWebsite) on this port, plain HTTP (0 picks a free port; unset: off)' },
  { key: 'websiteDomains', flag: 'website-domain', env: 'MASSIVE_WEBSITE_DOMAINS', kind: 'list', def: '', help: 'comma-separated root domains of the website port (<bucket>.<domain>; any other host names the bucket called like it)' },
  { key: 'kmsKeys', flag: 'kms-keys', env: 'MASSIVE_KMS_KEYS', kind: 'list', def: 'default', help: 'comma-separated SSE-KMS key ids (aws:kms), the first the default key; data keys are sealed under the master key, bound to the KMS key' },
  { key: 'accessLogFlushMs', flag: 'access-log-flush-ms', env: 'MASSIVE_ACCESS_LOG_FLUSH_MS', kind: 'int', def: '60000', min: 10, help: 'server access logging (PutBucketLogging): a log object is written this long after its first record (or at 64 KiB, or at shutdown)' },
  { key: 'logLevel', flag: 'log-level', env: 'MASSIVE_LOG_LEVEL', kind: 'level', def: 'info', help: 'debug | info | warn | error | silent' },
  { key: 'inlineThreshold', flag: 'inline-threshold', env: 'MASSIVE_INLINE_THRESHOLD', kind: 'int', def: String(128 * 1024), min: 0, help: 'objects up to this many bytes are stored inline in metadata' },
  { key: 'chunkSize', flag: 'chunk-size', env: 'MASSIVE_CHUNK_SIZE', kind: 'int', def: String(8 * 1024 * 1024), min: 1024 * 1024, help: 'bytes per stored chunk (at least 1 MiB, so a 5 GiB PUT or part lists at most 5,120 chunks) (local mode; the blob service has its own)' },
  { key: 'diskIo', flag: 'disk-io', env: 'MASSIVE_DISK_IO', kind: 'enum', values: ['direct', 'buffered'], def: 'direct', help: 'direct: chunk data bypasses the page cache (O_DIRECT; falls back to buffered, with a warning, where the filesystem refuses it) | buffered: through the page cache (local mode with chunks on local disk)' },
  { key: 'reserveSpace', flag: 'reserve-space', env: 'MASSIVE_RESERVE_SPACE', kind: 'int', def: String(DEFAULT_RESERVE_BYTES), min: 0, help: 'free bytes kept for deletes on the filesystem of the data dir: below it, writes that add data are refused with 507 InsufficientStorage while reads and deletes go on (local mode; 0: off)' },
  { key: 'metadataMapBytes', flag: 'metadata-map-bytes', env: 'MASSIVE_METADATA_MAP_BYTES', kind: 'int', def: String(DEFAULT_MAP_SIZE), min: 1024 * 1024, help: 'address space the embedded metadata store maps up front; not a limit (it maps more as it grows): lower it where virtual memory is capped (ulimit -v, valgrind) (local mode)' },
  { key: 'intentTtlMs', flag: 'intent-ttl-ms', env: 'MASSIVE_INTENT_TTL_MS', kind: 'int', def: String(6 * 3600_000), min: 1000, help: 'how long an unfinished write may run before the janitor reclaims it' },
  { key: 'gcIntervalMs', flag: 'gc-interval-ms', env: 'MASSIVE_GC_INTERVAL_MS', kind: 'int', def: '10000', min: 10, help: 'pause between garbage-collection passes (local mode)' },
  { key: 'gcGraceMs', flag: 'gc-grace-ms', env: 'MASSIVE_GC_GRACE_MS', kind: 'int', def: '60000', min: 0, help: 'delay before unlinked chunks are deleted (local mode)' },
  { key: 'lifecycleEnabled', flag: 'lifecycle-enabled', env: 'MASSIVE_LIFECYCLE_ENABLED', kind: 'enum', values: ['true', 'false'], def: 'true', help: 'run the bucket lifecycle worker (local mode): expirations and aborts of stale uploads' },
  { key: 'lifecycleIntervalMs', flag: 'lifecycle-interval-ms', env: 'MASSIVE_LIFECYCLE_INTERVAL_MS', kind: 'int', def: '60000', min: 10, help: 'pause between lifecycle passes (local mode)' },
  { key: 'lifecycleMaxRecords', flag: 'lifecycle-max-records', env: 'MASSIVE_LIFECYCLE_MAX_RECORDS', kind: 'int', def: '20000', min: 1, help: 'versions, uploads and buckets examined per lifecycle pass (the next pass resumes) (local mode)' },
  { key: 'readLeaseAfterMs', flag: 'read-lease-after-ms', env: 'MASSIVE_READ_LEASE_AFTER_MS', kind: 'int', def: '10000', min: 100, help: 'a GET or copy still streaming after this long leases its version against GC (renewed at this interval); keep it under half the GC grace' },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout-ms', env: 'MASSIVE_SHUTDOWN_TIMEOUT_MS', kind: 'int', def: '25000', min: 0, help: 'how long SIGTERM waits for in-flight requests' },
  { key: 'metadataEndpoints', flag: 'metadata-endpoints', env: 'MASSIVE_METADATA_ENDPOINTS', kind: 'list', keepCase: true, def: '', help: 'distributed: metadata gRPC targets, comma-separated host:port or dns:///host:port' },
  { key: 'blobEndpoints', flag: 'blob-endpoints', env: 'MASSIVE_BLOB_ENDPOINTS', kind: 'list', keepCase: true, def: '', help: 'distributed: blob gRPC targets, comma-separated host:port or dns:///host:port' },
  { key: 'rpcTimeoutMs', flag: 'rpc-timeout-ms', env: 'MASSIVE_RPC_TIMEOUT_MS', kind: 'int', def: '30000', min: 1, help: 'distributed: deadline of each metadata call' },
  { key: 'rpcMux', flag: 'rpc-mux', env: 'MASSIVE_RPC_MUX', kind: 'enum', values: ['true', 'false'], def: 'true', help: 'distributed: metadata calls travel multiplexed on a few long-lived gRPC streams (Mux), batched per event-loop turn; false: one unary call each' },
  // Resource limits (README "Limits and timeouts").
  { key: 'headersTimeoutMs', flag: 'headers-timeout-ms', env: 'MASSIVE_HEADERS_TIMEOUT_MS', kind: 'int', def: String(DEFAULT_SERVER_LIMITS.headersTimeoutMs), min: 100, help: 'request line and headers must arrive within this; silent new connections are closed after it' },
  { key: 'keepAliveTimeoutMs', flag: 'keep-alive-timeout-ms', env: 'MASSIVE_KEEP_ALIVE_TIMEOUT_MS', kind: 'int', def: String(DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs), min: 100, help: 'idle keep-alive connections are closed after this' },
  { key: 'bodyIdleTimeoutMs', flag: 'body-idle-timeout-ms', env: 'MASSIVE_BODY_IDLE_TIMEOUT_MS', kind: 'int', def: String(DEFAULT_S3_CONFIG.bodyIdleTimeoutMs), min: 100, help: 'a request body with no byte for this long is cut (400 RequestTimeout, write abandoned); same for a reader that takes no byte' },
  { key: 'maxConnections', flag: 'max-connections', env: 'MASSIVE_MAX_CONNECTIONS', kind: 'int', def: String(DEFAULT_SERVER_LIMITS.maxConnections), min: 1, help: 'open client connections; past it idle ones are closed first, then requests get 503 SlowDown' },
  { key: 'maxInflightBodyBytes', flag: 'max-inflight-body-bytes', env: 'MASSIVE_MAX_INFLIGHT_BODY_BYTES', kind: 'int', def: String(DEFAULT_S3_CONFIG.maxInflightBodyBytes), min: 1, help: 'request body bytes admitted at once (each body counts min(its length, 3 x chunk size)); past it 503 SlowDown' },
  { key: 'maxHeaderBytes', flag: 'max-header-bytes', env: 'MASSIVE_MAX_HEADER_BYTES', kind: 'int', def: String(DEFAULT_SERVER_LIMITS.maxHeaderBytes), min: 1024, help: 'request line plus headers; past it 400 RequestHeaderSectionTooLarge' },
  { key: 'maxKeyBytes', flag: 'max-key-bytes', env: 'MASSIVE_MAX_KEY_BYTES', kind: 'int', def: String(DEFAULT_S3_CONFIG.maxKeyBytes), min: 1, help: 'longest object key in UTF-8 bytes; past it 400 KeyTooLongError' },
  { key: 'maxMetadataBytes', flag: 'max-metadata-bytes', env: 'MASSIVE_MAX_METADATA_BYTES', kind: 'int', def: String(DEFAULT_S3_CONFIG.maxUserMetadataBytes), min: 0, help: 'user metadata per object (x-amz-meta-* names and values); past it 400 MetadataTooLarge' },
  { key: 'blobBackend', flag: 'blob-backend', env: 'MASSIVE_BLOB_BACKEND', kind: 'enum', values: ['local', 'seaweedfs'], def: 'local', help: 'local mode: chunks on local disk, or in SeaweedFS (--seaweed-masters; the distributed blob service has its own)' },
  ...SEAWEED_SETTINGS,
  { key: 's3TlsCert', flag: 's3-tls-cert', env: 'MASSIVE_S3_TLS_CERT', kind: 'string', help: 'serve HTTPS on the S3 port: PEM certificate chain file (with --s3-tls-key)' },
  { key: 's3TlsKey', flag: 's3-tls-key', env: 'MASSIVE_S3_TLS_KEY', kind: 'string', help: 'serve HTTPS on the S3 port: PEM private key file (with --s3-tls-cert)' },
  { key: 'hashThreads', flag: 'hash-threads', env: 'MASSIVE_HASH_THREADS', kind: 'int', def: '1', min: 0, help: 'threads hashing large request bodies (MD5 for the ETag, SHA-256 of signed payloads) off the event loop; 0 hashes on it' },
  { key: 'requireSignedPayload', flag: 'require-signed-payload', env: 'MASSIVE_REQUIRE_SIGNED_PAYLOAD', kind: 'enum', values: ['true', 'false'], def: 'false', help: 'refuse bodies the signature does not cover (UNSIGNED-PAYLOAD) over plain HTTP with AccessDenied' },
  { key: 'sigV2', flag: 'sigv2', env: 'MASSIVE_SIGV2', kind: 'enum', values: ['on', 'off'], def: 'on', help: 'accept AWS Signature Version 2 (Authorization: AWS ..., and AWSAccessKeyId/Expires/Signature URLs) besides SigV4; off answers them InvalidRequest' },
  { key: 'metricsToken', flag: 'metrics-token', env: 'MASSIVE_METRICS_TOKEN', kind: 'string', help: '/-/metrics on the S3 port needs Authorization: Bearer <this> (the admin port serves /metrics regardless)' },
  { key: 'metricsPublic', flag: 'metrics-public', env: 'MASSIVE_METRICS_PUBLIC', kind: 'enum', values: ['true', 'false'], def: 'false', help: '/-/metrics on the S3 port is open to anyone' },
];

/** Shortest metrics token accepted. */
const MIN_METRICS_TOKEN_LENGTH = 16;

export function usage(): string {
  return usageOf('massive-gateway', SETTINGS);
}

/** Parses `--name value` / `--name=value` flags over the environment; throws ConfigError with a clear message. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayConfig {
  const raw = parseSettings(SETTINGS, argv, env, 'massive-gateway') as Omit<GatewayConfig, 'mode'> & { mode?: GatewayConfig['mode'] };
  const remote = raw.metadataEndpoints.length > 0 || raw.blobEndpoints.length > 0;
  const mode = raw.mode ?? (remote ? 'distributed' : 'local');
  const cfg: GatewayConfig = { ...raw, mode };
  if (mode === 'local' && remote) {
    throw new ConfigError('MASSIVE_MODE=local runs metadata and blob in-process: unset MASSIVE_METADATA_ENDPOINTS and MASSIVE_BLOB_ENDPOINTS, or use MASSIVE_MODE=distributed');
  }
  if (mode === 'distributed') {
    if (raw.metadataEndpoints.length === 0 || raw.blobEndpoints.length === 0) {
      throw new ConfigError('distributed mode needs MASSIVE_METADATA_ENDPOINTS and MASSIVE_BLOB_ENDPOINTS (or --metadata-endpoints and --blob-endpoints), e.g. 127.0.0.1:7070 and 127.0.0.1:7071');
    }
    try {
      parseEndpoints(raw.metadataEndpoints.join(','), 'MASSIVE_METADATA_ENDPOINTS');
      parseEndpoints(raw.blobEndpoints.join(','), 'MASSIVE_BLOB_ENDPOINTS');
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  if (mode === 'local' && cfg.blobBackend === 'seaweedfs') {
    const problem = seaweedSettingsError(cfg);
    if (problem) throw new ConfigError(problem);
  }
  if ((cfg.accessKey === undefined) !== (cfg.secretKey === undefined)) {
    throw new ConfigError('set both MASSIVE_ACCESS_KEY and MASSIVE_SECRET_KEY (or --access-key and --secret-key), or neither');
  }
  if (cfg.accessKey !== undefined && !/^[A-Za-z0-9._-]{3,128}$/.test(cfg.accessKey)) {
    throw new ConfigError('the access key must be 3-128 characters of letters, digits, ".", "_" or "-"');
  }
  if (cfg.secretKey !== undefined && cfg.secretKey.length < 8) throw new ConfigError('the secret key must be at least 8 characters');
  const problem = s3SecurityError(cfg);
  if (problem) throw new ConfigError(problem);
  try {
    // The same checks the S3 API makes when it builds the key service, before anything listens.
    new KmsKeys(cfg.kmsKeys, cfg.region);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (mode === 'local' && cfg.gcGraceMs > 0 && cfg.readLeaseAfterMs * 2 > cfg.gcGraceMs) {
    // A read takes its first lease after readLeaseAfterMs; chunks unlinked under it wait gcGraceMs.
    throw new ConfigError(
      `MASSIVE_READ_LEASE_AFTER_MS (${cfg.readLeaseAfterMs}) must be at most half of MASSIVE_GC_GRACE_MS (${cfg.gcGraceMs}), or long reads may lose their chunks to GC`,
    );
  }
  return cfg;
}

/** What the S3 API gets from the configuration (the same in both modes). */
export function s3ApiConfig(cfg: GatewayConfig): S3ApiConfig {
  return {
    ...DEFAULT_S3_CONFIG,
    region: cfg.region,
    vhostDomains: cfg.domains,
    inlineThreshold: cfg.inlineThreshold,
    intentTtlMs: cfg.intentTtlMs,
    readLeaseAfterMs: cfg.readLeaseAfterMs,
    maxKeyBytes: cfg.maxKeyBytes,
    maxUserMetadataBytes: cfg.maxMetadataBytes,
    bodyIdleTimeoutMs: cfg.bodyIdleTimeoutMs,
    maxInflightBodyBytes: cfg.maxInflightBodyBytes,
    // What one upload can hold: the chunk being filled plus the blob writer's puts in flight.
    maxBodyChargeBytes: 3 * cfg.chunkSize,
    requireSignedPayload: cfg.requireSignedPayload === 'true',
    sigV2: cfg.sigV2 === 'on',
    hashThreads: cfg.hashThreads,
    kmsKeyIds: cfg.kmsKeys,
    accessLogFlushMs: cfg.accessLogFlushMs,
  };
}

/** HTTPS, signed payloads and the metrics token: what is inconsistent, or undefined. */
function s3SecurityError(cfg: GatewayConfig): string | undefined {
  if ((cfg.s3TlsCert === undefined) !== (cfg.s3TlsKey === undefined)) return 'HTTPS on the S3 port needs both MASSIVE_S3_TLS_CERT and MASSIVE_S3_TLS_KEY (or --s3-tls-cert and --s3-tls-key)';
  if (cfg.metricsToken !== undefined) {
    if (cfg.metricsPublic === 'true') return 'MASSIVE_METRICS_TOKEN and MASSIVE_METRICS_PUBLIC=true contradict each other: set one';
    if (isPlaceholderSecret(cfg.metricsToken)) return 'MASSIVE_METRICS_TOKEN still holds a placeholder (CHANGE-ME): put a random token in the Secret (e.g. openssl rand -base64 32)';
    if (cfg.metricsToken.length < MIN_METRICS_TOKEN_LENGTH) return `MASSIVE_METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters`;
  }
  return undefined;
}

/** Who may read `/-/metrics` on the S3 port. */
export function metricsAccess(cfg: GatewayConfig): MetricsAccess {
  return { public: cfg.metricsPublic === 'true', ...(cfg.metricsToken !== undefined && { token: cfg.metricsToken }) };
}

/** The S3 port's certificate and key when it serves HTTPS (read once at start; restart to rotate). */
export function s3Tls(cfg: GatewayConfig, readFile: (path: string) => Buffer = readFileSync): S3Tls | undefined {
  if (cfg.s3TlsCert === undefined || cfg.s3TlsKey === undefined) return undefined;
  const load = (name: string, path: string): Buffer => {
    try {
      return readFile(path);
    } catch (e) {
      throw new ConfigError(`${name}: cannot read ${path}: ${(e as Error).message}`);
    }
  };
  return { cert: load('MASSIVE_S3_TLS_CERT', cfg.s3TlsCert), key: load('MASSIVE_S3_TLS_KEY', cfg.s3TlsKey) };
}

/** What the S3 port's HTTP server enforces. */
export function serverLimits(cfg: GatewayConfig): ServerLimits {
  return { headersTimeoutMs: cfg.headersTimeoutMs, keepAliveTimeoutMs: cfg.keepAliveTimeoutMs, maxConnections: cfg.maxConnections, maxHeaderBytes: cfg.maxHeaderBytes };
}
