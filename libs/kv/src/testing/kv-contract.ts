import { KvConflictError, type KvStore } from '../kv';

export interface KvContractFixture {
  readonly kv: KvStore;
  cleanup(): Promise<void>;
}

/** The behaviour every KvStore adapter must show (first cut: the full suite follows). */
export function describeKvContract(name: string, factory: () => Promise<KvContractFixture>): void {
  describe(`KvStore contract: ${name}`, () => {
    let fx: KvContractFixture;
    beforeEach(async () => {
      fx = await factory();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('puts, gets and deletes', async () => {
      await fx.kv.txn(async (tx) => tx.put(Buffer.from('a'), Buffer.from('1')));
      expect(await fx.kv.txn((tx) => tx.get(Buffer.from('a')))).toEqual(Buffer.from('1'));
      await fx.kv.txn(async (tx) => tx.delete(Buffer.from('a')));
      expect(await fx.kv.txn((tx) => tx.get(Buffer.from('a')))).toBeUndefined();
    });

    it('fails the second of two overlapping writers of a key', async () => {
      const k = Buffer.from('k');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const slow = fx.kv.txn(async (tx) => {
        await tx.get(k);
        await gate;
        tx.put(k, Buffer.from('slow'));
      });
      await fx.kv.txn(async (tx) => tx.put(k, Buffer.from('fast')));
      release();
      await expect(slow).rejects.toBeInstanceOf(KvConflictError);
    });
  });
}
