import { normaliseUrl } from './masters';

/** The SeaweedFS settings a service reads (blob service; gateway in local mode). */
export interface SeaweedSettings {
  readonly seaweedMasters: readonly string[];
  readonly seaweedCollection?: string;
  readonly seaweedReplication?: string;
  readonly seaweedJwtSigningKey?: string;
  readonly seaweedJwtReadSigningKey?: string;
}

/** Rows for a service's settings table (`Setting` of @massive/observability), the same in every service. */
export const SEAWEED_SETTINGS = [
  { key: 'seaweedMasters', flag: 'seaweed-masters', env: 'MASSIVE_SEAWEED_MASTERS', kind: 'list', keepCase: true, def: '', help: 'seaweedfs backend: master addresses, comma-separated host:port' },
  { key: 'seaweedCollection', flag: 'seaweed-collection', env: 'MASSIVE_SEAWEED_COLLECTION', kind: 'string', help: 'seaweedfs backend: collection for chunk volumes (letters, digits, _ . -; default: the default collection)' },
  { key: 'seaweedReplication', flag: 'seaweed-replication', env: 'MASSIVE_SEAWEED_REPLICATION', kind: 'string', help: "seaweedfs backend: replica placement xyz, e.g. 001 (default: the master's -defaultReplication)" },
  { key: 'seaweedJwtSigningKey', flag: 'seaweed-jwt-signing-key', env: 'MASSIVE_SEAWEED_JWT_SIGNING_KEY', kind: 'string', help: "seaweedfs backend: the cluster's [jwt.signing] key, if volume writes are secured (never logged)" },
  { key: 'seaweedJwtReadSigningKey', flag: 'seaweed-jwt-read-signing-key', env: 'MASSIVE_SEAWEED_JWT_READ_SIGNING_KEY', kind: 'string', help: "seaweedfs backend: the cluster's [jwt.signing.read] key, if volume reads are secured" },
] as const;

/** What is wrong with the settings for a seaweedfs backend, in words for an operator; undefined if fine. */
export function seaweedSettingsError(s: SeaweedSettings): string | undefined {
  if (s.seaweedMasters.length === 0) return 'MASSIVE_BLOB_BACKEND=seaweedfs needs MASSIVE_SEAWEED_MASTERS (or --seaweed-masters), e.g. seaweed-master:9333';
  for (const m of s.seaweedMasters) {
    try {
      normaliseUrl(m);
    } catch {
      return `MASSIVE_SEAWEED_MASTERS: '${m}' is not a master address (host:port or http://host:port)`;
    }
  }
  if (s.seaweedReplication !== undefined && !/^[0-9]{3}$/.test(s.seaweedReplication)) {
    return `MASSIVE_SEAWEED_REPLICATION must be three digits xyz (e.g. 000, 001, 010), got '${s.seaweedReplication}'`;
  }
  if (s.seaweedCollection !== undefined && !/^[A-Za-z0-9_.-]{1,128}$/.test(s.seaweedCollection)) {
    return `MASSIVE_SEAWEED_COLLECTION may hold only letters, digits, '_', '.' and '-', got '${s.seaweedCollection}'`;
  }
  return undefined;
}
