import type { BlobManifest } from '@massive/contracts';
import { splitManifest } from './split-manifest';

const m = (...chunks: [string, number][]): BlobManifest => ({ size: chunks.reduce((n, [, s]) => n + s, 0), chunks: chunks.map(([id, size]) => ({ id, size })) });

describe('splitManifest', () => {
  it('keeps a one-owner manifest whole, range and all', () => {
    const one = m(['@a/i.0', 10], ['@a/i.1', 5]);
    expect(splitManifest(one, { start: 3, end: 12 })).toEqual([{ owner: 'a', manifest: one, range: { start: 3, end: 12 } }]);
    const any = m(['3,01637037d6', 10]);
    expect(splitManifest(any, undefined)).toEqual([{ owner: undefined, manifest: any, range: undefined }]);
    expect(splitManifest({ size: 0, chunks: [] }, undefined)).toEqual([{ owner: undefined, manifest: { size: 0, chunks: [] }, range: undefined }]);
  });

  it('cuts a multi-owner manifest into runs per owner', () => {
    const parts = m(['@a/p1.0', 10], ['@a/p1.1', 5], ['@b/p2.0', 10], ['old.0', 4], ['@a/p3.0', 1]);
    expect(splitManifest(parts, undefined)).toEqual([
      { owner: 'a', manifest: m(['@a/p1.0', 10], ['@a/p1.1', 5]), range: undefined },
      { owner: 'b', manifest: m(['@b/p2.0', 10]), range: undefined },
      { owner: undefined, manifest: m(['old.0', 4]), range: undefined },
      { owner: 'a', manifest: m(['@a/p3.0', 1]), range: undefined },
    ]);
  });

  it('keeps only the runs a range covers, with ranges relative to each run', () => {
    const parts = m(['@a/p1.0', 10], ['@b/p2.0', 10], ['@a/p3.0', 10]);
    expect(splitManifest(parts, { start: 12, end: 15 })).toEqual([{ owner: 'b', manifest: m(['@b/p2.0', 10]), range: { start: 2, end: 5 } }]);
    expect(splitManifest(parts, { start: 9, end: 20 })).toEqual([
      { owner: 'a', manifest: m(['@a/p1.0', 10]), range: { start: 9, end: 9 } },
      { owner: 'b', manifest: m(['@b/p2.0', 10]), range: undefined },
      { owner: 'a', manifest: m(['@a/p3.0', 10]), range: { start: 0, end: 0 } },
    ]);
    expect(splitManifest(parts, { start: 10, end: 19 })).toEqual([{ owner: 'b', manifest: m(['@b/p2.0', 10]), range: undefined }]);
  });

  it('rejects ranges outside the object and manifests that do not add up', () => {
    const parts = m(['@a/p1.0', 10], ['@b/p2.0', 10]);
    expect(() => splitManifest(parts, { start: 5, end: 20 })).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
    expect(() => splitManifest(parts, { start: 6, end: 5 })).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
    expect(() => splitManifest({ ...parts, size: 21 }, undefined)).toThrow(expect.objectContaining({ code: 'Internal' }));
  });
});
