import { assertReplicaId, chunkOwner, isReplicaId, replicaOwnedChunkId } from './chunk-owner';

describe('chunk owners', () => {
  it('names the owner of replica-owned ids', () => {
    expect(replicaOwnedChunkId('massive-blob-0', 'abc.3')).toBe('@massive-blob-0/abc.3');
    expect(chunkOwner('@massive-blob-0/abc.3')).toBe('massive-blob-0');
    expect(chunkOwner('@0/x.0')).toBe('0');
  });

  it('leaves ids any replica serves without an owner (SeaweedFS fids, old local ids)', () => {
    for (const id of ['3,01637037d6', 'abc.3', 'k3F9x-2b.17', '']) expect(chunkOwner(id)).toBeUndefined();
  });

  it.each(['@/x.0', '@x.0', '@Blob/x.0', '@-a/x.0', '@a-/x.0', `@${'a'.repeat(64)}/x.0`, '@a_b/x.0', '@../x.0'])('rejects the malformed owner of %j', (id) => {
    expect(() => chunkOwner(id)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('validates replica ids as DNS labels', () => {
    for (const ok of ['a', '0', 'massive-blob-12', 'a'.repeat(63)]) expect(isReplicaId(ok)).toBe(true);
    for (const bad of ['', 'A', 'a.b', 'a b', '-a', 'a-', 'a'.repeat(64)]) {
      expect(isReplicaId(bad)).toBe(false);
      expect(() => assertReplicaId(bad)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
    expect(() => replicaOwnedChunkId('Bad', 'x.0')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
