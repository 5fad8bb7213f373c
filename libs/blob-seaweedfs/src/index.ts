export { SeaweedFsChunkStore, type SeaweedFsChunkStoreOptions } from './seaweedfs-chunk-store';
export type { IntentChunkLog } from './intent-chunk-log';
export { createSeaweedMetrics, type SeaweedMetrics } from './metrics';
export { CHUNK_ID_PREFIX, parseChunkId as parseSeaweedChunkId, parseFid, type Fid } from './fid';
export { normaliseUrl as normaliseMasterUrl } from './masters';
export type { Logger } from './util';
export { SEAWEED_SETTINGS, seaweedSettingsError, type SeaweedSettings } from './settings';
