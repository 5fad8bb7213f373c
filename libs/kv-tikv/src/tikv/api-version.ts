import type { GetResponse } from '../grpc/wire';
import { toU64 } from '../pd/timestamp';
import { backoffer, type ClientCore } from './core';

/** Read at connect: not a TiDB key (it does not start with 'm' or 't'), and never written. */
export const API_PROBE_KEY = Buffer.from('\x00massive-api-version-probe', 'latin1');

/**
 * Refuses clusters that do not run TiKV's default API V1 (`storage.api-version = 1`,
 * `storage.enable-ttl = false`). This client sends V1 requests (Context.api_version = 0):
 * - a V1TTL cluster refuses every transactional V1 request (ApiVersionNotMatched), so nothing would work;
 * - an API V2 cluster accepts V1 requests only for TiDB keys ('m…', 't…'), refusing the rest
 *   (InvalidKeyMode): our keys starting with 'm' or 't' would silently land in TiDB's key range.
 * One KvGet of a non-TiDB key tells them apart; TiKV reports both refusals as KeyError.abort.
 */
export async function checkApiVersion(core: ClientCore, ts: bigint): Promise<void> {
  const bo = backoffer(core, core.limits.readBudgetMs, 'API version check');
  const { resp } = await core.sender.onKey<GetResponse>(bo, API_PROBE_KEY, 'KvGet', () => ({ key: API_PROBE_KEY, version: toU64(ts) }));
  const abort = resp.error?.abort ?? '';
  if (/ApiVersionNotMatched|InvalidKeyMode/.test(abort)) {
    throw new Error(
      `this TiKV cluster does not run API V1 (it answered: ${abort}). @massive/kv-tikv needs ` +
        'storage.api-version = 1 and storage.enable-ttl = false (the TiKV defaults); API V2 / keyspace ' +
        'and V1TTL (RawKV TTL) clusters are refused so that no key lands in another API\'s key range',
    );
  }
}
