import { HotCounter, HotHistogram, type HotCounterChild, type HotHistogramChild } from '@massive/observability';
import { Counter, type Registry } from 'prom-client';

/**
 * gRPC call metrics (the go-grpc-prometheus names). Labels are the fully-qualified service, the method
 * and the status name: `grpc_service` rather than `service`, because every registry already carries a
 * default `service` label naming the process, which a metric label of the same name would overwrite.
 */
export interface GrpcMetrics {
  readonly handled: HotCounter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  readonly seconds: HotHistogram<'grpc_service' | 'grpc_method'>;
  /**
   * Clients: `grpc_client_mux_direct_total{outcome}`, the direct connections Mux streams were offered:
   * `taken` (accepted), `failed` (could not connect, handshake or ticket refused: the stream stayed on
   * gRPC), `lost` (closed before the server's End: the stream's calls in flight failed).
   */
  readonly muxDirect?: Counter<'outcome'>;
}

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** `grpc_server_handled_total`, `grpc_server_handling_seconds` on `registry`. */
export function createGrpcServerMetrics(registry: Registry): GrpcMetrics {
  return create(registry, 'server', 'RPCs completed on the server', 'RPC handling time on the server');
}

/** `grpc_client_handled_total`, `grpc_client_handling_seconds`, `grpc_client_mux_direct_total` on `registry`. */
export function createGrpcClientMetrics(registry: Registry): GrpcMetrics {
  const name = 'grpc_client_mux_direct_total';
  const muxDirect =
    (registry.getSingleMetric(name) as Counter<'outcome'> | undefined) ??
    new Counter({ name, help: 'Direct connections offered to Mux streams, by outcome: taken, failed (the stream stayed on gRPC), lost (closed before End)', labelNames: ['outcome'], registers: [registry] });
  return { ...create(registry, 'client', 'RPCs completed by the client', 'RPC time seen by the client, until the last message or status'), muxDirect };
}

function create(registry: Registry, side: 'server' | 'client', handledHelp: string, secondsHelp: string): GrpcMetrics {
  const handledName = `grpc_${side}_handled_total`;
  const secondsName = `grpc_${side}_handling_seconds`;
  // Two clients (metadata and blob) in one process share the metric objects.
  // Hot metrics (every call updates both): exported as prom-client's would be.
  const existingHandled = registry.getSingleMetric(handledName) as unknown as GrpcMetrics['handled'] | undefined;
  const existingSeconds = registry.getSingleMetric(secondsName) as unknown as GrpcMetrics['seconds'] | undefined;
  return {
    handled:
      existingHandled ??
      new HotCounter({ name: handledName, help: `${handledHelp}, by status`, labelNames: ['grpc_service', 'grpc_method', 'grpc_code'], registers: [registry] }),
    seconds:
      existingSeconds ?? new HotHistogram({ name: secondsName, help: secondsHelp, labelNames: ['grpc_service', 'grpc_method'], buckets: BUCKETS, registers: [registry] }),
  };
}

/** Records one finished call. */
export function observeCall(m: GrpcMetrics, service: string, method: string, code: string, startedNs: bigint): void {
  const c = childrenOf(m, service, method, code);
  c.handled.inc();
  c.seconds.observeSince(startedNs);
}

interface CallChildren {
  readonly handled: HotCounterChild<string>;
  readonly seconds: HotHistogramChild<string>;
}

/** A call's two children, by service, method and code: one lookup per call. */
const callChildren = new WeakMap<GrpcMetrics, Map<string, CallChildren>>();

function childrenOf(m: GrpcMetrics, service: string, method: string, code: string): CallChildren {
  let byCall = callChildren.get(m);
  if (byCall === undefined) callChildren.set(m, (byCall = new Map()));
  const k = `${service}/${method}/${code}`;
  let c = byCall.get(k);
  if (c === undefined) byCall.set(k, (c = { handled: m.handled.labels(service, method, code), seconds: m.seconds.labels(service, method) }));
  return c;
}
