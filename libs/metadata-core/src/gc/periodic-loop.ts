/**
 * A pass every `intervalMs` (measured from the end of the previous one, so passes never overlap) until
 * `stop()`, which waits for a pass in progress. The timer is unref'd: it never keeps a process alive.
 * The GC collector and the lifecycle worker run their leader-only passes on it.
 */
export class PeriodicLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private started = false;

  constructor(
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
