/**
 * Admission control for request bodies: the bytes of bodies being received at once are capped, so many
 * concurrent uploads cannot grow the gateway's memory without bound. A request over the budget is
 * refused up front (503 SlowDown, which SDKs retry with backoff) before any of its body is read.
 *
 * Each body is charged what it can hold in memory: its declared length, at most `maxCharge` (the blob
 * writer's buffers; a 5 GiB upload streams through them and holds no more than that). One body is
 * always admitted when none is in flight, so a budget below one charge cannot lock everything out.
 */
const NOTHING_TO_RELEASE = (): void => undefined;

export class BodyBudget {
  private used = 0;
  private bodies = 0;

  constructor(
    private readonly max: number,
    private readonly maxCharge: number,
    private readonly onChange: (inFlightBytes: number) => void = () => undefined,
  ) {}

  /** What a body of `length` bytes is charged. */
  chargeOf(length: number): number {
    return Math.min(length, this.maxCharge);
  }

  /** Reserves the charge of a body of `length` bytes; `undefined` when over budget, else the release. */
  admit(length: number): (() => void) | undefined {
    const charge = this.chargeOf(length);
    if (charge <= 0) return NOTHING_TO_RELEASE;
    if (this.bodies > 0 && this.used + charge > this.max) return undefined;
    this.used += charge;
    this.bodies++;
    this.onChange(this.used);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= charge;
      this.bodies--;
      this.onChange(this.used);
    };
  }

  get inFlightBytes(): number {
    return this.used;
  }
}
