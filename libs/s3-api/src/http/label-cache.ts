/**
 * Memoises prom-client label children per label tuple, so the hot path does one Map lookup instead of
 * prom-client's per-call label hashing and object churn.
 */
export function labelCache<A extends string[], C>(make: (...labels: A) => C): (...labels: A) => C {
  const cache = new Map<string, C>();
  return (...labels: A) => {
    const k = labels.join('\u0000');
    let child = cache.get(k);
    if (child === undefined) {
      child = make(...labels);
      cache.set(k, child);
    }
    return child;
  };
}
