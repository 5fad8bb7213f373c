/**
 * `@massive/kv-tikv/testing`: the PD + TiKV protocol fake (test/fake-tikv) for other projects' tests,
 * e.g. the metadata contract on TikvKv-over-fake. IN-MEMORY TEST FAKE: never use it for real data.
 *
 * ```ts
 * import { TikvKv } from '@massive/kv-tikv';
 * import { FakeCluster } from '@massive/kv-tikv/testing';
 * const cluster = await FakeCluster.start({ stores: 3, splitKeys: ['O', 'V'] });
 * const kv = new TikvKv({ pdEndpoints: cluster.pdEndpoints });
 * ```
 */
export {
  FakeCluster,
  FakeClock,
  decodeKey,
  encodeKey,
  type DiskUsage,
  type FakeClusterOptions,
  type FaultRule,
  type InjectLockSpec,
  type InjectWriteSpec,
  type MvccLock,
  type MvccWrite,
  type PdFault,
  type PdMatch,
  type ReadResult,
  type RegionFault,
  type RegionView,
  type TikvFault,
  type TikvMatch,
  type TikvRequestInfo,
  type TransportFault,
  type TxnStep,
} from '../../test/fake-tikv';
