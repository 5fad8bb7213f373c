// The SeaweedFS fake's own ceiling: 1 MiB needles written (assign + PUT) and read back straight from the
// fake by `concurrency` loops, no gateway, no blob service. The distributed/seaweedfs rows are compared
// with this, so the cost of our client and services shows apart from the fake's own.
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(url, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'content-type': 'application/octet-stream', 'content-length': body.length, 'content-md5': createHash('md5').update(body).digest('base64') } : { 'accept-encoding': 'identity' } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function seaweedCeiling(master, { concurrency = 8, durationS = 10, size = 1024 * 1024 } = {}) {
  const body = randomBytes(size);
  const fids = [];
  const run = async (work) => {
    let n = 0;
    const end = performance.now() + durationS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          await work();
          n++;
        }
      }),
    );
    return { ops: n, mibPerSec: Math.round(((n * size) / (1024 * 1024) / ((performance.now() - started) / 1000)) * 10) / 10 };
  };
  const put = await run(async () => {
    const a = await request(`http://${master}/dir/assign?dataSize=${size}`);
    if (a.status !== 200) throw new Error(`assign ${a.status}: ${a.body}`);
    const { fid, url } = JSON.parse(a.body.toString());
    const r = await request(`http://${url}/${fid}`, { method: 'PUT', body });
    if (r.status !== 201 && r.status !== 204) throw new Error(`upload ${r.status}: ${r.body}`);
    fids.push(`http://${url}/${fid}`);
  });
  let i = 0;
  const get = await run(async () => {
    const r = await request(fids[i++ % fids.length]);
    if (r.status !== 200 || r.body.length !== size) throw new Error(`read ${r.status}`);
  });
  return { put, get };
}
