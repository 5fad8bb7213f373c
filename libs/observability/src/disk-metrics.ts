import { statfs } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';

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
  /**
   * The pool chunk reads land in (blob-core ReadBufferPool), as `blob_read_buffers_idle` and
   * `blob_read_buffers_reused_total`: reads served by handed-back memory rather than a new buffer.
   */
  readonly readBuffers?: { readonly idle: number; readonly reused: number };
  /**
   * The chunk files the store keeps open between reads, as `blob_chunk_files_open` and
   * `blob_chunk_file_reuses_total`: reads that found their file open (no open, stat, close).
   */
  readonly openFiles?: () => { readonly open: number; readonly reused: number };
}

export function createDiskMetrics(registry: Registry, dir: string, { stat = statfs, directIo, readBuffers, openFiles }: DiskMetricsOptions = {}): void {
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
  if (readBuffers) {
    new Gauge({
      name: 'blob_read_buffers_idle',
      help: 'Read buffers handed back and waiting for the next chunk read',
      registers: [registry],
      collect() {
        this.set(readBuffers.idle);
      },
    });
    new Counter({
      name: 'blob_read_buffers_reused_total',
      help: 'Chunk reads that landed in a handed-back buffer instead of newly allocated memory',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(readBuffers.reused);
      },
    });
  }
  if (openFiles) {
    new Gauge({
      name: 'blob_chunk_files_open',
      help: 'Chunk files kept open between reads (closed when unused for a while, evicted before a delete)',
      registers: [registry],
      collect() {
        this.set(openFiles().open);
      },
    });
    new Counter({
      name: 'blob_chunk_file_reuses_total',
      help: 'Chunk reads that found the chunk file already open (no open, stat and close for them)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(openFiles().reused);
      },
    });
  }
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
