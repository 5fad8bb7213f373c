import { createHttpMetrics, createRegistry } from './metrics';

it('registers gateway metrics on a private registry, twice without clashing', async () => {
  const a = createRegistry({ defaultMetrics: false });
  const b = createRegistry({ defaultMetrics: false });
  createHttpMetrics(a).requests.inc({ operation: 'GetObject', code: '200' });
  createHttpMetrics(b);
  expect(await a.metrics()).toContain('s3_requests_total{operation="GetObject",code="200"} 1');
});

it("an operation's series (operation()) export exactly what label updates would, and only once updated", async () => {
  const viaLabels = createRegistry({ defaultMetrics: false });
  const viaOperation = createRegistry({ defaultMetrics: false });
  const l = createHttpMetrics(viaLabels);
  const o = createHttpMetrics(viaOperation);
  l.inFlight.labels('GetObject').inc();
  l.requests.labels('GetObject', '200').inc();
  l.requests.labels('GetObject', '200').inc();
  l.requests.labels('GetObject', '404').inc();
  l.requests.labels('PutObject', '200').inc();
  l.duration.labels('GetObject').observe(0.002);
  l.bytesOut.labels('GetObject').inc(4096);
  l.bytesIn.labels('PutObject').inc(10);
  l.inFlight.labels('GetObject').dec();

  const get = o.operation('GetObject');
  expect(o.operation('GetObject')).toBe(get);
  get.inFlight.inc();
  get.requests(200).inc();
  expect(get.requests(200)).toBe(get.requests(200));
  get.requests(200).inc();
  get.requests(404).inc();
  const put = o.operation('PutObject');
  put.requests(200).inc();
  get.duration.observe(0.002);
  get.bytesOut.inc(4096);
  put.bytesIn.inc(10);
  get.inFlight.dec();

  const text = await viaOperation.metrics();
  expect(text).toBe(await viaLabels.metrics());
  // Series never updated (GetObject's bytes in, PutObject's bytes out, in flight, duration) are not exported.
  expect(text).not.toContain('s3_request_body_bytes_total{operation="GetObject"}');
  expect(text).not.toContain('s3_response_body_bytes_total{operation="PutObject"}');
  expect(text).toContain('s3_requests_total{operation="GetObject",code="404"} 1');
});

it('counts blob chunk writes, reads and corruptions', async () => {
  const { createBlobMetrics } = await import('./metrics');
  const r = createRegistry({ defaultMetrics: false });
  const m = createBlobMetrics(r);
  m.chunkWritten(10, 0.004);
  m.chunkWritten(5, 0.3);
  m.chunkRead(7);
  m.corruption('x.0');
  const text = await r.metrics();
  expect(text).toContain('blob_chunks_written_total 2');
  expect(text).toContain('blob_bytes_written_total 15');
  expect(text).toContain('blob_bytes_read_total 7');
  expect(text).toContain('blob_chunk_corruptions_total 1');
  // How long each chunk took to be durable: one under 5 ms, one between 250 and 500 ms.
  expect(text).toContain('blob_chunk_write_seconds_bucket{le="0.005"} 1');
  expect(text).toContain('blob_chunk_write_seconds_bucket{le="0.25"} 1');
  expect(text).toContain('blob_chunk_write_seconds_bucket{le="0.5"} 2');
  expect(text).toContain('blob_chunk_write_seconds_count 2');
});
