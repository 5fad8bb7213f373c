/**
 * `@massive/blob-seaweedfs/testing`: the SeaweedFS protocol fake (test/fake-seaweedfs) for other
 * projects' tests (the chunk store contract in apps/blob, the e2e suite). IN-MEMORY TEST FAKE.
 */
export { FakeSeaweed, formatFid, type FakeSeaweedOptions, type FaultTarget, type LiveNeedle, type LoggedRequest } from '../../test/fake-seaweedfs';
