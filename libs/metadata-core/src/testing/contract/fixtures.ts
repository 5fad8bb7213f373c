import { createHash, randomBytes } from 'node:crypto';
import type { BlobManifest, CallCtx, MetadataApi, ObjectHeaders, ObjectVersion, Owner } from '@massive/contracts';

export interface ContractEnv {
  readonly api: MetadataApi;
}

export const ctx: CallCtx = { requestId: 'contract' };
export const alice: Owner = { id: 'alice-id', displayName: 'alice' };
export const bob: Owner = { id: 'bob-id', displayName: 'bob' };
export const headers: ObjectHeaders = { contentType: 'text/plain', userMetadata: { color: 'blue' } };

/** A fresh bucket name (contract suites may share one backend). */
export function bucketName(tag = 'b'): string {
  return `${tag}-${randomBytes(8).toString('hex')}`;
}

export const md5hex = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');

export function manifest(size: number, nChunks = 2): BlobManifest {
  const chunks = Array.from({ length: nChunks }, (_, i) => ({
    id: `chunk-${randomBytes(8).toString('hex')}`,
    size: i === nChunks - 1 ? size - Math.floor(size / nChunks) * (nChunks - 1) : Math.floor(size / nChunks),
  }));
  return { size, chunks };
}

export async function newBucket(api: MetadataApi, owner: Owner = alice): Promise<string> {
  const name = bucketName();
  await api.createBucket({ name, region: 'us-east-1', owner }, ctx);
  return name;
}

export function putInline(api: MetadataApi, bucket: string, key: string, body = `body of ${key}`): Promise<ObjectVersion> {
  const bytes = Buffer.from(body);
  return api.putObject({ bucket, key, data: { kind: 'inline', bytes }, size: bytes.length, etag: md5hex(bytes), headers }, ctx);
}

export async function putChunks(api: MetadataApi, bucket: string, key: string, size = 1000): Promise<ObjectVersion> {
  const { intentId } = await api.createWriteIntent({ ttlMs: 60_000 }, ctx);
  const m = manifest(size);
  return api.putObject(
    { bucket, key, data: { kind: 'chunks', manifest: m, intentId }, size, etag: md5hex(`${key}:${size}`), headers },
    ctx,
  );
}

/** The ServiceError code a promise rejects with (fails the test if it resolves). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? `not a ServiceError: ${String(e)}`;
  }
  throw new Error('expected a rejection');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
