import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * gRPC call metrics (the go-grpc-prometheus names). Labels are the fully-qualified service, the method
 * and the status name: `grpc_service` rather than `service`, because every registry already carries a
 * default `service` label naming the process, which a metric label of the same name would overwrite.
 */
export interface GrpcMetrics {
  readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  readonly seconds: Histogram<'grpc_service' | 'grpc_method'>;
}

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** `grpc_server_handled_total`, `grpc_server_handling_seconds` on `registry`. */
export function createGrpcServerMetrics(registry: Registry): GrpcMetrics {
  return create(registry, 'server', 'RPCs completed on the server', 'RPC handling time on the server');
}

/** `grpc_client_handled_total`, `grpc_client_handling_seconds` on `registry`. */
export function createGrpcClientMetrics(registry: Registry): GrpcMetrics {
  return create(registry, 'client', 'RPCs completed by the client', 'RPC time seen by the client, until the last message or status');
}

function create(registry: Registry, side: 'server' | 'client', handledHelp: string, secondsHelp: string): GrpcMetrics {
  const handledName = `grpc_${side}_handled_total`;
  const secondsName = `grpc_${side}_handling_seconds`;
  // Two clients (metadata and blob) in one process share the metric objects.
  const existingHandled = registry.getSingleMetric(handledName) as GrpcMetrics['handled'] | undefined;
  const existingSeconds = registry.getSingleMetric(secondsName) as GrpcMetrics['seconds'] | undefined;
  return {
    handled:
      existingHandled ??
      new Counter({ name: handledName, help: `${handledHelp}, by status`, labelNames: ['grpc_service', 'grpc_method', 'grpc_code'], registers: [registry] }),
    seconds:
      existingSeconds ?? new Histogram({ name: secondsName, help: secondsHelp, labelNames: ['grpc_service', 'grpc_method'], buckets: BUCKETS, registers: [registry] }),
  };
}

/** Records one finished call. */
export function observeCall(m: GrpcMetrics, service: string, method: string, code: string, startedNs: bigint): void {
  m.handled.inc({ grpc_service: service, grpc_method: method, grpc_code: code });
  m.seconds.observe({ grpc_service: service, grpc_method: method }, Number(process.hrtime.bigint() - startedNs) / 1e9);
}
