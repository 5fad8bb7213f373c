import { createHttpMetrics, createRegistry } from './metrics';

it('registers gateway metrics on a private registry, twice without clashing', async () => {
  const a = createRegistry('gateway', { defaultMetrics: false });
  const b = createRegistry('gateway', { defaultMetrics: false });
  createHttpMetrics(a).requests.inc({ operation: 'GetObject', status: '200' });
  createHttpMetrics(b);
  expect(await a.metrics()).toContain('s3_requests_total{operation="GetObject",status="200",service="gateway"} 1');
});
