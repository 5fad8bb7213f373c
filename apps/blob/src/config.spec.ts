import { ConfigError, loadConfig } from './config';

const SW = { MASSIVE_BLOB_BACKEND: 'seaweedfs', MASSIVE_SEAWEED_MASTERS: 'm1:9333, http://m2:9333', MASSIVE_METADATA_ENDPOINTS: 'meta:7070' };

describe('blob service config', () => {
  it('reads the SeaweedFS settings', () => {
    expect(loadConfig([], { ...SW, MASSIVE_SEAWEED_REPLICATION: '001', MASSIVE_SEAWEED_COLLECTION: 'objects', MASSIVE_SEAWEED_JWT_SIGNING_KEY: 'k' })).toMatchObject({
      backend: 'seaweedfs',
      seaweedMasters: ['m1:9333', 'http://m2:9333'],
      seaweedReplication: '001',
      seaweedCollection: 'objects',
      seaweedJwtSigningKey: 'k',
      metadataEndpoints: ['meta:7070'],
    });
  });

  it('has defaults that run', () => {
    expect(loadConfig([], {})).toMatchObject({ grpcPort: 7071, adminPort: 9102, backend: 'local', dataDir: './data', chunkSize: 8 * 1024 * 1024 });
    expect(loadConfig(['--grpc-port=0', '--data-dir', '/srv/blob'], { MASSIVE_CHUNK_SIZE: '1048576' })).toMatchObject({ grpcPort: 0, dataDir: '/srv/blob', chunkSize: 1048576 });
  });
  it.each([
    [[], { MASSIVE_BLOB_BACKEND: 'seaweedfs' }, /needs MASSIVE_SEAWEED_MASTERS/],
    [[], { MASSIVE_BLOB_BACKEND: 'seaweedfs', MASSIVE_SEAWEED_MASTERS: 'm:9333' }, /needs MASSIVE_METADATA_ENDPOINTS/],
    [[], { ...SW, MASSIVE_SEAWEED_MASTERS: 'm:9333,ftp://x' }, /'ftp:\/\/x' is not a master address/],
    [[], { ...SW, MASSIVE_SEAWEED_REPLICATION: '01' }, /three digits/],
    [[], { ...SW, MASSIVE_SEAWEED_COLLECTION: 'a/b' }, /MASSIVE_SEAWEED_COLLECTION/],
    [[], { MASSIVE_BLOB_BACKEND: 's3' }, /backend must be one of local, seaweedfs/],
    [[], { MASSIVE_SEAWEED_MASTERS: 'm:9333' }, /backend is local/],
    [[], { MASSIVE_CHUNK_SIZE: '10' }, /chunkSize must be an integer >= 65536/],
  ])('rejects %j %j clearly', (argv, env, msg) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(msg);
  });
});
