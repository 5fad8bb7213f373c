import { KEY_PERMISSIONS, ServiceError, type AccessKeyRecord, type AccessKeySummary, type KeyGrant, type KeyLookup, type KeyPermission } from '@massive/contracts';
import { num, u64 } from '../codec';
import type { GrantRecord, GrantRecord__Output } from '../generated/massive/metadata/v1/GrantRecord';
import type { KeyGetRequest, KeyGetRequest__Output } from '../generated/massive/metadata/v1/KeyGetRequest';
import type { KeyRecord, KeyRecord__Output } from '../generated/massive/metadata/v1/KeyRecord';
import type { KeySummary, KeySummary__Output } from '../generated/massive/metadata/v1/KeySummary';

/** Access keys and grants on the wire (both directions). */

export function encodeKeySummary(k: AccessKeySummary): KeySummary {
  return { accessKeyId: k.accessKeyId, name: k.name, createdAt: u64(k.createdAt), canonicalId: k.canonicalId };
}

export function decodeKeySummary(k: KeySummary__Output): AccessKeySummary {
  return { accessKeyId: k.accessKeyId, name: k.name, createdAt: num(k.createdAt), canonicalId: k.canonicalId };
}

export function encodeKeyRecord(k: AccessKeyRecord): KeyRecord {
  return { ...encodeKeySummary(k), sealedSecret: k.sealedSecret };
}

export function decodeKeyRecord(k: KeyRecord__Output): AccessKeyRecord {
  return { ...decodeKeySummary(k), sealedSecret: k.sealedSecret };
}

export function encodeGrant(g: KeyGrant): GrantRecord {
  return { accessKeyId: g.accessKeyId, bucket: g.bucket, read: g.read, write: g.write, owner: g.owner };
}

export function decodeGrant(g: GrantRecord__Output): KeyGrant {
  return { accessKeyId: g.accessKeyId, bucket: g.bucket, read: g.read, write: g.write, owner: g.owner };
}

export function encodeKeyLookup(l: KeyLookup): KeyGetRequest {
  if ('accessKeyId' in l) return { accessKeyId: l.accessKeyId };
  if ('name' in l) return { name: l.name };
  return { canonicalId: l.canonicalId };
}

export function decodeKeyLookup(r: KeyGetRequest__Output): KeyLookup {
  switch (r.by) {
    case 'accessKeyId':
      return { accessKeyId: r.accessKeyId ?? '' };
    case 'name':
      return { name: r.name ?? '' };
    case 'canonicalId':
      return { canonicalId: r.canonicalId ?? '' };
    default:
      throw new ServiceError('InvalidArgument', 'A key lookup needs an access key id, a name or a canonical id');
  }
}

export function decodePermissions(list: readonly string[]): KeyPermission[] {
  return list.map((p) => {
    if (!(KEY_PERMISSIONS as readonly string[]).includes(p)) throw new ServiceError('InvalidArgument', `Unknown permission: ${p}`);
    return p as KeyPermission;
  });
}
