import { ConnectionGovernor } from './connection-governor';

class FakeSocket {
  destroyed = false;
  constructor(readonly name: string) {}
  destroy(): void {
    this.destroyed = true;
  }
}

describe('ConnectionGovernor', () => {
  it('closes the oldest idle connection to admit a new one past the cap', () => {
    const counts: number[] = [];
    let evictions = 0;
    const g = new ConnectionGovernor<FakeSocket>(2, { onCount: (n) => counts.push(n), onEvict: () => evictions++ });
    const [a, b, c] = [new FakeSocket('a'), new FakeSocket('b'), new FakeSocket('c')];
    g.connected(a);
    g.connected(b);
    expect(g.requestStarted(a)).toBe(true); // a is busy, b idle
    g.connected(c);
    expect(b.destroyed).toBe(true);
    expect(a.destroyed).toBe(false);
    expect(evictions).toBe(1);
    expect(g.requestStarted(c)).toBe(true);
    g.closed(b); // the evicted socket's close event changes nothing
    expect(g.open).toBe(2);
    expect(counts).toEqual([1, 2, 2]);
  });

  it('answers requests of a connection past the cap with a refusal while all others are busy, and admits it once one frees', () => {
    const g = new ConnectionGovernor<FakeSocket>(1);
    const a = new FakeSocket('a');
    const b = new FakeSocket('b');
    g.connected(a);
    g.requestStarted(a);
    g.connected(b); // no idle connection to close
    expect(b.destroyed).toBe(false);
    expect(g.requestStarted(b)).toBe(false);
    g.requestEnded(a); // a is idle again: b's next request closes it and is served
    expect(g.requestStarted(b)).toBe(true);
    expect(a.destroyed).toBe(true);
    g.closed(b);
    expect(g.open).toBe(0);
  });

  it('never closes a connection with a request in flight, and counts within the cap after closes', () => {
    const g = new ConnectionGovernor<FakeSocket>(2);
    const s = Array.from({ length: 4 }, (_, i) => new FakeSocket(String(i)));
    g.connected(s[0]);
    g.connected(s[1]);
    g.requestStarted(s[0]);
    g.requestStarted(s[1]);
    g.connected(s[2]);
    expect(s.some((x) => x.destroyed)).toBe(false);
    g.closed(s[0]);
    g.connected(s[3]); // room freed by the close
    expect(g.requestStarted(s[3])).toBe(true);
    expect(g.requestStarted(s[2])).toBe(false); // still over: s[1] and s[3] busy
  });
});
