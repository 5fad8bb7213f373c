import { KEY_PERMISSIONS, type AccessKeyRecord, type CallCtx, type KeyGrant, type KeyPermission } from '@massive/contracts';
import { canonicalUserId, newAccessKeyId, newSecretKey } from '../identity/canonical-id';
import type { AdminApiDeps } from './admin-api';

export interface AdminCall {
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly ctx: CallCtx;
  readonly deps: AdminApiDeps;
}

export interface AdminResult {
  readonly status?: number;
  readonly body: unknown;
  /** What the log line says about the action (never a secret). */
  readonly log?: Readonly<Record<string, string>>;
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AdminRoute {
  readonly name: string;
  readonly method: string;
  /** Path segments after the mount point; `:name` captures one. */
  readonly path: readonly string[];
  handle(call: AdminCall): Promise<AdminResult>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function record(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AdminError(400, 'InvalidArgument', 'The body must be a JSON object');
  return body as Record<string, unknown>;
}

function permissions(v: unknown, field: string): KeyPermission[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((p): p is KeyPermission => (KEY_PERMISSIONS as readonly unknown[]).includes(p))) {
    throw new AdminError(400, 'InvalidArgument', `${field} must be a list of ${KEY_PERMISSIONS.join(', ')}`);
  }
  return v;
}

/** A key by access key id, else by name; 404 when neither names one. */
async function findKey(call: AdminCall, idOrName: string): Promise<{ key: AccessKeyRecord; grants: readonly KeyGrant[] }> {
  const { metadata } = call.deps;
  let found = await metadata.getKey({ accessKeyId: idOrName }, call.ctx);
  if (!found.key) found = await metadata.getKey({ name: idOrName }, call.ctx);
  if (!found.key) {
    const root = call.deps.keys.isRoot(idOrName) ? ' (the root key is configured, not managed here)' : '';
    throw new AdminError(404, 'NoSuchAccessKey', `No access key ${idOrName}${root}`);
  }
  return { key: found.key, grants: found.grants };
}

function publicKey(k: AccessKeyRecord) {
  return { accessKeyId: k.accessKeyId, name: k.name, createdAt: new Date(k.createdAt).toISOString(), canonicalId: k.canonicalId };
}

function grantView(g: KeyGrant) {
  return { bucket: g.bucket, accessKeyId: g.accessKeyId, read: g.read, write: g.write, owner: g.owner };
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    name: 'ListKeys',
    method: 'GET',
    path: ['v1', 'keys'],
    handle: async ({ deps, ctx }) => {
      const keys = await deps.metadata.listKeys({}, ctx);
      return { body: { keys: keys.map((k) => ({ accessKeyId: k.accessKeyId, name: k.name, createdAt: new Date(k.createdAt).toISOString(), canonicalId: k.canonicalId })) } };
    },
  },
  {
    name: 'CreateKey',
    method: 'POST',
    path: ['v1', 'keys'],
    handle: async ({ deps, ctx, body }) => {
      const name = record(body)['name'];
      if (typeof name !== 'string' || !NAME.test(name)) {
        throw new AdminError(400, 'InvalidArgument', 'name must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');
      }
      const accessKeyId = newAccessKeyId();
      const secretAccessKey = newSecretKey();
      const created = await deps.metadata.createKey(
        { accessKeyId, name, createdAt: 0, canonicalId: canonicalUserId(accessKeyId), sealedSecret: deps.sealer.seal(secretAccessKey, accessKeyId) },
        ctx,
      );
      deps.keys.invalidate(accessKeyId);
      // The only time the secret is ever shown.
      return { status: 201, body: { ...publicKey({ ...created, sealedSecret: '' }), secretAccessKey }, log: { accessKeyId, name } };
    },
  },
  {
    name: 'GetKey',
    method: 'GET',
    path: ['v1', 'keys', ':key'],
    handle: async (call) => {
      const { key, grants } = await findKey(call, call.params['key']);
      return { body: { ...publicKey(key), grants: grants.map(grantView) } };
    },
  },
  {
    name: 'DeleteKey',
    method: 'DELETE',
    path: ['v1', 'keys', ':key'],
    handle: async (call) => {
      const { key } = await findKey(call, call.params['key']);
      await call.deps.metadata.deleteKey({ accessKeyId: key.accessKeyId }, call.ctx);
      call.deps.keys.invalidate(key.accessKeyId);
      return { body: { deleted: key.accessKeyId }, log: { accessKeyId: key.accessKeyId, name: key.name } };
    },
  },
  {
    name: 'UpdateGrant',
    method: 'POST',
    path: ['v1', 'keys', ':key', 'grants'],
    handle: async (call) => {
      const b = record(call.body);
      const bucket = b['bucket'];
      if (typeof bucket !== 'string' || bucket === '') throw new AdminError(400, 'InvalidArgument', 'bucket is required');
      const allow = permissions(b['allow'], 'allow');
      const deny = permissions(b['deny'], 'deny');
      if (allow.length === 0 && deny.length === 0) throw new AdminError(400, 'InvalidArgument', 'Give at least one permission to allow or deny');
      const { key } = await findKey(call, call.params['key']);
      const g = await call.deps.metadata.updateGrant({ accessKeyId: key.accessKeyId, bucket, allow, deny }, call.ctx);
      call.deps.keys.invalidate(key.accessKeyId);
      return { body: grantView(g), log: { accessKeyId: key.accessKeyId, bucket, allow: allow.join(','), deny: deny.join(',') } };
    },
  },
  {
    name: 'BucketInfo',
    method: 'GET',
    path: ['v1', 'buckets', ':bucket'],
    handle: async ({ deps, ctx, params }) => {
      const [bucket, grants] = await Promise.all([deps.metadata.getBucket({ name: params['bucket'] }, ctx), deps.metadata.listBucketGrants({ bucket: params['bucket'] }, ctx)]);
      const names = new Map((await deps.metadata.listKeys({}, ctx)).map((k) => [k.accessKeyId, k.name]));
      return {
        body: {
          name: bucket.name,
          region: bucket.region,
          createdAt: new Date(bucket.createdAt).toISOString(),
          versioning: bucket.versioning ?? 'Unversioned',
          objectLock: bucket.objectLock === true,
          owner: { id: bucket.owner.id, displayName: bucket.owner.displayName },
          grants: grants.map((g) => ({ ...grantView(g), name: names.get(g.accessKeyId) })),
        },
      };
    },
  },
];
