import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbKv } from '@massive/kv-embedded';
import { MetadataService } from '@massive/metadata-core';
import { describeMetadataContract } from '@massive/metadata-core/testing';

// The same metadata contract suite that runs on MemoryKv, on the embedded store local mode uses.
describeMetadataContract('MetadataService on LmdbKv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'massive-meta-lmdb-'));
  const kv = new LmdbKv({ path: dir });
  return {
    api: new MetadataService({ kv }),
    cleanup: async () => {
      await kv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
