import { ServiceError } from '@massive/contracts';
import { u32, u64 } from './codec';
import { decodeSummary, encodeSummary } from './metadata/records';
import { loadProtos } from './proto';

// 64-bit integers travel as numbers (longs: Number): exact up to 2^53 - 1, refused beyond, never rounded.
describe('64-bit integers on the wire', () => {
  const def = loadProtos().metadata.ListObjects;
  const roundTrip = (objects: object[]) => def.responseDeserialize(def.responseSerialize({ objects, commonPrefixes: [], isTruncated: false }));

  it('round-trip exactly up to 2^53 - 1', () => {
    const summary = { key: 'k', size: Number.MAX_SAFE_INTEGER, etag: 'e', lastModified: 1_796_317_902_627 };
    const [back] = roundTrip([encodeSummary(summary)]).objects;
    expect(decodeSummary(back)).toEqual(summary);
  });

  it('a value past 2^53 (from another writer) is refused, not rounded', () => {
    // 2^53 + 1 has no double: a reader that rounded would see 2^53.
    const [back] = roundTrip([{ key: 'k', size: '9007199254740993', etag: 'e', lastModified: 1 }]).objects;
    expect(() => decodeSummary(back)).toThrow(ServiceError);
    expect(() => decodeSummary(back)).toThrow(/exact range/);
  });

  it('u64 refuses what cannot be a uint64 exactly', () => {
    for (const bad of [-1, 1.5, 2 ** 53, NaN]) expect(() => u64(bad)).toThrow(/not a non-negative integer/);
    expect(u64(0)).toBe(0);
  });

  it('u32 refuses what a uint32 field would truncate or wrap', () => {
    for (const bad of [-1, 1.5, 2 ** 32, NaN]) expect(() => u32(bad)).toThrow(/not a 32-bit non-negative integer/);
    expect(u32(0)).toBe(0);
    expect(u32(2 ** 32 - 1)).toBe(2 ** 32 - 1);
  });
});
