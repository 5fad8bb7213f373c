import { describeKvContract } from '@massive/kv/testing';
import { startFixture } from './client-fixture';

// Split points put the contract's keys into several regions, so every scan crosses boundaries.
describeKvContract('TikvKv over FakeCluster', async () => {
  const fx = await startFixture({ splitKeys: ['b', 'ba', 'm', 'own/050', '\x80'] });
  return { kv: fx.kv, cleanup: () => fx.stop() };
});
