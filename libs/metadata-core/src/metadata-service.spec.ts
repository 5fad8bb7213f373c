import { MemoryKv } from '@massive/kv/testing';
import { describeMetadataContract } from './testing';
import { MetadataService } from './metadata-service';

describeMetadataContract('MetadataService over MemoryKv', async () => {
  const kv = new MemoryKv();
  return {
    api: new MetadataService({ kv, gcGraceMs: 0 }),
    cleanup: async () => {
      // Every operation must release its snapshot, whatever it threw.
      expect(kv.stats().openReaders).toBe(0);
      await kv.close();
    },
  };
});
