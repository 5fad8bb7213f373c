import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';
import type { Fid } from './fid';
import { errorText, httpCall, HttpTransportError, type HttpResponse } from './http';
import { signFidJwt } from './jwt';
import type { SeaweedErrorKind, SeaweedMetrics, SeaweedOp } from './metrics';

/** What one call to one volume server came to, classified for the retry logic above it. */
export type VolumeResult =
  | { readonly kind: 'ok'; readonly res: HttpResponse }
  | { readonly kind: 'fail'; readonly error: SeaweedErrorKind; readonly status?: number; readonly message: string };

export interface VolumeClientOptions {
  readonly agent: Agent;
  readonly metrics: SeaweedMetrics;
  readonly requestTimeoutMs: number;
  /** `[jwt.signing] key`: lets the client mint write/delete JWTs itself (re-sends, deletes). */
  readonly signingKey?: string;
  /** `[jwt.signing.read] key`, when reads are secured too. */
  readonly readSigningKey?: string;
}

/** HTTP calls to volume servers: PUT a needle, GET (a range of) it, DELETE it. */
export class VolumeClient {
  constructor(private readonly o: VolumeClientOptions) {}

  /**
   * Raw PUT of the needle slices: octet-stream (never sniffed or gzipped by the server), Content-MD5, JWT,
   * and `fsync=true`: a volume server otherwise answers 201 once the needle is in its page cache, and our
   * S3 200 (which follows this answer) would then promise bytes a power cut on that server could lose.
   * SeaweedFS keeps the query on the copies it replicates.
   */
  async upload(url: string, fid: Fid, needle: readonly Buffer[], jwt: string | undefined): Promise<VolumeResult> {
    const md5 = createHash('md5');
    for (const b of needle) md5.update(b);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-md5': md5.digest('base64') };
    const token = this.o.signingKey ? signFidJwt(this.o.signingKey, fid.fid, 60) : jwt;
    if (token) headers.authorization = `Bearer ${token}`;
    return this.call('upload', `http://${url}/${fid.fid}?fsync=true`, { method: 'PUT', headers, body: needle });
  }

  /** GET with `Accept-Encoding: identity` (Range applies to stored bytes only then) and an optional Range. */
  read(url: string, fid: Fid, range: { start: number; end: number } | undefined, signal?: AbortSignal, maxBody?: number): Promise<VolumeResult> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (range) headers.range = `bytes=${range.start}-${range.end}`;
    if (this.o.readSigningKey) headers.authorization = `Bearer ${signFidJwt(this.o.readSigningKey, fid.fid, 60)}`;
    return this.call('read', `http://${url}/${fid.fid}`, { method: 'GET', headers, signal, maxBody });
  }

  delete(url: string, fid: Fid, jwt?: string, replicaOnly = false): Promise<VolumeResult> {
    const headers: Record<string, string> = {};
    const token = this.o.signingKey ? signFidJwt(this.o.signingKey, fid.fid, 60) : jwt;
    if (token) headers.authorization = `Bearer ${token}`;
    return this.call('delete', `http://${url}/${fid.fid}${replicaOnly ? '?type=replicate' : ''}`, { method: 'DELETE', headers });
  }

  private async call(
    op: SeaweedOp,
    url: string,
    req: { method: 'GET' | 'PUT' | 'DELETE'; headers: Record<string, string>; body?: readonly Buffer[]; signal?: AbortSignal; maxBody?: number },
  ): Promise<VolumeResult> {
    const stop = this.o.metrics.latency.startTimer({ operation: op });
    try {
      const res = await httpCall(this.o.agent, url, { ...req, timeoutMs: this.o.requestTimeoutMs });
      stop();
      if (res.status < 300 || res.status === 404 || res.status === 416) return { kind: 'ok', res };
      const error: SeaweedErrorKind = res.status === 401 ? 'jwt' : res.status >= 500 ? 'status_5xx' : 'status_4xx';
      this.o.metrics.errors.inc({ operation: op, kind: error });
      return { kind: 'fail', error, status: res.status, message: `${req.method} ${url} answered ${res.status}: ${errorText(res)}` };
    } catch (e) {
      stop();
      if (!(e instanceof HttpTransportError)) throw e;
      if (e.kind === 'aborted') throw e;
      this.o.metrics.errors.inc({ operation: op, kind: e.kind });
      return { kind: 'fail', error: e.kind, message: e.message };
    }
  }
}
