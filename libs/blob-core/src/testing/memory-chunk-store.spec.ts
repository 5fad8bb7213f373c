import { describeChunkStoreContract } from './chunk-store-contract';
import { MemoryChunkStore } from './memory-chunk-store';

describeChunkStoreContract('MemoryChunkStore', async () => {
  const store = new MemoryChunkStore();
  return { store, corrupt: async (id, damage) => store.corrupt(id, damage) };
});

describeChunkStoreContract(
  'MemoryChunkStore with streamed writes',
  async () => {
    const store = new MemoryChunkStore({ streamedWrites: true });
    return { store, corrupt: async (id, damage) => store.corrupt(id, damage) };
  },
  { streamedWrites: true },
);

describe('MemoryChunkStore fault injection', () => {
  it('fails the next call of the chosen operation once', async () => {
    const store = new MemoryChunkStore();
    const id = await store.allocate('i', 0);
    store.failNext('put');
    await expect(store.put(id, [Buffer.from('x')])).rejects.toMatchObject({ code: 'Unavailable' });
    await store.put(id, [Buffer.from('x')]);
    expect(store.size).toBe(1);
  });
});
