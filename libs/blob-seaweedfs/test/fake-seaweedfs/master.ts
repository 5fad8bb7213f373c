import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { signFidJwt } from '../../src/jwt';
import type { FakeSeaweed } from './cluster';
import { copiesOf, formatFid, REPLICATION, type Volume, type VolumeServerState } from './state';

/** Master HTTP API (weed/server/master_server_handlers*.go), the subset section 4 of the reference lists. */
export function handleMaster(c: FakeSeaweed, index: number, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const q = url.searchParams;
  switch (url.pathname) {
    case '/dir/assign':
      if (index !== c.leader) {
        forward(c, req, res, url);
        return;
      }
      if (warming(c, res)) return;
      assign(c, q, res);
      return;
    case '/dir/lookup':
      if (warming(c, res)) return;
      lookup(c, q, res);
      return;
    case '/cluster/status':
      json(res, 200, {
        IsLeader: index === c.leader,
        Leader: c.masters[c.leader]?.alive ? c.masters[c.leader].hostPort : undefined,
        Peers: c.masters.filter((m) => m.index !== index).map((m) => m.hostPort),
        MaxVolumeId: c.maxVolumeId,
      });
      return;
    case '/cluster/healthz':
    case '/readyz':
      res.writeHead(c.masters[c.leader]?.alive ? 200 : 503).end();
      return;
    case '/healthz':
      res.writeHead(200).end();
      return;
    case '/debug/needles':
      // Fake only (no such endpoint in SeaweedFS): every live needle, for leak checks from other processes.
      json(res, 200, { needles: c.liveNeedles() });
      return;
    case '/dir/status':
      dirStatus(c, res);
      return;
    case '/vol/vacuum': {
      // `volumeVacuumHandler`, behind `proxyToLeader`: vacuums, then answers as /dir/status does.
      if (index !== c.leader) {
        forward(c, req, res, url);
        return;
      }
      const given = q.get('garbageThreshold');
      const threshold = given ? Number(given) : c.options.garbageThreshold;
      if (given && (given.trim() === '' || !Number.isFinite(threshold))) {
        json(res, 406, { error: `garbageThreshold ${given} is not a valid float number` });
        return;
      }
      c.vacuum(threshold);
      dirStatus(c, res);
      return;
    }
    case '/vol/grow': {
      const n = Number(q.get('count'));
      const replication = q.get('replication') || c.options.defaultReplication;
      if (!Number.isInteger(n) || n < 1 || !REPLICATION.test(replication)) {
        json(res, 406, { error: `unknown replication type: ${replication}` });
        return;
      }
      let grown = 0;
      for (; grown < n; grown++) if (!c.grow(q.get('collection') ?? '', replication)) break;
      json(res, grown > 0 ? 200 : 406, grown > 0 ? { count: grown } : { error: 'No free volumes left' });
      return;
    }
    default:
      json(res, 404, { error: `unknown path ${url.pathname}` });
  }
}

function dirStatus(c: FakeSeaweed, res: ServerResponse): void {
  json(res, 200, { Version: 'fake', Topology: { Max: c.servers.length * c.options.volumesPerServer, Free: c.freeSlots() } });
}

function warming(c: FakeSeaweed, res: ServerResponse): boolean {
  if (Date.now() >= c.warmUntil) return false;
  res.setHeader('Retry-After', '1');
  json(res, 503, { error: 'master is warming up, topology is still loading' });
  return true;
}

function assign(c: FakeSeaweed, q: URLSearchParams, res: ServerResponse): void {
  const collection = q.get('collection') ?? '';
  const replication = q.get('replication') || c.options.defaultReplication;
  if (!REPLICATION.test(replication)) {
    json(res, 406, { error: `unknown replication type: ${replication}` });
    return;
  }
  const count = Math.max(1, Number(q.get('count') ?? '1') || 1);
  const ttl = q.get('ttl') ?? '';
  let writable = c.writableVolumes(collection, replication);
  if (writable.length === 0) {
    if (c.growing) {
      res.setHeader('Retry-After', '1');
      json(res, 503, { error: `no writable volumes for collection:${collection} replication:${replication} ttl:${ttl}, volume growth in progress` });
      return;
    }
    if (c.options.growDelayMs > 0 && c.canGrow(replication)) {
      c.growing = true;
      setTimeout(() => {
        c.growing = false;
        c.grow(collection, replication);
      }, c.options.growDelayMs).unref();
      res.setHeader('Retry-After', '1');
      json(res, 503, { error: `no writable volumes for collection:${collection} replication:${replication} ttl:${ttl}, volume growth in progress` });
      return;
    }
    c.grow(collection, replication);
    writable = c.writableVolumes(collection, replication);
  }
  if (writable.length === 0) {
    json(res, 406, {
      error: `failed to find writable volumes for collection:${collection} replication:${replication} ttl:${ttl} error: No writable volumes and no free volumes left for {"collection":"${collection}","replication":"${replication}"}`,
    });
    return;
  }
  const v: Volume = writable[Math.floor(Math.random() * writable.length)];
  const key = c.nextKey(count);
  const cookie = Math.floor(Math.random() * 0x100000000);
  const fid = formatFid(v.id, key, cookie);
  const primary = c.servers[v.holders[Math.floor(Math.random() * v.holders.length)]];
  if (c.options.signingKey) res.setHeader('Authorization', `Bearer ${signFidJwt(c.options.signingKey, fid, c.options.jwtTtlSeconds)}`);
  json(res, 200, { fid, url: primary.hostPort, publicUrl: primary.hostPort, count });
}

function lookup(c: FakeSeaweed, q: URLSearchParams, res: ServerResponse): void {
  const raw = q.get('volumeId') ?? q.get('fileId') ?? '';
  const id = raw.split(',')[0];
  const vid = /^[0-9]+$/.test(id) ? Number(id) : NaN;
  const v = c.volumes.get(vid);
  const holders = v ? v.holders.map((i) => c.servers[i]).filter((s: VolumeServerState) => s.registered) : [];
  if (!v || holders.length === 0) {
    json(res, 404, { volumeOrFileId: raw, error: Number.isNaN(vid) ? `Unknown volume id ${id}` : `volume id ${vid} not found` });
    return;
  }
  const fileId = q.get('fileId');
  if (fileId) {
    const key = q.get('read') === 'yes' ? c.options.readSigningKey : c.options.signingKey;
    if (key) res.setHeader('Authorization', `Bearer ${signFidJwt(key, fileId, c.options.jwtTtlSeconds)}`);
  }
  json(res, 200, { volumeOrFileId: raw, locations: holders.map((s) => ({ url: s.hostPort, publicUrl: s.hostPort, dataCenter: s.dataCenter })) });
}

/** A follower forwards an assign to the leader, as `proxyToLeader` does. */
function forward(c: FakeSeaweed, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const leader = c.masters[c.leader];
  if (!leader?.alive) {
    json(res, 503, { error: 'raft.Server: Not current leader' });
    return;
  }
  const f = httpRequest(`http://${leader.hostPort}${url.pathname}${url.search}`, { method: req.method }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  f.on('error', (e) => json(res, 502, { error: e.message }));
  req.pipe(f);
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export { copiesOf };
