import { MAX_U64, toU64, fromU64 } from '../pd/timestamp';
import { findProtoDir, isGrpcError, loadTikvProtos, stripScheme } from './rpc';

describe('TiKV protos through proto-loader', () => {
  const protos = loadTikvProtos();
  const roundTrip = (method: string, req: object): Record<string, unknown> => {
    const m = protos.tikv[method];
    return m.requestDeserialize(m.requestSerialize(req)) as Record<string, unknown>;
  };

  it('finds proto/tikv and loads both services', () => {
    expect(findProtoDir()).toMatch(/proto[/\\]tikv$/);
    expect(protos.tikv.KvPrewrite.path).toBe('/tikvpb.Tikv/KvPrewrite');
    expect(protos.pd.Tso.path).toBe('/pdpb.PD/Tso');
    expect(protos.pd.Tso.requestStream && protos.pd.Tso.responseStream).toBe(true);
  });

  it('keeps u64 timestamps exact beyond 2^53, up to 2^64-1', () => {
    const big = (1n << 60n) + 1n;
    const out = roundTrip('KvCheckTxnStatus', { lock_ts: toU64(big), current_ts: toU64(MAX_U64) });
    expect(fromU64(out.lock_ts as string)).toBe(big);
    expect(fromU64(out.current_ts as string)).toBe(MAX_U64);
  });

  it('encodes the Context and Mutation field numbers of kvproto', () => {
    const m = protos.tikv.KvGet;
    // GetRequest{context{region_id:1}} = 0a 02 08 01
    expect(Buffer.from(m.requestSerialize({ context: { region_id: '1' } })).toString('hex')).toBe('0a020801');
    const p = protos.tikv.KvPrewrite;
    // PrewriteRequest{mutations:[{op:Del,key:"a"}]} = 12 05 | 08 01 12 01 61
    expect(Buffer.from(p.requestSerialize({ mutations: [{ op: 1, key: Buffer.from('a') }] })).toString('hex')).toBe(
      '12050801120161',
    );
  });

  it('leaves absent fields undefined (defaults: false)', () => {
    const out = roundTrip('KvGet', { key: Buffer.from('k') });
    expect(out.context).toBeUndefined();
    expect(out.version).toBeUndefined();
    expect(out.key).toEqual(Buffer.from('k'));
  });

  it('strips URL schemes and recognises gRPC errors', () => {
    expect(stripScheme('http://127.0.0.1:2379/')).toBe('127.0.0.1:2379');
    expect(stripScheme('127.0.0.1:2379')).toBe('127.0.0.1:2379');
    expect(isGrpcError(new Error('x'))).toBe(false);
    expect(isGrpcError(Object.assign(new Error('x'), { code: 14, metadata: {} }))).toBe(true);
  });
});
