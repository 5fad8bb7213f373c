import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CREDENTIALS, REGION, VHOST_DOMAIN, type GatewayProcess } from './server';

export type AddressingStyle = 'path' | 'vhost';
export const STYLES: readonly AddressingStyle[] = ['path', 'vhost'];

/** Resolves every host name to 127.0.0.1, so `bucket.s3.localtest` reaches the gateway with its Host header intact. */
const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

export interface ClientOptions extends Partial<S3ClientConfig> {
  readonly style?: AddressingStyle;
}

/**
 * An S3Client on SDK defaults (checksums, aws-chunked trailers, ...) except: no retries (a retried
 * failure would hide the first answer), our endpoint and credentials, and the addressing style.
 */
export function s3Client(gw: GatewayProcess, opts: ClientOptions = {}): S3Client {
  const { style = 'path', ...config } = opts;
  const base: S3ClientConfig = {
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  };
  if (style === 'path') {
    return new S3Client({ ...base, endpoint: gw.endpoint, forcePathStyle: true, ...config });
  }
  const agent = new Agent({ keepAlive: true, lookup: toLoopback });
  return new S3Client({
    ...base,
    endpoint: `http://${VHOST_DOMAIN}:${gw.port}`,
    forcePathStyle: false,
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    ...config,
  });
}

export interface SeenRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** Records every request the client sends, as finally signed (to check addressing style and headers). */
export function recordRequests(client: S3Client): SeenRequest[] {
  const seen: SeenRequest[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request as { method: string; hostname: string; path: string; query: Record<string, unknown>; headers: Record<string, string> };
      seen.push({ method: r.method, hostname: r.hostname, path: r.path, query: { ...r.query }, headers: { ...r.headers } });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'e2eRecordRequests' },
  );
  return seen;
}
