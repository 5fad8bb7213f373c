import { MemoryKv } from '@massive/kv/testing';
import { describeLifecycleScenarios } from '../testing/lifecycle-scenarios';
import { MetadataService } from '../metadata-service';

describeLifecycleScenarios('MetadataService on MemoryKv', async (clock) => {
  const kv = new MemoryKv();
  return { api: new MetadataService({ kv, clock, gcGraceMs: 1000 }), kv, cleanup: async () => undefined };
});
