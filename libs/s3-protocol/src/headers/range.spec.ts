import { isS3Error } from '../errors';
import { resolveRange } from './range';

describe('resolveRange', () => {
  it.each([
    [undefined, 10, undefined],
    ['bytes=0-0', 10, { start: 0, end: 0 }],
    ['bytes=2-5', 10, { start: 2, end: 5 }],
    ['bytes=2-', 10, { start: 2, end: 9 }],
    ['bytes=-3', 10, { start: 7, end: 9 }],
    ['bytes=-30', 10, { start: 0, end: 9 }],
    ['bytes=5-100', 10, { start: 5, end: 9 }],
    ['bytes=9-9', 10, { start: 9, end: 9 }],
    ['bytes=5-2', 10, undefined],
    ['bytes=a-b', 10, undefined],
    ['bytes=1-2,4-5', 10, undefined],
    ['items=1-2', 10, undefined],
    ['bytes=-', 10, undefined],
  ])('%s of %i bytes', (h, size, want) => {
    expect(resolveRange(h, size)).toEqual(want);
  });

  it.each([
    ['bytes=10-', 10],
    ['bytes=10-20', 10],
    ['bytes=-0', 10],
    ['bytes=0-', 0],
    ['bytes=-1', 0],
  ])('%s of %i bytes is InvalidRange with Content-Range', (h, size) => {
    try {
      resolveRange(h, size);
      throw new Error('no error');
    } catch (e) {
      expect(isS3Error(e, 'InvalidRange')).toBe(true);
      expect((e as { headers: Record<string, string> }).headers['Content-Range']).toBe(`bytes */${size}`);
    }
  });
});
