import { prefixEnd } from './kv';

describe('prefixEnd', () => {
  it.each([
    ['61', '62'],
    ['61ff', '62'],
    ['00ff00', '00ff01'],
    ['ffff', ''],
    ['', ''],
  ])('prefixEnd(%s) = %s', (input, want) => {
    expect(prefixEnd(Buffer.from(input, 'hex')).toString('hex')).toBe(want);
  });

  it('bounds every key with the prefix and nothing after it', () => {
    const p = Buffer.from('0a0bff', 'hex');
    const end = prefixEnd(p);
    expect(Buffer.compare(Buffer.concat([p, Buffer.from([0xff, 0xff])]), end)).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from('0a0c', 'hex'), end)).toBeGreaterThanOrEqual(0);
  });
});
