import {
  KEY_PERMISSIONS,
  ServiceError,
  type AccessKeyRecord,
  type AccessKeySummary,
  type CallCtx,
  type KeyGrant,
  type KeyLookup,
  type KeyPermission,
  type KeyWithGrants,
} from '@massive/contracts';
import { prefixEnd, type KvPair, type KvReader, type KvTxn } from '@massive/kv';
import {
  accessKeyKey,
  accessKeyPrefix,
  bucketGrantKey,
  bucketGrantPrefix,
  bucketKey,
  decodeBucketGrantKey,
  decodeKeyGrantKey,
  keyCanonicalIdKey,
  keyGrantKey,
  keyGrantPrefix,
  keyNameKey,
} from '../keys/keys';
import { codecs, type GrantRecord } from '../model/records';
import { loadBucket } from './common';
import type { OpDeps } from './deps';

/** Access keys (K 0x01-0x03) and their per-bucket grants (K 0x04, indexed by bucket in K 0x05). */

const PAGE = 1000;
const EMPTY = Buffer.alloc(0);
const MAX_NAME_BYTES = 128;

/** Every pair under `prefix`, page by page. */
export async function scanAll(r: KvReader, prefix: Buffer): Promise<KvPair[]> {
  const out: KvPair[] = [];
  const end = prefixEnd(prefix);
  let start = prefix;
  for (;;) {
    const page = await r.scan(start, end, { limit: PAGE });
    out.push(...page);
    if (page.length < PAGE) return out;
    start = Buffer.concat([page[page.length - 1].key, Buffer.from([0])]);
  }
}

function summaryOf(raw: Buffer): AccessKeyRecord {
  const { value, raw: sealed } = codecs.accessKey.decode(raw);
  return { accessKeyId: value.accessKeyId, name: value.name, createdAt: value.createdAt, canonicalId: value.canonicalId, sealedSecret: sealed.toString('utf8') };
}

function withoutSecret(k: AccessKeyRecord): AccessKeySummary {
  return { accessKeyId: k.accessKeyId, name: k.name, createdAt: k.createdAt, canonicalId: k.canonicalId };
}

function grantOf(accessKeyId: string, bucket: string, g: GrantRecord): KeyGrant {
  return { accessKeyId, bucket, read: g.read, write: g.write, owner: g.owner };
}

function checkText(what: string, v: string): void {
  if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v) > MAX_NAME_BYTES || /[\u0000-\u001f]/.test(v)) {
    throw new ServiceError('InvalidArgument', `The ${what} must be 1 to ${MAX_NAME_BYTES} bytes without control characters`);
  }
}

export async function createKey(deps: OpDeps, req: AccessKeyRecord, ctx: CallCtx): Promise<AccessKeySummary> {
  checkText('access key id', req.accessKeyId);
  checkText('key name', req.name);
  checkText('canonical id', req.canonicalId);
  if (!req.sealedSecret) throw new ServiceError('InvalidArgument', 'A key needs its sealed secret');
  return deps.txn.run(
    'CreateKey',
    async (tx) => {
      const [byId, byName, byCanonical] = await tx.batchGet([accessKeyKey(req.accessKeyId), keyNameKey(req.name), keyCanonicalIdKey(req.canonicalId)]);
      if (byId || byCanonical) throw new ServiceError('InvalidArgument', `The access key ${req.accessKeyId} already exists`);
      if (byName) throw new ServiceError('InvalidArgument', `A key named ${req.name} already exists`);
      const rec = { accessKeyId: req.accessKeyId, name: req.name, createdAt: deps.clock(), canonicalId: req.canonicalId };
      tx.put(accessKeyKey(req.accessKeyId), codecs.accessKey.encode(rec, Buffer.from(req.sealedSecret, 'utf8')));
      tx.put(keyNameKey(req.name), Buffer.from(req.accessKeyId, 'utf8'));
      tx.put(keyCanonicalIdKey(req.canonicalId), Buffer.from(req.accessKeyId, 'utf8'));
      return rec;
    },
    ctx,
  );
}

async function resolveId(r: KvReader, req: KeyLookup): Promise<string | undefined> {
  if ('accessKeyId' in req) return req.accessKeyId;
  const raw = await r.get('name' in req ? keyNameKey(req.name) : keyCanonicalIdKey(req.canonicalId));
  return raw?.toString('utf8');
}

async function grantsOfKey(r: KvReader, accessKeyId: string): Promise<KeyGrant[]> {
  return (await scanAll(r, keyGrantPrefix(accessKeyId))).map((p) => {
    const { bucket } = decodeKeyGrantKey(p.key);
    return grantOf(accessKeyId, bucket, codecs.grant.decodeValue(p.value));
  });
}

export function getKey(deps: OpDeps, req: KeyLookup, ctx: CallCtx): Promise<KeyWithGrants> {
  return deps.txn.read(
    'GetKey',
    async (s) => {
      const id = await resolveId(s, req);
      const raw = id === undefined ? undefined : await s.get(accessKeyKey(id));
      if (!raw || id === undefined) return { grants: [] };
      return { key: summaryOf(raw), grants: await grantsOfKey(s, id) };
    },
    ctx,
  );
}

export function listKeys(deps: OpDeps, ctx: CallCtx): Promise<readonly AccessKeySummary[]> {
  return deps.txn.read('ListKeys', async (s) => (await scanAll(s, accessKeyPrefix())).map((p) => withoutSecret(summaryOf(p.value))), ctx);
}

export async function resealKey(deps: OpDeps, req: { accessKeyId: string; expected: string; sealedSecret: string }, ctx: CallCtx): Promise<{ resealed: boolean }> {
  if (!req.sealedSecret) throw new ServiceError('InvalidArgument', 'A key needs its sealed secret');
  return deps.txn.run(
    'ResealKey',
    async (tx) => {
      const raw = await tx.get(accessKeyKey(req.accessKeyId));
      if (!raw) return { resealed: false };
      const { value, raw: sealed } = codecs.accessKey.decode(raw);
      if (sealed.toString('utf8') !== req.expected) return { resealed: false };
      tx.put(accessKeyKey(req.accessKeyId), codecs.accessKey.encode(value, Buffer.from(req.sealedSecret, 'utf8')));
      return { resealed: true };
    },
    ctx,
  );
}

export function deleteKey(deps: OpDeps, req: { accessKeyId: string }, ctx: CallCtx): Promise<{ deleted: boolean }> {
  return deps.txn.run(
    'DeleteKey',
    async (tx) => {
      const raw = await tx.get(accessKeyKey(req.accessKeyId));
      if (!raw) return { deleted: false };
      const k = summaryOf(raw);
      for (const p of await scanAll(tx, keyGrantPrefix(req.accessKeyId))) {
        tx.delete(p.key);
        tx.delete(bucketGrantKey(decodeKeyGrantKey(p.key).bucket, req.accessKeyId));
      }
      tx.delete(keyNameKey(k.name));
      tx.delete(keyCanonicalIdKey(k.canonicalId));
      tx.delete(accessKeyKey(req.accessKeyId));
      return { deleted: true };
    },
    ctx,
  );
}

function checkPermissions(list: readonly KeyPermission[]): void {
  for (const p of list) if (!(KEY_PERMISSIONS as readonly string[]).includes(p)) throw new ServiceError('InvalidArgument', `Unknown permission: ${String(p)}`);
}

/** Writes (or, with no permission left, deletes) both sides of a grant. */
export function writeGrant(tx: KvTxn, accessKeyId: string, bucket: string, g: GrantRecord): void {
  if (!g.read && !g.write && !g.owner) {
    tx.delete(keyGrantKey(accessKeyId, bucket));
    tx.delete(bucketGrantKey(bucket, accessKeyId));
    return;
  }
  tx.put(keyGrantKey(accessKeyId, bucket), codecs.grant.encode(g));
  tx.put(bucketGrantKey(bucket, accessKeyId), EMPTY);
}

export async function updateGrant(
  deps: OpDeps,
  req: { accessKeyId: string; bucket: string; allow: readonly KeyPermission[]; deny: readonly KeyPermission[] },
  ctx: CallCtx,
): Promise<KeyGrant> {
  checkPermissions(req.allow);
  checkPermissions(req.deny);
  return deps.txn.run(
    'UpdateGrant',
    async (tx) => {
      const [key, grantRaw] = await tx.batchGet([accessKeyKey(req.accessKeyId), keyGrantKey(req.accessKeyId, req.bucket)]);
      if (!key) throw new ServiceError('InvalidArgument', `No such access key: ${req.accessKeyId}`);
      await loadBucket(tx, req.bucket);
      // Conflicts with a concurrent DeleteBucket (which deletes B and the bucket's grants) and DeleteKey.
      tx.lock(bucketKey(req.bucket));
      tx.lock(accessKeyKey(req.accessKeyId));
      const old: GrantRecord = grantRaw ? codecs.grant.decodeValue(grantRaw) : { read: false, write: false, owner: false };
      const next: GrantRecord = {
        read: (old.read || req.allow.includes('read')) && !req.deny.includes('read'),
        write: (old.write || req.allow.includes('write')) && !req.deny.includes('write'),
        owner: (old.owner || req.allow.includes('owner')) && !req.deny.includes('owner'),
      };
      writeGrant(tx, req.accessKeyId, req.bucket, next);
      return grantOf(req.accessKeyId, req.bucket, next);
    },
    ctx,
  );
}

async function grantsOfBucket(r: KvReader, bucket: string): Promise<KeyGrant[]> {
  const ids = (await scanAll(r, bucketGrantPrefix(bucket))).map((p) => decodeBucketGrantKey(p.key).accessKeyId);
  const raws = ids.length === 0 ? [] : await r.batchGet(ids.map((id) => keyGrantKey(id, bucket)));
  const out: KeyGrant[] = [];
  raws.forEach((raw, i) => {
    if (raw) out.push(grantOf(ids[i], bucket, codecs.grant.decodeValue(raw)));
  });
  return out;
}

export function listBucketGrants(deps: OpDeps, req: { bucket: string }, ctx: CallCtx): Promise<readonly KeyGrant[]> {
  return deps.txn.read(
    'ListBucketGrants',
    async (s) => {
      await loadBucket(s, req.bucket);
      return grantsOfBucket(s, req.bucket);
    },
    ctx,
  );
}

/** DeleteBucket's part: the bucket's grants go with it (both sides), so a re-created bucket starts with none. */
export async function deleteBucketGrants(tx: KvTxn, bucket: string): Promise<void> {
  for (const p of await scanAll(tx, bucketGrantPrefix(bucket))) {
    tx.delete(p.key);
    tx.delete(keyGrantKey(decodeBucketGrantKey(p.key).accessKeyId, bucket));
  }
}

/** CreateBucket's part: the creating key owns the bucket (read, write and owner). InvalidArgument without the key. */
export async function grantCreator(tx: KvTxn, accessKeyId: string, bucket: string): Promise<void> {
  const key = await tx.get(accessKeyKey(accessKeyId));
  if (!key) throw new ServiceError('InvalidArgument', `No such access key: ${accessKeyId}`);
  tx.lock(accessKeyKey(accessKeyId));
  writeGrant(tx, accessKeyId, bucket, { read: true, write: true, owner: true });
}
