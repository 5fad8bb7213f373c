import { createRegistry } from './metrics';
import { createLimitMetrics, REJECTION_REASONS } from './limit-metrics';

it('counts rejections by reason, every reason present from the start, and exposes the gauges', async () => {
  const r = createRegistry({ defaultMetrics: false });
  const m = createLimitMetrics(r);
  createLimitMetrics(createRegistry({ defaultMetrics: false })); // a second registry does not clash
  m.rejected('inflight_body_bytes');
  m.rejected('inflight_body_bytes');
  m.inflightBodyBytes.set(1234);
  m.connections.inc();
  const text = await r.metrics();
  expect(text).toContain('s3_limit_rejections_total{reason="inflight_body_bytes"} 2');
  for (const reason of REJECTION_REASONS) expect(text).toContain(`s3_limit_rejections_total{reason="${reason}"}`);
  expect(text).toContain('s3_inflight_body_bytes 1234');
  expect(text).toContain('s3_open_connections 1');
});
