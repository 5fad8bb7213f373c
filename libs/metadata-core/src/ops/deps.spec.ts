import { randomId, timeSortableId } from './deps';

describe('ids', () => {
  it('randomId: a v4 UUID without its dashes, never repeated', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = randomId();
      expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });

  it('timeSortableId: the ms clock, then the UUID from its version digit on; sorted by time, never repeated', () => {
    const t = Date.UTC(2026, 11, 5, 12, 0, 0, 123);
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = timeSortableId(t);
      expect(id.slice(0, 12)).toBe(t.toString(16).padStart(12, '0'));
      expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
    expect(timeSortableId(t + 1) > timeSortableId(t)).toBe(true);
    expect(timeSortableId(-5).slice(0, 12)).toBe('000000000000');
  });
});
