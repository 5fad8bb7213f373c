import { statfs } from 'node:fs/promises';
import { Gauge, type Registry } from 'prom-client';

/** What `statfs` tells about a filesystem; injectable so tests can fake a full disk. */
export type StatFs = (path: string) => Promise<{ bsize: number; blocks: number; bavail: number }>;

/**
 * Free and total bytes of the filesystem holding the local chunk store (`blob_store_free_bytes`,
 * `blob_store_size_bytes`), read with statfs at scrape time (a collect callback: nothing polls between
 * scrapes). Free is what an unprivileged writer may still use (f_bavail), which is what runs out first.
 * A statfs failure (the directory is gone, the volume unmounted) reports NaN rather than a stale value.
 */
export function createDiskMetrics(registry: Registry, dir: string, stat: StatFs = statfs): void {
  const read = async (): Promise<{ free: number; size: number }> => {
    try {
      const s = await stat(dir);
      return { free: s.bavail * s.bsize, size: s.blocks * s.bsize };
    } catch {
      return { free: NaN, size: NaN };
    }
  };
  new Gauge({
    name: 'blob_store_free_bytes',
    help: 'Bytes still free for the local chunk store on its filesystem (statfs f_bavail)',
    registers: [registry],
    async collect() {
      this.set((await read()).free);
    },
  });
  new Gauge({
    name: 'blob_store_size_bytes',
    help: 'Size in bytes of the filesystem holding the local chunk store',
    registers: [registry],
    async collect() {
      this.set((await read()).size);
    },
  });
}
