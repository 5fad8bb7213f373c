import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Why the gateway refused or cut a request short to protect itself. One label value per limit, so a
 * dashboard can tell a client that trickles its headers from one that uploads too much at once.
 */
export const REJECTION_REASONS = [
  'connections', // past --max-connections with no idle connection to close: 503 SlowDown
  'inflight_body_bytes', // past --max-inflight-body-bytes: 503 SlowDown
  'headers_timeout', // headers not complete within --headers-timeout-ms
  'body_idle_timeout', // no body byte for --body-idle-timeout-ms: 400 RequestTimeout
  'send_idle_timeout', // a reader took no response byte for --body-idle-timeout-ms: connection closed
  'header_size', // request line + headers past --max-header-bytes
  'key_length', // KeyTooLongError
  'metadata_size', // MetadataTooLarge
  'xml_size', // XML request body past its operation's cap: MaxMessageLengthExceeded / MalformedXML
  'missing_content_length', // PUT without a length: 411 MissingContentLength
  'idle_connection_evicted', // an idle connection closed to make room for a new one
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface LimitMetrics {
  rejected(reason: RejectionReason): void;
  /** Bytes of request bodies admitted and not yet finished (what the in-flight cap counts). */
  readonly inflightBodyBytes: Gauge;
  /** Open client connections on the S3 port. */
  readonly connections: Gauge;
}

/** Gateway admission-control metrics, created once per registry (pass the result to both users). */
export function createLimitMetrics(registry: Registry): LimitMetrics {
  const rejections = new Counter({
    name: 's3_limit_rejections_total',
    help: 'Requests refused or cut short by a gateway limit, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Every reason shows from the start (a zero is information on a dashboard).
  for (const r of REJECTION_REASONS) rejections.labels(r).inc(0);
  return {
    rejected: (reason) => rejections.labels(reason).inc(),
    inflightBodyBytes: new Gauge({ name: 's3_inflight_body_bytes', help: 'Request body bytes admitted and not yet finished (counted against --max-inflight-body-bytes)', registers: [registry] }),
    connections: new Gauge({ name: 's3_open_connections', help: 'Open client connections on the S3 port', registers: [registry] }),
  };
}
