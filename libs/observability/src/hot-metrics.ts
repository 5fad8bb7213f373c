import type { Metric, Registry } from 'prom-client';

/** One line of a metric as a Registry reads it (prom-client's MetricValue / MetricValueWithName). */
export interface ExportedValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  /** `<name>_bucket`, `_sum`, `_count` on histograms. */
  readonly metricName?: string;
  /** prom-client's buckets carry `exemplar: null` (no exemplars here): kept, so the JSON is the same. */
  readonly exemplar?: null;
  /** A histogram series' own labels, printed after `le` (text format only). */
  readonly sharedLabels?: Readonly<Record<string, string>>;
}

/** A metric as a Registry reads it (prom-client's MetricObjectWithValues). */
export interface ExportedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: ExportedValue[];
}

/**
 * Counters, gauges and histograms for the per-request paths (S3 requests, metadata transactions, gRPC
 * calls), exposed through a prom-client Registry exactly as prom-client's own classes expose them: the
 * same HELP and TYPE lines, series, label order and bucket lines, in both the text format and JSON
 * (hot-metrics.spec.ts compares them with prom-client's for the same updates).
 *
 * Why not prom-client's classes: they hash the label values of every update, even through a child from
 * `labels()`, and build a label object per call (`startTimer`, `inc({...})`). On a local 4 KiB GET that
 * was 3-5% of the event loop's time for five updates. Here a label tuple resolves once to a child that
 * holds plain numbers, and an update is an addition. Only what our code uses is offered: no exemplars,
 * no `collect` callbacks, no `remove` (metrics with those stay prom-client's).
 */
abstract class HotMetric<L extends string, C> {
  readonly aggregator = 'sum' as const;
  abstract readonly type: ExportedMetric['type'];
  /** Children by their label values joined with NUL, in creation order (prom-client's series order). */
  protected readonly children = new Map<string, C>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    registers: readonly Registry[],
  ) {
    // A Registry takes any object with prom-client's metric shape (name, get, reset, aggregator).
    for (const r of registers) r.registerMetric(this as unknown as Metric<string>);
  }

  /** The child for these label values, given in `labelNames` order. */
  labels(...values: string[]): C {
    // One or two labels (every hot-path metric): no join, whose array walk cost more than the lookup.
    const k = values.length === 1 ? values[0] : values.length === 2 ? `${values[0]}\u0000${values[1]}` : values.join('\u0000');
    const hit = this.children.get(k);
    if (hit !== undefined) return hit;
    if (values.length !== this.labelNames.length) {
      throw new Error(`Invalid number of arguments (${values.length}) for ${this.name}: expected ${this.labelNames.length} (${this.labelNames.join(', ')})`);
    }
    const labels: Partial<Record<L, string>> = {};
    this.labelNames.forEach((n, i) => (labels[n] = String(values[i])));
    const child = this.create(labels);
    this.children.set(k, child);
    return child;
  }

  /**
   * Clears every series (Registry.resetMetrics): each is zeroed and left out of the export until its
   * next update, so children already handed out (and cached by callers) keep counting.
   */
  reset(): void {
    for (const c of this.children.values()) (c as unknown as Series).clear();
    this.init();
  }

  /** The child of a label object (prom-client's `inc({ operation })` form), validated like prom-client. */
  protected of(labels: Partial<Record<L, string | number>> | undefined): C {
    if (labels === undefined) return this.labels();
    for (const k in labels) {
      if (!this.labelNames.includes(k as L)) throw new Error(`Added label "${k}" is not included in initial labelset: [ '${this.labelNames.join("', '")}' ]`);
    }
    const values = this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new Error(`${this.name}: label "${n}" is missing (every update names all of ${this.labelNames.join(', ')})`);
      return String(v);
    });
    return this.labels(...values);
  }

  /** A metric without labels has its one series from the start, at 0, as prom-client's. */
  protected init(): void {
    if (this.labelNames.length === 0) (this.labels() as unknown as Series).live = true;
  }

  /** The series exported: those updated since they were made or last reset. */
  protected live(): C[] {
    return [...this.children.values()].filter((c) => (c as unknown as Series).live);
  }

  protected abstract create(labels: Partial<Record<L, string>>): C;
}

/** A series: exported once updated (prom-client makes a series on its first update, not on `labels()`). */
abstract class Series {
  live = false;

  /** Back to zero, and out of the export until the next update. */
  clear(): void {
    this.live = false;
    this.zero();
  }

  protected abstract zero(): void;
}

abstract class ValueSeries<L extends string> extends Series {
  value = 0;

  constructor(readonly labels: Partial<Record<L, string>>) {
    super();
  }

  protected zero(): void {
    this.value = 0;
  }
}

/** Counters and gauges: one number per series. */
abstract class ValueMetric<L extends string, C extends ValueSeries<L>> extends HotMetric<L, C> {
  constructor(cfg: { name: string; help: string; labelNames?: readonly L[]; registers: readonly Registry[] }) {
    super(cfg.name, cfg.help, cfg.labelNames ?? [], cfg.registers);
    this.init();
  }

  get(): Promise<ExportedMetric> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: valuesOf(this.live()) });
  }
}

export class HotCounterChild<L extends string> extends ValueSeries<L> {
  inc(by = 1): void {
    if (!(by >= 0) || by === Infinity) throw new Error(`It is not possible to decrease a counter (or add a non-finite value): ${by}`);
    this.value += by;
    this.live = true;
  }
}

export class HotCounter<L extends string = string> extends ValueMetric<L, HotCounterChild<L>> {
  readonly type = 'counter' as const;

  inc(labels?: Partial<Record<L, string | number>> | number, by?: number): void {
    if (typeof labels === 'number') this.of(undefined).inc(labels);
    else this.of(labels).inc(by);
  }

  protected create(labels: Partial<Record<L, string>>): HotCounterChild<L> {
    return new HotCounterChild(labels);
  }
}

export class HotGaugeChild<L extends string> extends ValueSeries<L> {
  inc(by = 1): void {
    this.value += by;
    this.live = true;
  }

  dec(by = 1): void {
    this.value -= by;
    this.live = true;
  }

  set(value: number): void {
    this.value = value;
    this.live = true;
  }
}

export class HotGauge<L extends string = string> extends ValueMetric<L, HotGaugeChild<L>> {
  readonly type = 'gauge' as const;

  inc(labels?: Partial<Record<L, string | number>>, by?: number): void {
    this.of(labels).inc(by);
  }

  dec(labels?: Partial<Record<L, string | number>>, by?: number): void {
    this.of(labels).dec(by);
  }

  set(labels: Partial<Record<L, string | number>> | number, value?: number): void {
    if (typeof labels === 'number') this.of(undefined).set(labels);
    else this.of(labels).set(value ?? 0);
  }

  protected create(labels: Partial<Record<L, string>>): HotGaugeChild<L> {
    return new HotGaugeChild(labels);
  }
}

export class HotHistogramChild<L extends string> extends Series {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Partial<Record<L, string>>,
    private readonly bounds: readonly number[],
  ) {
    super();
    this.counts = new Float64Array(bounds.length + 1);
  }

  protected zero(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
    this.live = true;
  }

  /** Observes the seconds since `startedNs` (process.hrtime.bigint()). */
  observeSince(startedNs: bigint): void {
    this.observe(Number(process.hrtime.bigint() - startedNs) / 1e9);
  }
}

export class HotHistogram<L extends string = string> extends HotMetric<L, HotHistogramChild<L>> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];

  constructor(cfg: { name: string; help: string; labelNames?: readonly L[]; buckets: readonly number[]; registers: readonly Registry[] }) {
    super(cfg.name, cfg.help, cfg.labelNames ?? [], cfg.registers);
    if ((cfg.labelNames ?? []).includes('le' as L)) throw new Error('le is a reserved label keyword');
    this.buckets = [...cfg.buckets].sort((a, b) => a - b);
    this.init();
  }

  observe(labels: Partial<Record<L, string | number>> | number, value?: number): void {
    if (typeof labels === 'number') this.of(undefined).observe(labels);
    else this.of(labels).observe(value as number);
  }

  /** prom-client's timer: call the result to observe the seconds since now. */
  startTimer(labels?: Partial<Record<L, string | number>>): () => number {
    const child = this.of(labels);
    const started = process.hrtime.bigint();
    return () => {
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      child.observe(s);
      return s;
    };
  }

  /** As prom-client's `get()`: each value's labels are its series' labels, after `le` on buckets. */
  async get(): Promise<ExportedMetric> {
    const data = this.series();
    const values = data.values.map(({ sharedLabels, ...rest }) => ({ ...rest, labels: { ...rest.labels, ...sharedLabels } }));
    return { ...data, values };
  }

  /** What the Registry's text format reads (prom-client's `getForPromString`): `le` apart from the series' labels. */
  getForPromString(): Promise<ExportedMetric> {
    return Promise.resolve(this.series());
  }

  protected create(labels: Partial<Record<L, string>>): HotHistogramChild<L> {
    return new HotHistogramChild(labels, this.buckets);
  }

  private series(): ExportedMetric {
    const bucketName = `${this.name}_bucket`;
    const values: ExportedValue[] = [];
    for (const c of this.live()) {
      const shared = c.labels as Record<string, string>;
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += c.counts[i];
        values.push({ labels: { le }, sharedLabels: shared, value: acc, metricName: bucketName, exemplar: null });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: c.count, metricName: bucketName, exemplar: null });
      values.push({ labels: {}, sharedLabels: shared, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: shared, value: c.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

function valuesOf<L extends string>(children: readonly ValueSeries<L>[]): ExportedValue[] {
  return children.map((c) => ({ value: c.value, labels: { ...c.labels } as Record<string, string> }));
}
