import type { BlobManifest, MetadataApi, ObjectVersion } from '@massive/contracts';
import { cipherSize } from '../sse/package-format';
import type { S3ApiDeps } from '../types';
import { objectSegments, PART_MANIFEST_BATCH, type Segment } from './object-segments';

const UPLOAD = 'u'.repeat(32);

function multipart(sizes: number[], stored: (n: number) => number = (n) => n): { v: ObjectVersion; deps: S3ApiDeps; asked: number[][] } {
  const asked: number[][] = [];
  const metadata = {
    getPartManifests: async (req: { uploadId: string; partNumbers: readonly number[] }) => {
      expect(req.uploadId).toBe(UPLOAD);
      asked.push([...req.partNumbers]);
      return req.partNumbers.map((n): BlobManifest => ({ size: stored(sizes[n - 1]), chunks: [{ id: `p${n}`, size: stored(sizes[n - 1]) }] }));
    },
  } as unknown as MetadataApi;
  const v: ObjectVersion = {
    bucket: 'b',
    key: 'k',
    versionId: 'v',
    size: sizes.reduce((a, b) => a + b, 0),
    etag: 'e-1',
    lastModified: 0,
    headers: { userMetadata: {} },
    parts: sizes.map((size, i) => ({ partNumber: i + 1, size, etag: `e${i}` })),
    data: { kind: 'parts', uploadId: UPLOAD },
  };
  return { v, deps: { metadata } as unknown as S3ApiDeps, asked };
}

async function collect(it: AsyncIterable<{ manifest: BlobManifest; range?: { start: number; end: number } }>) {
  const out: { id: string; range?: { start: number; end: number } }[] = [];
  for await (const s of it) out.push({ id: s.manifest.chunks[0].id, ...(s.range && { range: s.range }) });
  return out;
}

describe('objectSegments', () => {
  it('a whole multipart object: every non-empty part, whole', async () => {
    const { v, deps } = multipart([10, 0, 7, 4]);
    expect(await collect(objectSegments(v, undefined, { requestId: 'r' }, deps))).toEqual([{ id: 'p1' }, { id: 'p3' }, { id: 'p4' }]);
  });

  it('a range loads only the parts it covers, with part-relative ranges at both ends', async () => {
    const { v, deps, asked } = multipart([10, 10, 10, 10]);
    const segs = await collect(objectSegments(v, { start: 15, end: 32 }, { requestId: 'r' }, deps));
    expect(segs).toEqual([
      { id: 'p2', range: { start: 5, end: 9 } },
      { id: 'p3' },
      { id: 'p4', range: { start: 0, end: 2 } },
    ]);
    expect(asked).toEqual([[2, 3, 4]]);
    const inside = await collect(objectSegments(v, { start: 21, end: 22 }, { requestId: 'r' }, deps));
    expect(inside).toEqual([{ id: 'p3', range: { start: 1, end: 2 } }]);
  });

  it('fetches manifests a batch at a time', async () => {
    const n = PART_MANIFEST_BATCH * 2 + 3;
    const { v, deps, asked } = multipart(Array.from({ length: n }, () => 1));
    expect(await collect(objectSegments(v, undefined, { requestId: 'r' }, deps))).toHaveLength(n);
    expect(asked.map((a) => a.length)).toEqual([PART_MANIFEST_BATCH, PART_MANIFEST_BATCH, 3]);
  });

  it('a single-manifest object is one segment', async () => {
    const manifest = { size: 5, chunks: [{ id: 'c', size: 5 }] };
    const v = { ...multipart([5]).v, parts: undefined, data: { kind: 'chunks' as const, manifest } };
    expect(await collect(objectSegments(v, { start: 1, end: 2 }, { requestId: 'r' }, {} as S3ApiDeps))).toEqual([{ id: 'c', range: { start: 1, end: 2 } }]);
  });

  describe('encrypted (SSE-S3): the whole packages holding the range, and how to cut the plaintext from them', () => {
    const key = Buffer.alloc(32, 1);
    const P = 65536;
    const C = P + 32;
    const segs = async (it: AsyncIterable<Segment>) => {
      const out: Segment[] = [];
      for await (const s of it) out.push(s);
      return out.map((s) => ({ id: s.manifest.chunks[0].id, range: s.range, stream: s.decrypt?.stream, firstSeq: s.decrypt?.firstSeq, skip: s.decrypt?.skip, length: s.decrypt?.length, toEnd: s.decrypt?.toEnd }));
    };

    it('a range across two parts: each part its own stream (its part number), from the package holding the first byte', async () => {
      const { v, deps } = multipart([3 * P, 2 * P + 10], cipherSize);
      const got = await segs(objectSegments(v, { start: P + 5, end: 3 * P + 4 }, { requestId: 'r' }, deps, key));
      expect(got).toEqual([
        { id: 'p1', range: { start: C, end: 3 * C - 1 }, stream: 1, firstSeq: 1, skip: 5, length: 2 * P - 5, toEnd: true },
        { id: 'p2', range: { start: 0, end: C - 1 }, stream: 2, firstSeq: 0, skip: 0, length: 5, toEnd: false },
      ]);
    });

    it('a single PUT is stream 0; the whole object reads to its final package', async () => {
      const { v } = multipart([P + 1]);
      const single: ObjectVersion = { ...v, parts: undefined, data: { kind: 'chunks', manifest: { size: cipherSize(P + 1), chunks: [{ id: 'c', size: cipherSize(P + 1) }] } } };
      expect(await segs(objectSegments(single, undefined, { requestId: 'r' }, {} as S3ApiDeps, key))).toEqual([
        { id: 'c', range: { start: 0, end: C + 33 - 1 }, stream: 0, firstSeq: 0, skip: 0, length: P + 1, toEnd: true },
      ]);
    });

    it('stored bytes that do not match the plaintext size are an internal error, not a short read', async () => {
      const { v, deps } = multipart([100, 200]);
      await expect(segs(objectSegments(v, undefined, { requestId: 'r' }, deps, key))).rejects.toMatchObject({ code: 'Internal' });
    });
  });
});
