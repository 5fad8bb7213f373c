/**
 * PD's timestamp oracle over an injectable clock: physical = max(clock, last physical) in Unix ms,
 * logical counts within a millisecond and rolls the physical part forward at 2^18. A request for
 * `count` timestamps returns the LAST one of the batch, as PD does.
 */
import { composeTs } from './codec';

const MAX_LOGICAL = 1n << 18n;

/** Wall clock plus a test-controlled offset (advance it to expire lock TTLs without sleeping). */
export class FakeClock {
  private offsetMs = 0;

  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    return this.wall() + this.offsetMs;
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error('the fake clock only moves forward');
    this.offsetMs += ms;
  }
}

export class FakeTso {
  private physical = 0n;
  private logical = 0n;

  constructor(private readonly clock: FakeClock) {}

  /** Allocates `count` timestamps and returns the last one's parts. */
  allocate(count: number): { physical: bigint; logical: bigint } {
    if (!Number.isInteger(count) || count < 1 || BigInt(count) >= MAX_LOGICAL) throw new RangeError(`bad TSO count ${count}`);
    const now = BigInt(this.clock.now());
    if (now > this.physical) {
      this.physical = now;
      this.logical = 0n;
    }
    if (this.logical + BigInt(count) >= MAX_LOGICAL) {
      this.physical += 1n;
      this.logical = 0n;
    }
    this.logical += BigInt(count);
    return { physical: this.physical, logical: this.logical };
  }

  /** One fresh timestamp as a u64 (for tests and the fake's own bookkeeping). */
  next(): bigint {
    const { physical, logical } = this.allocate(1);
    return composeTs(physical, logical);
  }
}
