import { MemoryKv } from '@massive/kv/testing';
import { Registry } from 'prom-client';
import { gcQueue } from '../../test/helpers';
import { MetadataService } from '../metadata-service';
import type { OpDeps } from '../ops/deps';
import { createMetadataMetrics } from '../txn/metrics';
import { DEFAULT_RETRY, TxnRunner } from '../txn/run-txn';
import { abortStaleUpload, expireCurrentVersion, expireNoncurrentVersion, removeExpiredDeleteMarker } from './lifecycle-actions';

const ctx = { requestId: 't' };
const owner = { id: 'o', displayName: 'o' };
const headers = { userMetadata: {} };

function setup() {
  const kv = new MemoryKv();
  const svc = new MetadataService({ kv, gcGraceMs: 1000 });
  const deps: OpDeps = { txn: new TxnRunner(kv, createMetadataMetrics(new Registry()), DEFAULT_RETRY), clock: Date.now, gcGraceMs: 1000 };
  return { kv, svc, deps };
}

async function putChunked(svc: MetadataService, bucket: string, key: string, chunk: string) {
  const { intentId } = await svc.createWriteIntent({ ttlMs: 60_000 }, ctx);
  return svc.putObject({ bucket, key, data: { kind: 'chunks', manifest: { size: 5, chunks: [{ id: chunk, size: 5 }] }, intentId }, size: 5, etag: 'e', headers }, ctx);
}

describe('lifecycle actions re-check the state they were judged in', () => {
  it('never expires a current version that a PUT replaced meanwhile; an expired one queues its chunks for GC', async () => {
    const { kv, svc, deps } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const judged = await putChunked(svc, 'b', 'k', 'c-old');
    const fresh = await putChunked(svc, 'b', 'k', 'c-new'); // raced in after the worker's snapshot
    expect(await expireCurrentVersion(deps, 'b', 'k', judged.versionId, ctx)).toBe(false);
    expect((await svc.getObject({ bucket: 'b', key: 'k' }, ctx)).versionId).toBe(fresh.versionId);
    expect(await gcQueue(kv)).toEqual(['c-old']); // from the overwrite, not from lifecycle
    expect(await expireCurrentVersion(deps, 'b', 'k', fresh.versionId, ctx)).toBe(true);
    await expect(svc.getObject({ bucket: 'b', key: 'k' }, ctx)).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect((await gcQueue(kv)).sort()).toEqual(['c-new', 'c-old']);
  });

  it('never removes a noncurrent version that became current again, nor a marker that is no longer alone', async () => {
    const { svc, deps } = setup();
    await svc.createBucket({ name: 'v', region: 'r', owner }, ctx);
    await svc.putBucketVersioning({ bucket: 'v', status: 'Enabled' }, ctx);
    const older = await putChunked(svc, 'v', 'k', 'c1');
    const newer = await putChunked(svc, 'v', 'k', 'c2');
    await svc.deleteObject({ bucket: 'v', key: 'k', versionId: newer.s3VersionId }, ctx); // older is current again
    expect(await expireNoncurrentVersion(deps, 'v', 'k', older.versionId, ctx)).toBe(false);
    expect((await svc.getObject({ bucket: 'v', key: 'k' }, ctx)).versionId).toBe(older.versionId);

    const marker = await svc.deleteObject({ bucket: 'v', key: 'm' }, ctx); // Enabled: S3 id = internal id
    await putChunked(svc, 'v', 'm', 'c3'); // the marker is noncurrent now, with a version above it
    const list = await svc.listObjectVersions({ bucket: 'v', prefix: 'm', maxKeys: 10 }, ctx);
    const markerId = list.versions.find((v) => v.deleteMarker)?.versionId;
    expect(markerId).toBe(marker.versionId);
    expect(await removeExpiredDeleteMarker(deps, 'v', 'm', marker.versionId as string, ctx)).toBe(false);
    expect((await svc.listObjectVersions({ bucket: 'v', prefix: 'm', maxKeys: 10 }, ctx)).versions).toHaveLength(2);
  });

  it('Object Lock: a locked noncurrent version is skipped (kept, nothing queued); a locked current one still gets its marker', async () => {
    const { kv, svc, deps } = setup();
    await svc.createBucket({ name: 'l', region: 'r', owner, objectLock: true }, ctx);
    const lock = { mode: 'COMPLIANCE' as const, retainUntil: Date.now() + 86_400_000 };
    const { intentId } = await svc.createWriteIntent({ ttlMs: 60_000 }, ctx);
    const manifest = { size: 5, chunks: [{ id: 'c-locked', size: 5 }] };
    const locked = await svc.putObject({ bucket: 'l', key: 'k', data: { kind: 'chunks', manifest, intentId }, size: 5, etag: 'e', headers: { ...headers, lock } }, ctx);
    expect(await expireCurrentVersion(deps, 'l', 'k', locked.versionId, ctx)).toBe(true); // a marker: allowed
    let kept = 0;
    expect(await expireNoncurrentVersion(deps, 'l', 'k', locked.versionId, ctx, () => kept++)).toBe(false);
    expect(kept).toBe(1);
    expect((await svc.getObject({ bucket: 'l', key: 'k', versionId: locked.versionId, withoutData: true }, ctx)).headers.lock).toEqual(lock);
    expect(await gcQueue(kv)).toEqual([]);
    // Without a lock the same version would go.
    const plain = await putChunked(svc, 'l', 'p', 'c-plain');
    await putChunked(svc, 'l', 'p', 'c-plain2');
    expect(await expireNoncurrentVersion(deps, 'l', 'p', plain.versionId, ctx, () => kept++)).toBe(true);
    expect(kept).toBe(1);
  });

  it('an upload completed or aborted meanwhile is left alone', async () => {
    const { svc, deps } = setup();
    await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
    const u = await svc.createMultipartUpload({ bucket: 'b', key: 'k', headers, owner }, ctx);
    await svc.abortMultipartUpload({ bucket: 'b', key: 'k', uploadId: u.uploadId }, ctx);
    expect(await abortStaleUpload(deps, 'b', 'k', u.uploadId, ctx)).toBe(false);
    expect(await abortStaleUpload(deps, 'gone', 'k', u.uploadId, ctx)).toBe(false);
  });
});
