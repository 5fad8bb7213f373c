import { Counter, type Registry } from 'prom-client';

export type KeyLoadResult = 'found' | 'unknown' | 'unreadable' | 'error';

/**
 * `s3_access_key_loads_total{result}`: reads of access keys from metadata by the gateway's key cache
 * (misses and expiries; hits cost nothing and are not counted). A rising `unknown` rate is a client
 * using a bad or deleted key (or someone guessing); `unreadable` means a master key mismatch.
 */
export function createKeyCacheMetrics(registry: Registry): (result: KeyLoadResult) => void {
  const loads = new Counter({
    name: 's3_access_key_loads_total',
    help: 'Access keys read from metadata by the gateway key cache, by result (found, unknown, unreadable, error)',
    labelNames: ['result'],
    registers: [registry],
  });
  // Every result from the start, at 0 (prom-client's `labels()` alone exports nothing until the first inc).
  for (const r of ['found', 'unknown', 'unreadable', 'error'] as const) loads.inc({ result: r }, 0);
  return (result) => loads.labels(result).inc();
}
