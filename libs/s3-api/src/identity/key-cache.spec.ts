import { randomBytes } from 'node:crypto';
import type { KeyGrant, KeyLookup, KeyWithGrants, MetadataApi } from '@massive/contracts';
import { KeyCache } from './key-cache';
import { SecretSealer } from './secret-seal';

const ctx = { requestId: 'test' };
const sealer = new SecretSealer(randomBytes(32));

/** A getKey that counts its calls and can be held back. */
function fakeMetadata() {
  const keys = new Map<string, { name: string; secret: string; grants: KeyGrant[] }>();
  let calls = 0;
  let gate: Promise<void> | undefined;
  const api: Pick<MetadataApi, 'getKey'> = {
    async getKey(req: KeyLookup): Promise<KeyWithGrants> {
      calls++;
      if (gate) await gate;
      const id = 'accessKeyId' in req ? req.accessKeyId : undefined;
      const k = id === undefined ? undefined : keys.get(id);
      if (!k || id === undefined) return { grants: [] };
      return { key: { accessKeyId: id, name: k.name, createdAt: 1, canonicalId: `c-${id}`, sealedSecret: sealer.seal(k.secret, id) }, grants: k.grants };
    },
  };
  return {
    api,
    keys,
    calls: () => calls,
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

function setup(opts: { maxConcurrentLoads?: number } = {}) {
  let t = 1_000;
  const md = fakeMetadata();
  const cache = new KeyCache({ root: { accessKey: 'ROOT', secretKey: 'root-secret' }, metadata: md.api, sealer, now: () => t, ...opts });
  return { md, cache, advance: (ms: number) => (t += ms) };
}

const grant = (accessKeyId: string, bucket: string, p: Partial<KeyGrant> = {}): KeyGrant => ({ accessKeyId, bucket, read: false, write: false, owner: false, ...p });

describe('KeyCache', () => {
  it('the root key needs no metadata and has no scope', () => {
    const { cache, md } = setup();
    expect(cache.prepare('ROOT', ctx)).toBeUndefined();
    expect(cache.lookup('ROOT')).toMatchObject({ secretKey: 'root-secret', owner: { displayName: 'ROOT' } });
    expect(cache.lookup('ROOT')?.scope).toBeUndefined();
    expect(md.calls()).toBe(0);
  });

  it('loads a key once with its unsealed secret and grants, then serves it from memory until the TTL', async () => {
    const { cache, md, advance } = setup();
    md.keys.set('K1', { name: 'app1', secret: 's3cr3t', grants: [grant('K1', 'b1', { read: true })] });
    expect(cache.lookup('K1')).toBeUndefined();
    await cache.prepare('K1', ctx);
    const cred = cache.lookup('K1');
    expect(cred).toMatchObject({ secretKey: 's3cr3t', owner: { id: 'c-K1', displayName: 'app1' } });
    expect(cred?.scope?.permissions('b1')).toEqual({ read: true, write: false, owner: false });
    expect(cred?.scope?.permissions('b2')).toEqual({ read: false, write: false, owner: false });
    expect(cred?.scope?.buckets()).toEqual(['b1']);
    advance(4_999);
    expect(cache.prepare('K1', ctx)).toBeUndefined();
    expect(md.calls()).toBe(1);
    advance(1);
    md.keys.delete('K1');
    await cache.prepare('K1', ctx);
    expect(cache.lookup('K1')).toBeUndefined();
    expect(md.calls()).toBe(2);
  });

  it('reports each read by result', async () => {
    const md = fakeMetadata();
    md.keys.set('K1', { name: 'app1', secret: 's', grants: [] });
    const results: string[] = [];
    const cache = new KeyCache({ root: { accessKey: 'ROOT', secretKey: 'x' }, metadata: md.api, sealer, onLoad: (r) => results.push(r) });
    await cache.prepare('K1', ctx);
    await cache.prepare('NOPE', ctx);
    expect(results).toEqual(['found', 'unknown']);
  });

  it('remembers unknown keys briefly and reads a key once however many requests wait on it', async () => {
    const { cache, md, advance } = setup();
    const release = md.hold();
    const waits = Array.from({ length: 50 }, () => cache.prepare('BAD', ctx));
    release();
    await Promise.all(waits);
    expect(md.calls()).toBe(1);
    expect(cache.prepare('BAD', ctx)).toBeUndefined();
    advance(2_000);
    await cache.prepare('BAD', ctx);
    expect(md.calls()).toBe(2);
  });

  it('bounds metadata reads at once', async () => {
    const { cache, md } = setup({ maxConcurrentLoads: 2 });
    const release = md.hold();
    const waits = Array.from({ length: 10 }, (_, i) => cache.prepare(`BAD${i}`, ctx));
    await new Promise((r) => setImmediate(r));
    expect(md.calls()).toBe(2);
    release();
    await Promise.all(waits);
    expect(md.calls()).toBe(10);
  });

  it('invalidate drops a key at once; refresh re-reads grants only when they are not brand new', async () => {
    const { cache, md, advance } = setup();
    md.keys.set('K1', { name: 'app1', secret: 's', grants: [] });
    await cache.prepare('K1', ctx);
    md.keys.set('K1', { name: 'app1', secret: 's', grants: [grant('K1', 'b1', { write: true })] });
    const scope = cache.lookup('K1')?.scope;
    expect(scope?.permissions('b1').write).toBe(false);
    expect((await scope?.refresh(ctx))?.permissions('b1').write).toBe(false); // read a moment ago: no re-read
    expect(md.calls()).toBe(1);
    advance(250);
    expect((await scope?.refresh(ctx))?.permissions('b1').write).toBe(true);
    expect(md.calls()).toBe(2);
    cache.invalidate('K1');
    expect(cache.lookup('K1')).toBeUndefined();
  });

  it('a key whose secret does not open counts as unknown and is reported', async () => {
    const md = fakeMetadata();
    md.keys.set('K1', { name: 'app1', secret: 's', grants: [] });
    const unreadable: string[] = [];
    const other = new KeyCache({ root: { accessKey: 'ROOT', secretKey: 'x' }, metadata: md.api, sealer: new SecretSealer(randomBytes(32)), onUnreadable: (id) => unreadable.push(id) });
    await other.prepare('K1', ctx);
    expect(other.lookup('K1')).toBeUndefined();
    expect(unreadable).toEqual(['K1']);
  });
});
