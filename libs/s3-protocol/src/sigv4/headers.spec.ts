import { headerValue, toHeaderMap } from './headers';

describe('headers', () => {
  it('lowercases names, merges case variants and keeps repeats in order', () => {
    const map = toHeaderMap({ 'X-A': 'one', 'x-a': ['two'], b: undefined, C: ['x', 'y'] });
    expect(map.get('x-a')).toEqual(['one', 'two']);
    expect(map.has('b')).toBe(false);
    expect(headerValue(map, 'c')).toBe('x,y');
    expect(headerValue(map, 'missing')).toBeUndefined();
  });
});
