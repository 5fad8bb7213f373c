/**
 * The free space a store keeps back so that it can always be emptied (MinIO's minimum free drive
 * space, TiKV's `reserve-space`). While the free space of the store's filesystem is below it, writes
 * that add data are refused with `InsufficientStorage`; deletes, garbage collection and every other
 * change go on and may use it, so a full store never locks its owner out of freeing space.
 * Implemented over statfs by observability's `DiskSpaceReserve`.
 */
export interface SpaceReserve {
  /**
   * True while the last measured free space is below the reserve. Never blocks: measurements are
   * refreshed in the background, at most about a second old.
   */
  low(): boolean;
  /** A write failed for want of space (the disk filled between measurements): measure again now. */
  noteFull(): void;
  /** For the refusal's message and logs: "12 MiB free on /data, below the 256 MiB reserve". */
  describe(): string;
}
