import { Registry } from 'prom-client';
import { BLOCK_SIZE } from '../src/needle-format';
import { SeaweedFsChunkStore, type SeaweedFsChunkStoreOptions } from '../src/seaweedfs-chunk-store';
import { parseChunkId } from '../src/fid';
import type { IntentChunkLog } from '../src/intent-chunk-log';
import { FakeSeaweed, type FakeSeaweedOptions } from './fake-seaweedfs';

/** An IntentChunkLog in memory: what the store recorded, per intent, in order. */
export class MemoryIntentLog implements IntentChunkLog {
  readonly recorded = new Map<string, string[]>();
  failWith?: Error;
  async recordChunks(intentId: string, chunkIds: readonly string[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.recorded.set(intentId, [...(this.recorded.get(intentId) ?? []), ...chunkIds]);
  }
  all(): string[] {
    return [...this.recorded.values()].flat();
  }
}

export interface SeaweedHarness {
  readonly fake: FakeSeaweed;
  readonly store: SeaweedFsChunkStore;
  readonly log: MemoryIntentLog;
  readonly registry: Registry;
  /** Chunk ids of every live needle in the fake. */
  liveChunks(): Promise<string[]>;
  /** Applies `damage` to the stored needle bytes on every replica; data offsets map past the block CRCs. */
  corrupt(id: string, damage: { kind: 'flip'; at: number } | { kind: 'truncate' }): Promise<void>;
  close(): Promise<void>;
}

export async function startSeaweedHarness(
  fakeOptions: FakeSeaweedOptions = {},
  storeOptions: Partial<SeaweedFsChunkStoreOptions> = {},
): Promise<SeaweedHarness> {
  const fake = await FakeSeaweed.start({ servers: 3, ...fakeOptions });
  const log = new MemoryIntentLog();
  const registry = new Registry();
  const store = new SeaweedFsChunkStore({
    masters: fake.masterUrls,
    intentLog: log,
    registry,
    replication: '001',
    assignBudgetMs: 2000,
    requestTimeoutMs: 5000,
    ...storeOptions,
  });
  return {
    fake,
    store,
    log,
    registry,
    liveChunks: async () => fake.liveNeedles().map((n) => `sw1:${n.fid}`),
    corrupt: async (id, damage) => {
      const fid = parseChunkId(id).fid;
      const holders = fake.liveNeedles().find((n) => n.fid === fid)?.servers ?? [];
      for (const i of holders) {
        fake.corrupt(i, fid, (b) => {
          if (damage.kind === 'truncate') return b.subarray(0, BLOCK_SIZE + 4); // cut exactly at a block boundary
          const at = damage.at + 4 * Math.floor(damage.at / BLOCK_SIZE);
          b[at] ^= 0x01;
          return b;
        });
      }
    },
    close: async () => {
      store.close();
      await fake.stop();
    },
  };
}
