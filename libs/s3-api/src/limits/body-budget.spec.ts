import { BodyBudget } from './body-budget';

describe('BodyBudget', () => {
  it('admits bodies until their charges reach the budget, then refuses until one finishes', () => {
    const seen: number[] = [];
    const b = new BodyBudget(100, 40, (n) => seen.push(n));
    const r1 = b.admit(40);
    const r2 = b.admit(1000); // charged 40: what one body can hold, not its length
    expect(r1 && r2).toBeTruthy();
    expect(b.inFlightBytes).toBe(80);
    expect(b.admit(30)).toBeUndefined();
    const r3 = b.admit(20);
    expect(b.inFlightBytes).toBe(100);
    r1!();
    r1!(); // releasing twice is harmless
    expect(b.inFlightBytes).toBe(60);
    expect(b.admit(40)).toBeDefined();
    r2!();
    r3!();
    expect(seen).toEqual([40, 80, 100, 60, 100, 60, 40]);
  });

  it('charges nothing for an empty body and always admits one body when none is in flight', () => {
    const b = new BodyBudget(10, 64);
    expect(b.admit(0)).toBeDefined();
    expect(b.inFlightBytes).toBe(0);
    const big = b.admit(50);
    expect(big).toBeDefined();
    expect(b.admit(1)).toBeUndefined();
    big!();
    expect(b.admit(1)).toBeDefined();
  });
});
