import { MemoryKv } from '@massive/kv/testing';
import { describeMetadataContract } from '@massive/metadata-core/testing';
import { MetadataService } from './metadata-service';

describeMetadataContract('MetadataService over MemoryKv', async () => {
  const kv = new MemoryKv();
  return { api: new MetadataService({ kv, gcGraceMs: 0 }), cleanup: () => kv.close() };
});
