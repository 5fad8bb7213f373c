/**
 * Opt-in: the ChunkStore contract and the blob tier against a REAL SeaweedFS cluster, e.g.
 *   weed server -dir=/tmp/sw -volume.max=20 -master.volumeSizeLimitMB=64
 *   SEAWEED_MASTER_URL=http://127.0.0.1:9333 npx jest --selectProjects blob -w 1 seaweedfs-real-cluster
 * Runs only when SEAWEED_MASTER_URL is set (comma-separated masters); SEAWEED_JWT_SIGNING_KEY when
 * the cluster's volume writes are secured, SEAWEED_REPLICATION (default 000) for the placement.
 * Every chunk it writes it deletes again; the `massive-test` collection keeps it apart from real data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describeChunkStoreContract } from '@massive/blob-core/testing';
import { parseSeaweedChunkId, SeaweedFsChunkStore } from '@massive/blob-seaweedfs';
import { NEEDLE_BLOCK_SIZE as BLOCK_SIZE, signFidJwt } from '@massive/blob-seaweedfs/testing';

const masters = (process.env['SEAWEED_MASTER_URL'] ?? '')
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean);
const key = process.env['SEAWEED_JWT_SIGNING_KEY'] || undefined;

if (masters.length === 0) {
  describe('SeaweedFsChunkStore against a real cluster', () => {
    it.skip('skipped: set SEAWEED_MASTER_URL=http://master:9333 to run against a real SeaweedFS', () => undefined);
  });
} else {
  const master = /^https?:\/\//.test(masters[0]) ? masters[0] : `http://${masters[0]}`;
  const locate = async (fid: string): Promise<string[]> => {
    const r = await fetch(`${master}/dir/lookup?volumeId=${fid.split(',')[0]}`);
    if (r.status !== 200) return [];
    const j = (await r.json()) as { locations?: { url: string }[] };
    return (j.locations ?? []).map((l) => l.url);
  };
  const auth = (fid: string): Record<string, string> => (key ? { authorization: `Bearer ${signFidJwt(key, fid, 30)}` } : {});

  describeChunkStoreContract(
    `SeaweedFsChunkStore against ${masters.join(',')}`,
    async () => {
      const written = new Set<string>();
      const store = new SeaweedFsChunkStore({
        masters,
        collection: 'massive-test',
        replication: process.env['SEAWEED_REPLICATION'] ?? '000',
        jwtSigningKey: key,
        intentLog: { recordChunks: async () => undefined },
      });
      const put = store.put.bind(store);
      store.put = async (id, data) => {
        const final = await put(id, data);
        written.add(final);
        return final;
      };
      return {
        store,
        // A real cluster cannot list needles: "live" is what this harness wrote and a GET still finds.
        liveChunks: async () => {
          const out: string[] = [];
          for (const id of written) {
            const fid = parseSeaweedChunkId(id).fid;
            for (const url of await locate(fid)) {
              if ((await fetch(`http://${url}/${fid}`, { headers: { 'accept-encoding': 'identity' } })).status === 200) {
                out.push(id);
                break;
              }
            }
          }
          return out;
        },
        // Damage = overwrite the needle with damaged bytes under the same fid (same cookie: SeaweedFS accepts it).
        corrupt: async (id, damage) => {
          const fid = parseSeaweedChunkId(id).fid;
          const [url] = await locate(fid);
          const bytes = Buffer.from(await (await fetch(`http://${url}/${fid}`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
          let bad: Buffer;
          if (damage.kind === 'truncate') bad = bytes.subarray(0, BLOCK_SIZE + 4);
          else {
            bad = Buffer.from(bytes);
            bad[damage.at + 4 * Math.floor(damage.at / BLOCK_SIZE)] ^= 1;
          }
          const md5 = createHash('md5').update(bad).digest('base64');
          const r = await fetch(`http://${url}/${fid}`, { method: 'PUT', body: bad, headers: { 'content-type': 'application/octet-stream', 'content-md5': md5, ...auth(fid) } });
          if (r.status >= 300) throw new Error(`could not damage ${fid}: ${r.status} ${await r.text()}`);
        },
        close: async () => {
          for (const id of written) await store.delete(id).catch(() => undefined);
          store.close();
        },
      };
    },
    { listing: false },
  );

  describe('SeaweedFsChunkStore against a real cluster: sizes SeaweedFS itself uses', () => {
    it('round-trips an 8 MiB chunk and reads a range across block edges', async () => {
      const store = new SeaweedFsChunkStore({ masters, collection: 'massive-test', jwtSigningKey: key, intentLog: { recordChunks: async () => undefined } });
      try {
        const data = randomBytes(8 * 1024 * 1024);
        const a = await store.allocate('real-cluster', 0, data.length);
        const id = (await store.put(a, [data])) || a;
        expect((await store.read(id)).equals(data)).toBe(true);
        expect((await store.read(id, { offset: 65530, length: 200_000 })).equals(data.subarray(65530, 265530))).toBe(true);
        expect(await store.reachable()).toBe(true);
        await store.delete(id);
        await store.delete(id);
      } finally {
        store.close();
      }
    });
  });
}
