import { mkdtempSync, rmSync } from 'node:fs';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiskMetrics } from './disk-metrics';
import { createRegistry } from './metrics';

const value = async (registry: ReturnType<typeof createRegistry>, name: string): Promise<number> => {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values[0].value;
};

describe('createDiskMetrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'disk-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the free and total bytes of the directory’s filesystem at scrape time', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    createDiskMetrics(registry, dir);
    const s = statfsSync(dir);
    const size = await value(registry, 'blob_store_size_bytes');
    const free = await value(registry, 'blob_store_free_bytes');
    expect(size).toBe(s.blocks * s.bsize);
    expect(free).toBeGreaterThan(0);
    expect(free).toBeLessThanOrEqual(size);
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE blob_store_free_bytes gauge$/m);
    expect(text).toMatch(/^blob_store_size_bytes \d+$/m);
  });

  it('follows the filesystem between scrapes (no cached value)', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    let bavail = 1000;
    createDiskMetrics(registry, dir, { stat: async () => ({ bsize: 4096, blocks: 10_000, bavail }) });
    expect(await value(registry, 'blob_store_free_bytes')).toBe(4096 * 1000);
    bavail = 10;
    expect(await value(registry, 'blob_store_free_bytes')).toBe(4096 * 10);
    expect(await value(registry, 'blob_store_size_bytes')).toBe(4096 * 10_000);
  });

  it('tells whether chunk data bypasses the page cache, as the store says at scrape time', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    let direct = true;
    createDiskMetrics(registry, dir, { directIo: () => direct });
    expect(await value(registry, 'blob_store_direct_io')).toBe(1);
    direct = false; // the filesystem refused O_DIRECT at first use
    expect(await value(registry, 'blob_store_direct_io')).toBe(0);
    const without = createRegistry({ defaultMetrics: false });
    createDiskMetrics(without, dir);
    expect(await without.metrics()).not.toMatch(/blob_store_direct_io/);
  });

  it('reports the read buffers idle and the reads that reused one, at scrape time', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const pool = { idle: 3, reused: 0 };
    createDiskMetrics(registry, dir, { readBuffers: pool });
    expect(await value(registry, 'blob_read_buffers_idle')).toBe(3);
    expect(await value(registry, 'blob_read_buffers_reused_total')).toBe(0);
    Object.assign(pool, { idle: 5, reused: 42 });
    expect(await value(registry, 'blob_read_buffers_idle')).toBe(5);
    expect(await value(registry, 'blob_read_buffers_reused_total')).toBe(42);
    expect(await registry.metrics()).toMatch(/^# TYPE blob_read_buffers_reused_total counter$/m);
  });

  it('reports the chunk files kept open and the reads that found theirs open, at scrape time', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    let files = { open: 2, reused: 7 };
    createDiskMetrics(registry, dir, { openFiles: () => files });
    expect(await value(registry, 'blob_chunk_files_open')).toBe(2);
    expect(await value(registry, 'blob_chunk_file_reuses_total')).toBe(7);
    files = { open: 0, reused: 9 };
    expect(await value(registry, 'blob_chunk_files_open')).toBe(0);
    expect(await value(registry, 'blob_chunk_file_reuses_total')).toBe(9);
    expect(await registry.metrics()).toMatch(/^# TYPE blob_chunk_file_reuses_total counter$/m);
  });

  it('reports NaN, not a stale number, when the filesystem cannot be read', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    createDiskMetrics(registry, join(dir, 'missing'));
    expect(await value(registry, 'blob_store_free_bytes')).toBeNaN();
    expect(await registry.metrics()).toMatch(/^blob_store_size_bytes nan$/im); // prom-client writes "Nan", which Prometheus parses as NaN
  });

  it('can be created once per registry in one process (local mode shares the process)', () => {
    const a = createRegistry({ defaultMetrics: false });
    const b = createRegistry({ defaultMetrics: false });
    expect(() => {
      createDiskMetrics(a, dir);
      createDiskMetrics(b, dir);
    }).not.toThrow();
  });
});
