import { MetadataService } from '@massive/metadata-core';
import { describeMetadataContract } from '@massive/metadata-core/testing';
import { MemoryKv } from '@massive/kv/testing';
import { startLoopbackRpc } from '@massive/rpc/testing';

// The MetadataApi contract through a real gRPC server on 127.0.0.1:0: GrpcMetadataClient must be
// indistinguishable from the MetadataService it calls (results, ServiceError codes and details).
describeMetadataContract('GrpcMetadataClient → gRPC → MetadataService on MemoryKv', async () => {
  const rpc = await startLoopbackRpc({ metadata: new MetadataService({ kv: new MemoryKv() }) });
  return { api: rpc.metadata, cleanup: () => rpc.close() };
});
