import { randomBytes } from 'node:crypto';
import type { AccessKeyRecord, CallCtx, MetadataApi } from '@massive/contracts';
import { resealAccessKeys } from './key-reseal';
import { SecretSealer } from './secret-seal';

const ctx: CallCtx = { requestId: 'r' };
const OLD = randomBytes(32);
const NEW = randomBytes(32);

/** listKeys / getKey / resealKey over a map, with resealKey's compare-and-set as metadata does it. */
function store(records: AccessKeyRecord[]): Pick<MetadataApi, 'listKeys' | 'getKey' | 'resealKey'> & { readonly byId: Map<string, AccessKeyRecord>; beforeReseal?: (id: string) => void } {
  const byId = new Map(records.map((r) => [r.accessKeyId, r]));
  const s: ReturnType<typeof store> = {
    byId,
    listKeys: async () => [...byId.values()].map(({ sealedSecret: _s, ...summary }) => summary),
    getKey: async (req) => {
      const key = 'accessKeyId' in req ? byId.get(req.accessKeyId) : undefined;
      return { ...(key && { key }), grants: [] };
    },
    resealKey: async (req) => {
      s.beforeReseal?.(req.accessKeyId);
      const k = byId.get(req.accessKeyId);
      if (!k || k.sealedSecret !== req.expected) return { resealed: false };
      byId.set(req.accessKeyId, { ...k, sealedSecret: req.sealedSecret });
      return { resealed: true };
    },
  };
  return s;
}

function key(id: string, sealer: SecretSealer, secret = `secret-of-${id}`): AccessKeyRecord {
  return { accessKeyId: id, name: id.toLowerCase(), createdAt: 1, canonicalId: id.padEnd(64, '0'), sealedSecret: sealer.seal(secret, id) };
}

describe('resealAccessKeys', () => {
  it('seals again under the current master key exactly the secrets a previous key opens; the secrets stay the same', async () => {
    const oldSealer = new SecretSealer(OLD);
    const rotated = new SecretSealer(NEW, [OLD]);
    const m = store([key('MKA', oldSealer), key('MKB', oldSealer), key('MKC', new SecretSealer(NEW)), key('MKD', new SecretSealer(randomBytes(32)))]);
    const before = new Map([...m.byId].map(([id, r]) => [id, r.sealedSecret]));
    expect(await resealAccessKeys(m, rotated, ctx)).toEqual({ resealed: 2, current: 1, unreadable: ['MKD'] });
    // Now the new master key alone opens A and B, to the same secrets; C and D are untouched.
    const newOnly = new SecretSealer(NEW);
    for (const id of ['MKA', 'MKB', 'MKC']) expect(newOnly.unseal(m.byId.get(id)!.sealedSecret, id)).toBe(`secret-of-${id}`);
    expect(m.byId.get('MKC')!.sealedSecret).toBe(before.get('MKC'));
    expect(m.byId.get('MKD')!.sealedSecret).toBe(before.get('MKD'));
    // A second pass finds nothing left to do.
    expect(await resealAccessKeys(m, rotated, ctx)).toEqual({ resealed: 0, current: 3, unreadable: ['MKD'] });
  });

  it('a key another gateway re-sealed (or that was re-created) meanwhile is left as that gateway wrote it', async () => {
    const oldSealer = new SecretSealer(OLD);
    const rotated = new SecretSealer(NEW, [OLD]);
    const m = store([key('MKA', oldSealer)]);
    const theirs = new SecretSealer(NEW).seal('secret-of-MKA', 'MKA');
    m.beforeReseal = (id) => m.byId.set(id, { ...m.byId.get(id)!, sealedSecret: theirs });
    expect(await resealAccessKeys(m, rotated, ctx)).toEqual({ resealed: 0, current: 1, unreadable: [] });
    expect(m.byId.get('MKA')!.sealedSecret).toBe(theirs);
  });

  it('open() tells a previous key from the current one, and the callback hears each previous use', () => {
    const heard: string[] = [];
    const rotated = new SecretSealer(NEW, [OLD], (id) => heard.push(id));
    expect(rotated.open(new SecretSealer(OLD).seal('s', 'MKA'), 'MKA')).toEqual({ secret: 's', previous: true });
    expect(rotated.open(new SecretSealer(NEW).seal('t', 'MKB'), 'MKB')).toEqual({ secret: 't', previous: false });
    expect(heard).toEqual(['MKA']);
  });
});
