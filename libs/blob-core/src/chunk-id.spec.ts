import { assertIntentId, formatChunkId, MAX_CHUNK_SEQ, parseChunkId } from './chunk-id';

describe('chunk ids', () => {
  it('formats and parses <intentId>.<seq>', () => {
    expect(formatChunkId('Ab_9-z', 0)).toBe('Ab_9-z.0');
    expect(parseChunkId('Ab_9-z.42')).toEqual({ intentId: 'Ab_9-z', seq: 42 });
    expect(parseChunkId(formatChunkId('x', MAX_CHUNK_SEQ))).toEqual({ intentId: 'x', seq: MAX_CHUNK_SEQ });
  });

  it('formats and parses the replica-owned form @<replicaId>/<intentId>.<seq>', () => {
    expect(formatChunkId('Ab_9-z', 3, 'massive-blob-1')).toBe('@massive-blob-1/Ab_9-z.3');
    expect(parseChunkId('@massive-blob-1/Ab_9-z.3')).toEqual({ intentId: 'Ab_9-z', seq: 3, replicaId: 'massive-blob-1' });
    expect(() => formatChunkId('a', 0, 'Not_A_Label')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it.each(['@', '@/a.0', '@r', '@r/', '@r/a', '@r/a/b.0', '@r/../a.0', '@R/a.0', '@r/@s/a.0', '@r//a.0', '@r/a.01'])('rejects the replica-owned %j', (id) => {
    expect(() => parseChunkId(id)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it.each(['', '.0', 'a.', 'a..0', 'a.01', 'a.-1', 'a.1e3', 'a.+1', 'a. 1', 'a.4294967296', 'a.0.0', 'a/b.0', '..', 'ä.0', `${'x'.repeat(129)}.0`, 'a.0\n'])(
    'rejects %j',
    (id) => {
      expect(() => parseChunkId(id)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    },
  );

  it('rejects bad intent ids and sequence numbers when minting', () => {
    for (const i of ['', '.', 'a.b', 'a/b', 'x'.repeat(129)]) {
      expect(() => assertIntentId(i)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
    for (const s of [-1, 1.5, MAX_CHUNK_SEQ + 1, NaN]) {
      expect(() => formatChunkId('a', s)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
  });
});
