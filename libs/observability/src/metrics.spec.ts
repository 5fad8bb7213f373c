import { createHttpMetrics, createRegistry } from './metrics';

it('registers gateway metrics on a private registry, twice without clashing', async () => {
  const a = createRegistry({ defaultMetrics: false });
  const b = createRegistry({ defaultMetrics: false });
  createHttpMetrics(a).requests.inc({ operation: 'GetObject', code: '200' });
  createHttpMetrics(b);
  expect(await a.metrics()).toContain('s3_requests_total{operation="GetObject",code="200"} 1');
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
