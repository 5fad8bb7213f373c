export { FakeSeaweed, type FakeSeaweedOptions } from './cluster';
export type { FaultTarget } from './faults';
export type { LiveNeedle, LoggedRequest } from './state';
export { formatFid } from './state';
