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
export interface DiskMetricsOptions {
  /** statfs, injectable so tests can fake a full disk. */
  readonly stat?: StatFs;
  /**
   * Whether the store's chunk data bypasses the page cache (O_DIRECT), as `blob_store_direct_io`:
   * 0 means buffered I/O, configured (`--disk-io buffered`) or because the filesystem refused O_DIRECT.
   */
  readonly directIo?: () => boolean;
}

export function createDiskMetrics(registry: Registry, dir: string, { stat = statfs, directIo }: DiskMetricsOptions = {}): void {
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
  if (directIo) {
    new Gauge({
      name: 'blob_store_direct_io',
      help: 'Whether the local chunk store reads and writes chunk data with O_DIRECT (1) or through the page cache (0: configured, or refused by the filesystem)',
      registers: [registry],
      collect() {
        this.set(directIo() ? 1 : 0);
      },
    });
  }
  new Gauge({
    name: 'blob_store_size_bytes',
    help: 'Size in bytes of the filesystem holding the local chunk store',
    registers: [registry],
    async collect() {
      this.set((await read()).size);
    },
  });
}
