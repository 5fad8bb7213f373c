/**
 * Which HTTP client the SeaweedFS store uses: node:http (keep-alive Agent), fetch (Node's bundled
 * undici) and axios (keep-alive Agent), each doing 1 MiB PUT + GET against one fake volume server,
 * 4 in flight. Not a test; run it by hand:
 *   npx esbuild libs/blob-seaweedfs/test/bench-http-clients.ts --bundle --platform=node \
 *     --packages=external --outfile=tmp/bench-http.js --tsconfig=tsconfig.base.json && node tmp/bench-http.js
 */
import { randomBytes } from 'node:crypto';
import axios from 'axios';
import { Agent } from 'node:http';
import { createAgent, httpCall } from '../src/http';
import { FakeSeaweed } from './fake-seaweedfs';

async function main(): Promise<void> {
  const fake = await FakeSeaweed.start({ servers: 1 });
  const size = 1024 * 1024;
  const data = randomBytes(size);
  const N = 150;
  const conc = 4;
  const assign = async (): Promise<{ url: string; fid: string }> => {
    const r = await fetch(`${fake.masterUrl}/dir/assign`);
    return (await r.json()) as { url: string; fid: string };
  };
  const fids: { url: string; fid: string }[] = [];
  for (let i = 0; i < N; i++) fids.push(await assign());
  const agent = createAgent(16);
  const axAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const ax = axios.create({ httpAgent: axAgent, maxBodyLength: Infinity, maxContentLength: Infinity, responseType: 'arraybuffer', decompress: false });
  const clients: Record<string, { put(u: string, b: Buffer): Promise<void>; get(u: string): Promise<Buffer> }> = {
    'node:http': {
      put: async (u, b) => void (await httpCall(agent, u, { method: 'PUT', body: [b], timeoutMs: 10000, headers: { 'content-type': 'application/octet-stream' } })),
      get: async (u) => (await httpCall(agent, u, { method: 'GET', timeoutMs: 10000, headers: { 'accept-encoding': 'identity' } })).body,
    },
    'fetch (undici)': {
      put: async (u, b) => void (await (await fetch(u, { method: 'PUT', body: b, headers: { 'content-type': 'application/octet-stream' } })).arrayBuffer()),
      get: async (u) => Buffer.from(await (await fetch(u, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()),
    },
    axios: {
      put: async (u, b) => void (await ax.put(u, b, { headers: { 'content-type': 'application/octet-stream' } })),
      get: async (u) => Buffer.from((await ax.get(u, { headers: { 'accept-encoding': 'identity' } })).data as ArrayBuffer),
    },
  };
  for (const round of [1, 2]) {
    for (const [name, c] of Object.entries(clients)) {
      let next = 0;
      const t0 = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: conc }, async () => {
          while (next < N) {
            const f = fids[next++];
            const u = `http://${f.url}/${f.fid}`;
            await c.put(u, data);
            const got = await c.get(u);
            if (got.length !== size) throw new Error('short');
          }
        }),
      );
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (round === 2) console.log(`${name.padEnd(16)} ${((2 * N * size) / s / 2 ** 20).toFixed(0)} MiB/s (PUT+GET 1 MiB x${N}, ${conc} in flight)`);
    }
  }
  agent.destroy();
  axAgent.destroy();
  await fake.stop();
}
void main();
