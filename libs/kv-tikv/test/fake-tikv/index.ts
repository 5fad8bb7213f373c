export { FakeCluster } from './cluster';
export type { FakeClusterOptions, InjectLockSpec, InjectWriteSpec } from './cluster';
export type { AfterApplyError, FaultRule, KeyErrorFault, PdFault, PdMatch, RegionFault, TikvFault, TikvMatch, TikvRequestInfo, TransportFault } from './faults';
export type { MvccLock, MvccWrite, ReadResult } from './mvcc';
export type { RegionView } from './regions';
export type { TxnStep } from './txn-steps';
export { FakeClock } from './tso';
export { LOADER_OPTIONS, findProtoDir, loadTikvProtos } from './proto';
export { decodeKey, encodeKey } from './codec';
