import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbKv } from '@massive/kv-embedded';
import { MetadataService } from '@massive/metadata-core';
import { describeLifecycleScenarios } from '@massive/metadata-core/testing';
import { startLoopbackRpc } from '@massive/rpc/testing';

// The lifecycle scenarios on the embedded store local mode uses...
describeLifecycleScenarios('MetadataService on LmdbKv', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'massive-lifecycle-lmdb-'));
  const kv = new LmdbKv({ path: dir });
  return {
    api: new MetadataService({ kv, clock, gcGraceMs: 1000 }),
    kv,
    cleanup: async () => {
      await kv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// ...and as in distributed mode: clients (and the configuration) go through gRPC, the worker walks the
// store the metadata service writes.
describeLifecycleScenarios('clients over gRPC, MetadataService on LmdbKv', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'massive-lifecycle-grpc-'));
  const kv = new LmdbKv({ path: dir });
  const rpc = await startLoopbackRpc({ metadata: new MetadataService({ kv, clock, gcGraceMs: 1000 }) });
  return {
    api: rpc.metadata,
    kv,
    cleanup: async () => {
      await rpc.close();
      await kv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
