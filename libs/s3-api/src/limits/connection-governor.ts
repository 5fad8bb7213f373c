/**
 * Bounds the client connections of the S3 port. Connections are kept in arrival order with the number
 * of requests each is serving. When a new one would pass the cap, the oldest idle connection (no request
 * in flight: a parked keep-alive, a client that connected and said nothing, a trickler still sending
 * headers) is closed to make room, as nginx reuses its keep-alive slots. When every connection is busy
 * the new one is accepted but over the cap: its requests are answered 503 SlowDown and it is closed,
 * so an SDK backs off and retries instead of hanging in a listen queue. Idle connections can therefore
 * never lock out real requests. Pure bookkeeping: the server wires sockets in.
 */
export interface Closable {
  destroy(): void;
}

interface ConnState {
  active: number;
  over: boolean;
}

export interface GovernorHooks {
  /** Open connections changed (gauge). */
  readonly onCount?: (open: number) => void;
  /** An idle connection was closed to make room. */
  readonly onEvict?: () => void;
}

export class ConnectionGovernor<S extends Closable> {
  private readonly conns = new Map<S, ConnState>();
  /** Connections within the cap (not `over`). */
  private within = 0;

  constructor(
    private readonly max: number,
    private readonly hooks: GovernorHooks = {},
  ) {}

  /** A connection opened. */
  connected(s: S): void {
    const state: ConnState = { active: 0, over: false };
    if (this.within >= this.max && !this.evictIdle()) state.over = true;
    else this.within++;
    this.conns.set(s, state);
    this.hooks.onCount?.(this.conns.size);
  }

  /** A connection closed (for any reason). */
  closed(s: S): void {
    const state = this.conns.get(s);
    if (!state) return;
    this.conns.delete(s);
    if (!state.over) this.within--;
    this.hooks.onCount?.(this.conns.size);
  }

  /**
   * A request arrived on `s`. False when the connection is over the cap and no room has freed up since:
   * answer 503 SlowDown and close it.
   */
  requestStarted(s: S): boolean {
    const state = this.conns.get(s);
    if (!state) return true;
    if (state.over) {
      if (this.within >= this.max && !this.evictIdle(s)) return false;
      state.over = false;
      this.within++;
    }
    state.active++;
    // Busy connections move to the back: the front stays the best eviction candidates.
    this.conns.delete(s);
    this.conns.set(s, state);
    return true;
  }

  requestEnded(s: S): void {
    const state = this.conns.get(s);
    if (state && state.active > 0) state.active--;
  }

  get open(): number {
    return this.conns.size;
  }

  private evictIdle(except?: S): boolean {
    for (const [s, state] of this.conns) {
      if (state.active > 0 || state.over || s === except) continue;
      // Closed here and counted out now; the socket's own 'close' is then a no-op.
      this.conns.delete(s);
      this.within--;
      s.destroy();
      this.hooks.onEvict?.();
      return true;
    }
    return false;
  }
}
