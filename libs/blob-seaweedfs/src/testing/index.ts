/**
 * `@massive/blob-seaweedfs/testing`: the SeaweedFS protocol fake (test/fake-seaweedfs) and a harness
 * (store + fake + in-memory intent log) for other projects' tests: the chunk store contract in
 * apps/blob, the blob tier and S3 error specs in apps/gateway. IN-MEMORY TEST FAKE.
 */
export { FakeSeaweed, formatFid, type FakeSeaweedOptions, type FaultTarget, type LiveNeedle, type LoggedRequest } from '../../test/fake-seaweedfs';
export { MemoryIntentLog, startSeaweedHarness, type SeaweedHarness } from '../../test/harness';
export { signFidJwt } from '../jwt';
export { BLOCK_SIZE as NEEDLE_BLOCK_SIZE } from '../needle-format';
