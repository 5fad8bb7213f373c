import { headerValue, toHeaderMap } from './headers';

describe('headers', () => {
  it('lowercases names, merges case variants and keeps repeats in order', () => {
    const map = toHeaderMap({ 'X-A': 'one', 'x-a': ['two'], b: undefined, C: ['x', 'y'] });
    expect(map.get('x-a')).toEqual(['one', 'two']);
    expect(map.has('b')).toBe(false);
    expect(headerValue(map, 'c')).toBe('x,y');
    expect(headerValue(map, 'missing')).toBeUndefined();
  });

  it("reads Node's flat rawHeaders list as it reads the headersDistinct object built from it", () => {
    const raw = ['Host', 'h:1', 'X-Amz-Meta-A', 'one', 'x-amz-meta-a', 'two', 'Authorization', 'AWS4 x', 'x-AMZ-date', 'd'];
    const distinct: Record<string, string[]> = {};
    for (let i = 0; i < raw.length; i += 2) (distinct[raw[i].toLowerCase()] ??= []).push(raw[i + 1]);
    expect(toHeaderMap(raw)).toEqual(toHeaderMap(distinct));
    expect(toHeaderMap(raw).get('x-amz-meta-a')).toEqual(['one', 'two']);
    expect(headerValue(toHeaderMap(raw), 'x-amz-date')).toBe('d');
    expect(toHeaderMap([]).size).toBe(0);
  });
});
