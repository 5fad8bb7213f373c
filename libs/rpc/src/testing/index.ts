import type { BlobApi, MetadataApi } from '@massive/contracts';
import type { BlobReplicaIdentity } from '../blob/blob-server';
import type { Registry } from 'prom-client';
import { GrpcBlobClient } from '../blob/blob-client';
import { BlobDataServer } from '../blob/http/data-server';
import { GrpcMetadataClient } from '../metadata/metadata-client';
import { loadProtos } from '../proto';
import { RpcServer } from '../server';
import type { RpcSecurity } from '../security/rpc-security';

export interface LoopbackRpc {
  readonly server: RpcServer;
  readonly port: number;
  readonly target: string;
  readonly metadata: GrpcMetadataClient;
  readonly blob: GrpcBlobClient;
  /** The blob data path, when started (`dataPath: true`). */
  readonly data?: BlobDataServer;
  readonly dataPort?: number;
  close(): Promise<void>;
}

/**
 * A real gRPC server on 127.0.0.1:0 serving `impls`, with clients connected to it: the same ports,
 * over the wire (for contract suites and in-process vs remote comparisons). `security` secures the
 * server and (unless `clientSecurity` says otherwise) the clients. `dataPath`: the blob service also
 * serves its HTTP data path (announced in Describe), which the blob client then uses for bodies.
 * `mux: false`: the metadata client makes plain unary calls (default: multiplexed, as in production).
 * `muxDirect: false`: the metadata server offers no direct connections to Mux streams (default: it does,
 * as the metadata service does, and the client takes them).
 */
export async function startLoopbackRpc(
  impls: { metadata?: MetadataApi; blob?: BlobApi; blobReplica?: BlobReplicaIdentity },
  opts: { registry?: Registry; defaultTimeoutMs?: number; security?: RpcSecurity; clientSecurity?: RpcSecurity; dataPath?: boolean; mux?: boolean; muxDirect?: boolean } = {},
): Promise<LoopbackRpc> {
  const protos = loadProtos();
  const data = opts.dataPath && impls.blob ? new BlobDataServer({ blob: impls.blob, protos, ...(opts.registry && { registry: opts.registry }), ...(opts.security && { security: opts.security }) }) : undefined;
  const dataPort = data ? await data.listen('127.0.0.1', 0) : undefined;
  const blobReplica = dataPort === undefined ? impls.blobReplica : { replicaId: '', legacyChunks: false, ...impls.blobReplica, dataPort };
  const direct = impls.metadata && opts.muxDirect !== false ? { muxDirectPort: 0 } : {};
  const server = new RpcServer({ ...impls, ...direct, ...(blobReplica && { blobReplica }), protos, ...(opts.registry && { registry: opts.registry }), ...(opts.security && { security: opts.security }) });
  const port = await server.listen('127.0.0.1', 0);
  const target = `127.0.0.1:${port}`;
  const clientSecurity = opts.clientSecurity ?? opts.security;
  const common = { targets: [target], ...(opts.defaultTimeoutMs !== undefined && { defaultTimeoutMs: opts.defaultTimeoutMs }), ...(clientSecurity && { security: clientSecurity }) };
  const metadata = new GrpcMetadataClient({ ...common, definition: protos.metadata, ...(opts.mux !== undefined && { mux: opts.mux }) });
  const blob = new GrpcBlobClient({ ...common, definition: protos.blob });
  return {
    server,
    port,
    target,
    metadata,
    blob,
    ...(data && { data, dataPort }),
    close: async () => {
      metadata.close();
      blob.close();
      await server.shutdown(1000);
      await data?.shutdown(1000);
    },
  };
}
export { createTestPki, type TestPki } from './pki';
