import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HotCounter, HotGauge, HotHistogram } from './hot-metrics';

/** The same updates on prom-client's classes and on ours must export the same text and JSON. */
describe('hot metrics export exactly what prom-client exports', () => {
  const BUCKETS = [0.001, 0.01, 0.1, 1];

  function both(): { prom: Registry; hot: Registry } {
    return { prom: new Registry(), hot: new Registry() };
  }

  it('counters: labelled and not, children and label objects, series in first-use order', async () => {
    const { prom, hot } = both();
    const p = new Counter({ name: 'req_total', help: 'Requests by op and code', labelNames: ['operation', 'code'], registers: [prom] });
    const h = new HotCounter({ name: 'req_total', help: 'Requests by op and code', labelNames: ['operation', 'code'], registers: [hot] });
    const pb = new Counter({ name: 'bytes_total', help: 'Bytes', registers: [prom] });
    const hb = new HotCounter({ name: 'bytes_total', help: 'Bytes', registers: [hot] });
    for (const c of [p, h] as const) {
      c.labels('PutObject', '200').inc();
      c.inc({ operation: 'GetObject', code: '404' });
      c.inc({ code: '200', operation: 'PutObject' }, 2.5);
      c.labels('GetObject', '404').inc(3);
    }
    pb.inc(7);
    hb.inc(7);
    expect(await hot.metrics()).toBe(await prom.metrics());
    expect(await hot.getMetricsAsJSON()).toEqual(await prom.getMetricsAsJSON());
  });

  it('an untouched metric exports as prom-client exports it: labelless at 0, labelled empty', async () => {
    const { prom, hot } = both();
    new Counter({ name: 'a_total', help: 'a', registers: [prom] });
    new HotCounter({ name: 'a_total', help: 'a', registers: [hot] });
    new Gauge({ name: 'g', help: 'g', labelNames: ['op'], registers: [prom] });
    new HotGauge({ name: 'g', help: 'g', labelNames: ['op'], registers: [hot] });
    new Histogram({ name: 'h_seconds', help: 'h', buckets: BUCKETS, registers: [prom] });
    new HotHistogram({ name: 'h_seconds', help: 'h', buckets: BUCKETS, registers: [hot] });
    expect(await hot.metrics()).toBe(await prom.metrics());
  });

  it('gauges: inc, dec and set', async () => {
    const { prom, hot } = both();
    const p = new Gauge({ name: 'in_flight', help: 'In flight', labelNames: ['operation'], registers: [prom] });
    const h = new HotGauge({ name: 'in_flight', help: 'In flight', labelNames: ['operation'], registers: [hot] });
    for (const g of [p, h] as const) {
      g.labels('GetObject').inc();
      g.labels('GetObject').inc();
      g.labels('PutObject').inc();
      g.labels('GetObject').dec();
      g.set({ operation: 'ListObjects' }, 4);
    }
    expect(await hot.metrics()).toBe(await prom.metrics());
    expect(await hot.getMetricsAsJSON()).toEqual(await prom.getMetricsAsJSON());
  });

  it('histograms: bucket edges, values above every bound, sums, timers, and le before the series labels', async () => {
    const { prom, hot } = both();
    const p = new Histogram({ name: 'd_seconds', help: 'Durations', labelNames: ['operation'], buckets: BUCKETS, registers: [prom] });
    const h = new HotHistogram({ name: 'd_seconds', help: 'Durations', labelNames: ['operation'], buckets: BUCKETS, registers: [hot] });
    for (const m of [p, h] as const) {
      for (const v of [0, 0.001, 0.0011, 0.01, 0.5, 1, 1.5, 30]) m.labels('GetObject').observe(v);
      m.observe({ operation: 'PutObject' }, 0.02);
    }
    expect(await hot.metrics()).toBe(await prom.metrics());
    expect(await hot.getMetricsAsJSON()).toEqual(await prom.getMetricsAsJSON());
    const stop = h.startTimer({ operation: 'HeadObject' });
    expect(stop()).toBeGreaterThanOrEqual(0);
    expect(await hot.metrics()).toMatch(/^d_seconds_count\{operation="HeadObject"\} 1$/m);
  });

  it('resets with the registry, and a labelless metric comes back at 0', async () => {
    const { prom, hot } = both();
    const p = new Counter({ name: 'x_total', help: 'x', registers: [prom] });
    const h = new HotCounter({ name: 'x_total', help: 'x', registers: [hot] });
    const ph = new Histogram({ name: 'y_seconds', help: 'y', labelNames: ['op'], buckets: BUCKETS, registers: [prom] });
    const hh = new HotHistogram({ name: 'y_seconds', help: 'y', labelNames: ['op'], buckets: BUCKETS, registers: [hot] });
    p.inc();
    h.inc();
    ph.labels('a').observe(1);
    hh.labels('a').observe(1);
    prom.resetMetrics();
    hot.resetMetrics();
    expect(await hot.metrics()).toBe(await prom.metrics());
    expect(await hot.metrics()).toContain('x_total 0');
  });

  it('a child held across a reset keeps counting from zero; labels() alone exports nothing', async () => {
    const { prom, hot } = both();
    const p = new Counter({ name: 'k_total', help: 'k', labelNames: ['op'], registers: [prom] });
    const h = new HotCounter({ name: 'k_total', help: 'k', labelNames: ['op'], registers: [hot] });
    const held = h.labels('GetObject');
    h.labels('PutObject');
    p.labels('PutObject');
    held.inc(5);
    p.labels('GetObject').inc(5);
    hot.resetMetrics();
    prom.resetMetrics();
    expect(await hot.metrics()).toBe(await prom.metrics());
    held.inc();
    p.labels('GetObject').inc();
    expect(await hot.metrics()).toBe(await prom.metrics());
    expect(await hot.metrics()).toContain('k_total{op="GetObject"} 1');
  });

  it('a registry holds one metric per name, and getSingleMetric finds ours', () => {
    const hot = new Registry();
    const h = new HotCounter({ name: 'z_total', help: 'z', registers: [hot] });
    expect(hot.getSingleMetric('z_total')).toBe(h);
    expect(() => new HotCounter({ name: 'z_total', help: 'again', registers: [hot] })).toThrow(/already been registered/);
  });

  it('refuses what prom-client refuses: wrong label counts and names, negative counts, non-numbers, le', () => {
    const hot = new Registry();
    const c = new HotCounter({ name: 'c_total', help: 'c', labelNames: ['a', 'b'], registers: [hot] });
    expect(() => c.labels('only-one')).toThrow(/Invalid number of arguments/);
    expect(() => c.inc({ a: '1', b: '2', z: '3' } as never)).toThrow(/not included/);
    expect(() => c.inc({ a: '1' })).toThrow(/missing/);
    expect(() => c.labels('1', '2').inc(-1)).toThrow();
    expect(() => c.labels('1', '2').inc(NaN)).toThrow();
    const h = new HotHistogram({ name: 'h2_seconds', help: 'h', buckets: BUCKETS, registers: [hot] });
    expect(() => h.observe(NaN)).toThrow(TypeError);
    expect(() => new HotHistogram({ name: 'h3', help: 'h', labelNames: ['le'], buckets: BUCKETS, registers: [hot] })).toThrow(/reserved/);
  });
});
