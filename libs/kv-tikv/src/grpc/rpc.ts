import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The two services the client talks to, loaded from the trimmed kvproto files in proto/tikv. */
export interface TikvProtos {
  readonly pd: grpc.ServiceDefinition;
  readonly tikv: grpc.ServiceDefinition;
}

const PROTO_FILES = ['pdpb.proto', 'tikvpb.proto'];

/** proto/tikv of this checkout: searched upward from this file and from the working directory. */
export function findProtoDir(): string {
  for (const from of [__dirname, process.cwd()]) {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'proto', 'tikv');
      if (fs.existsSync(path.join(candidate, 'tikvpb.proto'))) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('proto/tikv not found: pass protoDir in the TiKV client options');
}

export function loadTikvProtos(protoDir = findProtoDir()): TikvProtos {
  const def = protoLoader.loadSync(PROTO_FILES, {
    includeDirs: [protoDir],
    keepCase: true,
    longs: String,
    enums: Number,
    bytes: Buffer,
    defaults: false,
    oneofs: true,
  });
  return { pd: service(def, 'pdpb.PD'), tikv: service(def, 'tikvpb.Tikv') };
}

function service(def: protoLoader.PackageDefinition, name: string): grpc.ServiceDefinition {
  const s = def[name];
  if (!s || 'format' in s) throw new Error(`${name} is not a service in the TiKV protos`);
  return s as grpc.ServiceDefinition;
}

/** A gRPC status error (transport trouble or a server-side failure), as opposed to a reply. */
export function isGrpcError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number' && 'metadata' in err;
}

export function stripScheme(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

export interface RpcClientOptions {
  readonly maxMessageBytes: number;
}

/** One channel to one address for one service; unary calls as promises with a deadline. */
export class RpcClient {
  private readonly client: grpc.Client;

  constructor(
    readonly address: string,
    private readonly svc: grpc.ServiceDefinition,
    opts: RpcClientOptions,
  ) {
    this.client = new grpc.Client(stripScheme(address), grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': opts.maxMessageBytes,
      'grpc.max_send_message_length': opts.maxMessageBytes,
      'grpc.initial_reconnect_backoff_ms': 50,
      'grpc.min_reconnect_backoff_ms': 50,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.enable_retries': 0,
      // Our own subchannels: a retired channel's reconnect backoff must not carry over to its successor.
      'grpc.use_local_subchannel_pool': 1,
    });
  }

  unary<Res>(method: string, req: object, timeoutMs: number): Promise<Res> {
    const m = this.method(method);
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        req,
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => (err ? reject(err) : resolve(res as Res)),
      );
    });
  }

  /** A bidirectional stream (PD's Tso). */
  bidi(method: string): grpc.ClientDuplexStream<object, object> {
    const m = this.method(method);
    return this.client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new grpc.Metadata());
  }

  close(): void {
    this.client.close();
  }

  private method(name: string): grpc.MethodDefinition<object, object> {
    const m = this.svc[name];
    if (!m) throw new Error(`unknown method ${name}`);
    return m as grpc.MethodDefinition<object, object>;
  }
}
