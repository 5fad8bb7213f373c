import { MemoryKv } from '@massive/kv/testing';
import { MetadataService } from '../src/metadata-service';
import { GatedKv } from './helpers';

const ctx = { requestId: 't' };
const owner = { id: 'o', displayName: 'o' };
const headers = { userMetadata: {} };
const retry = { maxAttempts: 20, baseDelayMs: 1, maxDelayMs: 2 };

/**
 * Two MetadataService instances over one store behave like two metadata processes: their writers of a
 * key do not take turns (each has its own TxnRunner queue), only the store's conflicts order them. One
 * transaction is held just before its commit while the other commits; the held one must then conflict
 * and retry, or the key's O / V records would disagree (every version-changing writer writes O).
 */
function twoProcesses() {
  const kv = new GatedKv(new MemoryKv());
  return { kv, a: new MetadataService({ kv, retry }), b: new MetadataService({ kv, retry }) };
}

async function seed(svc: MetadataService, bodies: string[]): Promise<string[]> {
  await svc.createBucket({ name: 'b', region: 'r', owner }, ctx);
  await svc.putBucketVersioning({ bucket: 'b', status: 'Enabled' }, ctx);
  const ids: string[] = [];
  for (const body of bodies) {
    const bytes = Buffer.from(body);
    ids.push((await svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'inline', bytes }, size: bytes.length, etag: body, headers }, ctx)).versionId);
  }
  return ids;
}

async function state(svc: MetadataService): Promise<{ latest: string; versions: string[] }> {
  const listed = await svc.listObjectVersions({ bucket: 'b', maxKeys: 100 }, ctx);
  const latest = await svc.getObject({ bucket: 'b', key: 'k' }, ctx).then(
    (v) => `object ${v.versionId}`,
    (e: { code: string; detail?: { deleteMarker?: string } }) => `${e.code}${e.detail?.deleteMarker ? ' (marker)' : ''}`,
  );
  return { latest, versions: listed.versions.map((v) => `${v.versionId}${v.deleteMarker ? ' marker' : ''}${v.isLatest ? ' latest' : ''}`) };
}

describe('versioning races between metadata processes', () => {
  it('removing the latest (promoting the old one) vs removing that old one: no O left pointing at a removed version', async () => {
    const { kv, a, b } = twoProcesses();
    const [v1, v2] = await seed(a, ['one', 'two']);
    const gate = kv.holdNext();
    const promote = a.deleteObject({ bucket: 'b', key: 'k', versionId: v2 }, ctx); // would make O → v1
    await gate.reached;
    await b.deleteObject({ bucket: 'b', key: 'k', versionId: v1 }, ctx); // v1 is not the latest for b
    gate.release();
    await promote;
    expect(await state(a)).toEqual({ latest: 'NoSuchKey', versions: [] });
  });

  it('adding a marker vs removing the marker under it (which promotes an object): the new marker stays the latest', async () => {
    const { kv, a, b } = twoProcesses();
    const [v1] = await seed(a, ['one']);
    const m1 = (await a.deleteObject({ bucket: 'b', key: 'k' }, ctx)).versionId ?? '';
    const gate = kv.holdNext();
    const mark = a.deleteObject({ bucket: 'b', key: 'k' }, ctx); // adds m2 on top of m1
    await gate.reached;
    await b.deleteObject({ bucket: 'b', key: 'k', versionId: m1 }, ctx); // promotes v1: O → v1
    gate.release();
    const m2 = (await mark).versionId ?? '';
    // A new id is promised greater than the key's latest when it commits (nextVersionId): that was v1,
    // m1 being gone by then. Not greater than m1: ids are a millisecond clock and a random tail, and a
    // retry in the millisecond m1 was made in (this whole race takes about one) sorts below it half the time.
    expect(m2 > v1).toBe(true);
    expect(m2).not.toBe(m1);
    expect(await state(a)).toEqual({ latest: 'NoSuchKey (marker)', versions: [`${m2} marker latest`, v1] });
  });

  it('two versioned PUTs racing: both kept, O on the newer id', async () => {
    const { kv, a, b } = twoProcesses();
    const [v1] = await seed(a, ['one']);
    const bytes = Buffer.from('x');
    const put = (svc: MetadataService) => svc.putObject({ bucket: 'b', key: 'k', data: { kind: 'inline', bytes }, size: 1, etag: 'x', headers }, ctx);
    const gate = kv.holdNext();
    const first = put(a);
    await gate.reached;
    const second = await put(b);
    gate.release();
    const retried = await first; // conflicted on O, retried after `second`: its id is above second's
    expect(retried.versionId > second.versionId).toBe(true);
    expect(await state(a)).toEqual({ latest: `object ${retried.versionId}`, versions: [`${retried.versionId} latest`, second.versionId, v1] });
  });
});
