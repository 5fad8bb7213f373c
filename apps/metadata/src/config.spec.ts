import { ConfigError, loadConfig } from './config';

describe('metadata service config', () => {
  const blob = { MASSIVE_BLOB_ENDPOINTS: '127.0.0.1:7071' };
  it('has defaults that run (with a blob endpoint for GC)', () => {
    expect(loadConfig([], blob)).toMatchObject({ grpcPort: 7070, adminPort: 9101, backend: 'embedded', dataDir: './data', blobEndpoints: ['127.0.0.1:7071'] });
    expect(loadConfig([], { ...blob, MASSIVE_METADATA_MAP_BYTES: String(2 ** 30) }).metadataMapBytes).toBe(2 ** 30);
    expect(loadConfig(['--backend', 'tikv', '--pd-endpoints', 'pd-0:2379,pd-1:2379'], blob)).toMatchObject({ backend: 'tikv', pdEndpoints: ['pd-0:2379', 'pd-1:2379'] });
  });
  it('offers Mux direct connections on the gRPC port + 3 unless told otherwise', () => {
    expect(loadConfig([], blob)).toMatchObject({ muxDirect: 'on', muxPort: 7073 });
    expect(loadConfig(['--grpc-port=8000'], blob)).toMatchObject({ muxPort: 8003 });
    expect(loadConfig(['--grpc-port=0'], blob)).toMatchObject({ muxPort: 0 });
    expect(loadConfig([], { ...blob, MASSIVE_MUX_PORT: '7400' })).toMatchObject({ muxPort: 7400 });
    expect(loadConfig([], { ...blob, MASSIVE_MUX_DIRECT: 'off' })).toMatchObject({ muxDirect: 'off' });
    // Off, its port may be anything: it is not bound.
    expect(loadConfig([], { ...blob, MASSIVE_MUX_DIRECT: 'off', MASSIVE_MUX_PORT: '7070' })).toMatchObject({ muxDirect: 'off' });
  });
  it.each([
    [[], { ...blob, MASSIVE_MUX_PORT: '7070' }, /Mux direct port 7070 is also the gRPC or admin port/],
    [[], { ...blob, MASSIVE_GRPC_PORT: '65534' }, /set MASSIVE_MUX_PORT/],
    [[], { ...blob, MASSIVE_MUX_DIRECT: 'yes' }, /muxDirect must be one of on, off/],
    [[], {}, /MASSIVE_BLOB_ENDPOINTS .* is required/],
    [[], { ...blob, MASSIVE_METADATA_BACKEND: 'tikv' }, /needs MASSIVE_PD_ENDPOINTS/],
    [[], { ...blob, MASSIVE_METADATA_BACKEND: 'etcd' }, /backend must be one of embedded, tikv/],
    [[], { ...blob, MASSIVE_PD_ENDPOINTS: 'pd:2379' }, /backend is embedded/],
    [[], { ...blob, MASSIVE_GRPC_PORT: '99999' }, /grpcPort must be at most 65535/],
    [[], { MASSIVE_BLOB_ENDPOINTS: 'nohost' }, /'nohost' is not host:port/],
    [[], { ...blob, MASSIVE_METADATA_MAP_BYTES: '4096' }, /MASSIVE_METADATA_MAP_BYTES: metadataMapBytes must be an integer >= 1048576/],
  ])('rejects %j %j clearly', (argv, env, msg) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(msg);
  });
});
