/** A bare grpc-js client for the fake's own specs: promisified unary calls and a Tso stream. */
import * as grpc from '@grpc/grpc-js';
import { loadTikvProtos } from './proto';

export type Msg = Record<string, any>;

export class RawClient {
  private readonly client: grpc.Client & Record<string, any>;

  constructor(address: string, kind: 'pd' | 'tikv') {
    const protos = loadTikvProtos();
    const Ctor = kind === 'pd' ? protos.pd : protos.tikv;
    this.client = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }) as grpc.Client & Record<string, any>;
  }

  call(method: string, req: Msg, deadlineMs = 2000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      this.client[method](req, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: Msg) =>
        err ? reject(err) : resolve(res),
      );
    });
  }

  /** Sends one TsoRequest per count on one stream; resolves the replies or rejects with the stream's error. */
  tso(header: Msg, counts: number[]): Promise<Msg[]> {
    return new Promise((resolve, reject) => {
      const stream: grpc.ClientDuplexStream<Msg, Msg> = this.client.Tso();
      const out: Msg[] = [];
      stream.on('data', (r: Msg) => {
        out.push(r);
        if (out.length === counts.length) {
          stream.end();
          resolve(out);
        }
      });
      stream.on('error', reject);
      for (const count of counts) stream.write({ header, count });
    });
  }

  close(): void {
    this.client.close();
  }
}
