import { hostname } from 'node:os';
import { ConfigError, defaultReplicaId, loadConfig } from './config';

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
  it('serves the data path on the gRPC port + 1 unless told', () => {
    expect(loadConfig([], {})).toMatchObject({ dataPath: 'http', dataPort: 7072 });
    expect(loadConfig(['--grpc-port=8000'], {})).toMatchObject({ dataPort: 8001 });
    expect(loadConfig(['--grpc-port=0'], {})).toMatchObject({ dataPort: 0 });
    expect(loadConfig(['--data-port=9000'], { MASSIVE_DATA_PATH: 'http' })).toMatchObject({ dataPort: 9000 });
    expect(loadConfig([], { MASSIVE_DATA_PORT: '0' })).toMatchObject({ dataPort: 0 });
    expect(loadConfig(['--data-path=off', '--data-port=7071'], {})).toMatchObject({ dataPath: 'off' });
  });
  it('names the replica after the host unless told', () => {
    expect(loadConfig(['--replica-id=massive-blob-2'], {}).replicaId).toBe('massive-blob-2');
    expect(loadConfig([], { MASSIVE_BLOB_REPLICA_ID: 'b-7' }).replicaId).toBe('b-7');
    expect(loadConfig([], {}).replicaId).toBe(defaultReplicaId(hostname()));
    expect(defaultReplicaId('Massive-Blob-0.massive-blob.ns.svc.cluster.local')).toBe('massive-blob-0');
    expect(defaultReplicaId('dev_box (2)')).toBe('dev-box--2');
    expect(defaultReplicaId('-')).toBe('blob');
  });
  it.each([
    [[], { MASSIVE_BLOB_REPLICA_ID: 'Blob_0' }, /not a DNS label/],
    [[], { MASSIVE_BLOB_BACKEND: 'seaweedfs' }, /needs MASSIVE_SEAWEED_MASTERS/],
    [[], { MASSIVE_BLOB_BACKEND: 'seaweedfs', MASSIVE_SEAWEED_MASTERS: 'm:9333' }, /needs MASSIVE_METADATA_ENDPOINTS/],
    [[], { ...SW, MASSIVE_SEAWEED_MASTERS: 'm:9333,ftp://x' }, /'ftp:\/\/x' is not a master address/],
    [[], { ...SW, MASSIVE_SEAWEED_REPLICATION: '01' }, /three digits/],
    [[], { ...SW, MASSIVE_SEAWEED_COLLECTION: 'a/b' }, /MASSIVE_SEAWEED_COLLECTION/],
    [[], { MASSIVE_BLOB_BACKEND: 's3' }, /backend must be one of local, seaweedfs/],
    [[], { MASSIVE_SEAWEED_MASTERS: 'm:9333' }, /backend is local/],
    [[], { MASSIVE_CHUNK_SIZE: '10' }, /chunkSize must be an integer >= 1048576/],
    [['--data-port=7071'], {}, /also the gRPC or admin port/],
    [['--data-port=9102'], {}, /also the gRPC or admin port/],
    [['--grpc-port=65535'], {}, /gRPC port \+ 1/],
    [[], { MASSIVE_DATA_PORT: '70000' }, /at most 65535/],
    [[], { MASSIVE_DATA_PATH: 'grpc' }, /dataPath must be one of http, off/],
  ])('rejects %j %j clearly', (argv, env, msg) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(msg);
  });
});
