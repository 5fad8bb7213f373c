import type { BlobManifest } from '@massive/contracts';
import { planReads } from './read-plan';

const manifest: BlobManifest = {
  size: 25,
  chunks: [
    { id: 'a', size: 10 },
    { id: 'b', size: 10 },
    { id: 'c', size: 5 },
  ],
};

describe('planReads', () => {
  it.each([
    [undefined, [['a', 0, 10], ['b', 0, 10], ['c', 0, 5]]],
    [{ start: 0, end: 0 }, [['a', 0, 1]]],
    [{ start: 9, end: 10 }, [['a', 9, 1], ['b', 0, 1]]],
    [{ start: 10, end: 19 }, [['b', 0, 10]]],
    [{ start: 19, end: 20 }, [['b', 9, 1], ['c', 0, 1]]],
    [{ start: 24, end: 24 }, [['c', 4, 1]]],
    [{ start: 5, end: 22 }, [['a', 5, 5], ['b', 0, 10], ['c', 0, 3]]],
  ])('plans %j', (range, expected) => {
    expect(planReads(manifest, range).map((r) => [r.id, r.offset, r.length])).toEqual(expected);
  });

  it('splits reads into pieces of at most maxLength', () => {
    expect(planReads(manifest, { start: 3, end: 21 }, 4).map((r) => [r.id, r.offset, r.length])).toEqual([
      ['a', 3, 4],
      ['a', 7, 3],
      ['b', 0, 4],
      ['b', 4, 4],
      ['b', 8, 2],
      ['c', 0, 2],
    ]);
  });

  it('plans nothing for an empty object read whole', () => {
    expect(planReads({ size: 0, chunks: [] }, undefined)).toEqual([]);
  });

  it.each([
    { start: 0, end: 25 },
    { start: 25, end: 25 },
    { start: -1, end: 3 },
    { start: 5, end: 4 },
    { start: 0.5, end: 4 },
  ])('rejects %j with InvalidRange carrying the object size', (range) => {
    expect(() => planReads(manifest, range)).toThrow(expect.objectContaining({ code: 'InvalidRange', detail: { objectSize: 25 } }));
  });

  it('rejects any range on an empty object', () => {
    expect(() => planReads({ size: 0, chunks: [] }, { start: 0, end: 0 })).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
  });

  it('rejects manifests whose chunks do not add up', () => {
    expect(() => planReads({ size: 3, chunks: [{ id: 'a', size: 2 }] }, undefined)).toThrow(expect.objectContaining({ code: 'Internal' }));
  });
});
