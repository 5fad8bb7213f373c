import { ConfigError, loadConfig, metricsAccess, s3ApiConfig, s3Tls, serverLimits, usage } from './config';

describe('loadConfig', () => {
  it('carries the read-lease interval to the S3 API, and refuses one too long for the GC grace', () => {
    const c = loadConfig([], { MASSIVE_READ_LEASE_AFTER_MS: '250', MASSIVE_GC_GRACE_MS: '1000' });
    expect(s3ApiConfig(c).readLeaseAfterMs).toBe(250);
    expect(() => loadConfig([], { MASSIVE_READ_LEASE_AFTER_MS: '600', MASSIVE_GC_GRACE_MS: '1000' })).toThrow(ConfigError);
  });
  it('reads the SSE-KMS key ids (default: one key, "default"), and refuses ids the key service could not serve', () => {
    expect(s3ApiConfig(loadConfig([], {})).kmsKeyIds).toEqual(['default']);
    expect(s3ApiConfig(loadConfig(['--kms-keys', 'app, backup'], {})).kmsKeyIds).toEqual(['app', 'backup']);
    expect(s3ApiConfig(loadConfig([], { MASSIVE_KMS_KEYS: 'logs' })).kmsKeyIds).toEqual(['logs']);
    expect(() => loadConfig([], { MASSIVE_KMS_KEYS: 'a/b' })).toThrow(/SSE-KMS key id "a\/b"/);
    expect(() => loadConfig([], { MASSIVE_KMS_KEYS: 'a,a' })).toThrow(ConfigError);
  });
  it('has defaults that run', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ port: 8080, dataDir: './data', region: 'us-east-1', logLevel: 'info', domains: [] });
    expect(c.accessKey).toBeUndefined();
  });
  it('maps 64 GiB for the metadata store up front unless told less, and no less than 1 MiB', () => {
    expect(loadConfig([], {}).metadataMapBytes).toBe(64 * 2 ** 30);
    expect(loadConfig([], { MASSIVE_METADATA_MAP_BYTES: String(2 ** 30) }).metadataMapBytes).toBe(2 ** 30);
    expect(loadConfig(['--metadata-map-bytes', '1048576'], {}).metadataMapBytes).toBe(1048576);
    expect(() => loadConfig([], { MASSIVE_METADATA_MAP_BYTES: '4096' })).toThrow(ConfigError);
  });
  it('reads the environment, and flags win over it', () => {
    const env = { MASSIVE_PORT: '9000', MASSIVE_DATA_DIR: '/srv/s3', MASSIVE_ACCESS_KEY: 'AKID1', MASSIVE_SECRET_KEY: 'secret123' };
    expect(loadConfig([], env)).toMatchObject({ port: 9000, dataDir: '/srv/s3', accessKey: 'AKID1', secretKey: 'secret123' });
    expect(loadConfig(['--port', '9001', '--data-dir=/tmp/x'], env)).toMatchObject({ port: 9001, dataDir: '/tmp/x' });
    expect(loadConfig(['--domain', 'S3.Example.com, s3.local'], {}).domains).toEqual(['s3.example.com', 's3.local']);
  });
  it('reads the SeaweedFS settings for local mode, and leaves them to the blob service in distributed mode', () => {
    const sw = { MASSIVE_BLOB_BACKEND: 'seaweedfs', MASSIVE_SEAWEED_MASTERS: 'm0:9333,m1:9333', MASSIVE_SEAWEED_COLLECTION: 'objects' };
    expect(loadConfig([], sw)).toMatchObject({ mode: 'local', blobBackend: 'seaweedfs', seaweedMasters: ['m0:9333', 'm1:9333'], seaweedCollection: 'objects' });
    expect(loadConfig([], {}).blobBackend).toBe('local');
    const remote = { MASSIVE_METADATA_ENDPOINTS: 'm:7070', MASSIVE_BLOB_ENDPOINTS: 'b:7071', MASSIVE_BLOB_BACKEND: 'seaweedfs' };
    expect(loadConfig([], remote).mode).toBe('distributed');
  });
  it('infers distributed mode from the endpoints, and validates them', () => {
    const env = { MASSIVE_METADATA_ENDPOINTS: '10.0.0.1:7070,10.0.0.2:7070', MASSIVE_BLOB_ENDPOINTS: 'dns:///blob.massive:7071' };
    expect(loadConfig([], env)).toMatchObject({ mode: 'distributed', metadataEndpoints: ['10.0.0.1:7070', '10.0.0.2:7070'], blobEndpoints: ['dns:///blob.massive:7071'] });
    expect(loadConfig([], {}).mode).toBe('local');
    expect(loadConfig(['--mode', 'distributed', '--metadata-endpoints', 'm:1', '--blob-endpoints', 'b:2'], {}).mode).toBe('distributed');
  });
  it('has resource limits with sane defaults, settable by flag or environment, and --help lists them', () => {
    const c = loadConfig([], {});
    expect(serverLimits(c)).toEqual({ headersTimeoutMs: 20_000, keepAliveTimeoutMs: 65_000, maxConnections: 4096, maxHeaderBytes: 16_384 });
    expect(s3ApiConfig(c)).toMatchObject({
      bodyIdleTimeoutMs: 30_000,
      maxInflightBodyBytes: 256 * 1024 ** 2,
      maxBodyChargeBytes: 3 * 8 * 1024 ** 2,
      maxKeyBytes: 1024,
      maxUserMetadataBytes: 2048,
    });
    const set = loadConfig(['--max-connections', '10', '--body-idle-timeout-ms=500', '--chunk-size', '1048576'], { MASSIVE_MAX_INFLIGHT_BODY_BYTES: '1000', MASSIVE_HEADERS_TIMEOUT_MS: '300' });
    expect(serverLimits(set)).toMatchObject({ maxConnections: 10, headersTimeoutMs: 300 });
    expect(s3ApiConfig(set)).toMatchObject({ bodyIdleTimeoutMs: 500, maxInflightBodyBytes: 1000, maxBodyChargeBytes: 3 * 1048576 });
    for (const flag of ['headers-timeout-ms', 'keep-alive-timeout-ms', 'body-idle-timeout-ms', 'max-connections', 'max-inflight-body-bytes', 'max-header-bytes', 'max-key-bytes', 'max-metadata-bytes']) {
      expect(usage()).toContain(`--${flag}`);
    }
    expect(() => loadConfig(['--max-connections', '0'], {})).toThrow(ConfigError);
  });
  it.each([
    [[], { MASSIVE_MODE: 'distributed' }, /needs MASSIVE_METADATA_ENDPOINTS and MASSIVE_BLOB_ENDPOINTS/],
    [[], { MASSIVE_BLOB_BACKEND: 'seaweedfs' }, /needs MASSIVE_SEAWEED_MASTERS/],
    [[], { MASSIVE_BLOB_BACKEND: 'seaweedfs', MASSIVE_SEAWEED_MASTERS: 'm:9333', MASSIVE_SEAWEED_REPLICATION: 'x' }, /three digits/],
    [[], { MASSIVE_BLOB_BACKEND: 'disk' }, /blobBackend must be one of local, seaweedfs/],
    [[], { MASSIVE_METADATA_ENDPOINTS: 'm:7070' }, /needs MASSIVE_METADATA_ENDPOINTS and MASSIVE_BLOB_ENDPOINTS/],
    [[], { MASSIVE_MODE: 'local', MASSIVE_BLOB_ENDPOINTS: 'b:7071' }, /MASSIVE_MODE=local runs metadata and blob in-process/],
    [[], { MASSIVE_MODE: 'cluster' }, /mode must be one of local, distributed/],
    [[], { MASSIVE_METADATA_ENDPOINTS: 'm', MASSIVE_BLOB_ENDPOINTS: 'b:1' }, /'m' is not host:port/],
    [['--port', 'abc'], {}, /port must be an integer/],
    [['--port', '70000'], {}, /at most 65535/],
    [['--bogus', '1'], {}, /unknown flag --bogus/],
    [['--port'], {}, /needs a value/],
    [[], { MASSIVE_ACCESS_KEY: 'AKID1' }, /set both/],
    [[], { MASSIVE_LOG_LEVEL: 'loud' }, /log level/],
    [[], { MASSIVE_ACCESS_KEY: 'AK', MASSIVE_SECRET_KEY: 'secret123' }, /access key must be/],
    [[], { MASSIVE_ACCESS_KEY: 'AKID1', MASSIVE_SECRET_KEY: 'short' }, /at least 8/],
  ])('rejects %j %j clearly', (argv, env, msg) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(msg);
  });
});

describe('S3-port security settings', () => {
  it('takes HTTPS, signed payloads and the metrics token', () => {
    const cfg = loadConfig([], { MASSIVE_S3_TLS_CERT: '/c.pem', MASSIVE_S3_TLS_KEY: '/k.pem', MASSIVE_REQUIRE_SIGNED_PAYLOAD: 'true', MASSIVE_METRICS_TOKEN: 'metrics-token-0123456789' });
    expect(s3ApiConfig(cfg).requireSignedPayload).toBe(true);
    expect(metricsAccess(cfg)).toEqual({ public: false, token: 'metrics-token-0123456789' });
    expect(s3Tls(cfg, (p) => Buffer.from(`pem of ${p}`))).toEqual({ cert: Buffer.from('pem of /c.pem'), key: Buffer.from('pem of /k.pem') });
    expect(() => s3Tls(cfg, () => { throw new Error('ENOENT'); })).toThrow(/MASSIVE_S3_TLS_CERT: cannot read \/c.pem/);
  });

  it('defaults: plain HTTP, unsigned payloads accepted, metrics closed on the S3 port', () => {
    const cfg = loadConfig([], {});
    expect(s3ApiConfig(cfg).requireSignedPayload).toBe(false);
    expect(metricsAccess(cfg)).toEqual({ public: false });
    expect(s3Tls(cfg)).toBeUndefined();
    expect(metricsAccess(loadConfig([], { MASSIVE_METRICS_PUBLIC: 'true' }))).toEqual({ public: true });
  });

  it.each([
    [{ MASSIVE_S3_TLS_CERT: '/c.pem' }, /needs both MASSIVE_S3_TLS_CERT and MASSIVE_S3_TLS_KEY/],
    [{ MASSIVE_S3_TLS_KEY: '/k.pem' }, /needs both/],
    [{ MASSIVE_METRICS_TOKEN: 'metrics-token-0123456789', MASSIVE_METRICS_PUBLIC: 'true' }, /contradict/],
    [{ MASSIVE_METRICS_TOKEN: 'CHANGE-ME-metrics-token' }, /placeholder \(CHANGE-ME\)/],
    [{ MASSIVE_METRICS_TOKEN: 'short' }, /at least 16/],
    [{ MASSIVE_REQUIRE_SIGNED_PAYLOAD: 'yes' }, /MASSIVE_REQUIRE_SIGNED_PAYLOAD/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig([], env)).toThrow(message);
  });
});
