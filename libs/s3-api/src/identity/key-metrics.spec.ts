import { Registry } from 'prom-client';
import { createKeyCacheMetrics } from './key-metrics';

describe('createKeyCacheMetrics', () => {
  it('exports every result at 0 from the start (dashboards and rate() see the series before the first load)', async () => {
    const registry = new Registry();
    const count = createKeyCacheMetrics(registry);
    const text = await registry.metrics();
    for (const r of ['found', 'unknown', 'unreadable', 'error']) expect(text).toContain(`s3_access_key_loads_total{result="${r}"} 0`);
    count('unreadable');
    expect(await registry.metrics()).toContain('s3_access_key_loads_total{result="unreadable"} 1');
  });
});
