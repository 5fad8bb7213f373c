import { isServiceError } from '@massive/contracts';
import { chunkIdOf, parseChunkId, parseFid } from './fid';

describe('fids and chunk ids', () => {
  it.each(['3,01637037d6', '1,0a637037d6', '4294967295,ffffffffffffffff637037d6', '7,0102637037d6'])('accepts master fid %s', (fid) => {
    const f = parseFid(fid);
    expect(f?.fid).toBe(fid);
    expect(parseChunkId(chunkIdOf(f!))).toEqual(f);
  });

  it.each([
    '',
    '3',
    '3,',
    '0,01637037d6', // vid 0 is never assigned
    '03,01637037d6',
    '4294967296,01637037d6',
    '3,637037d6', // key stripped entirely: masters never mint key 0
    '3,1637037d6', // odd length
    '3,01637037D6', // masters print lowercase
    '3,01637037d6_1',
    '3,01637037d6.jpg',
    '3/01637037d6',
    '3,01637037d6?x=1',
    '3,0000000000000000000000000001637037d6',
  ])('rejects %j', (fid) => {
    expect(parseFid(fid)).toBeUndefined();
    let err: unknown;
    try {
      parseChunkId(`sw1:${fid}`);
    } catch (e) {
      err = e;
    }
    expect(isServiceError(err, 'InvalidArgument')).toBe(true);
  });

  it('requires the sw1 prefix', () => {
    expect(() => parseChunkId('3,01637037d6')).toThrow(/malformed chunk id/);
    expect(() => parseChunkId('sw2:3,01637037d6')).toThrow(/malformed chunk id/);
  });
});
