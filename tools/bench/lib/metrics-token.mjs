import { randomBytes } from 'node:crypto';

/** The token the bench's servers require on `/-/metrics` (MASSIVE_METRICS_TOKEN), fresh per run. */
export const BENCH_METRICS_TOKEN = randomBytes(24).toString('base64url');
