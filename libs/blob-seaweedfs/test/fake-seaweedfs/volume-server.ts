import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { verifyFidJwt } from '../../src/jwt';
import type { FakeSeaweed } from './cluster';
import { etagOf } from './crc32c';
import { json } from './master';
import { copiesOf, parseFidPath, type Needle, type VolumeServerState, volumeUsage } from './state';

/** Volume server HTTP API (weed/server/volume_server_handlers_*.go): PUT/POST, GET/HEAD, DELETE. */
export async function handleVolume(c: FakeSeaweed, s: VolumeServerState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (url.pathname === '/status') return json(res, 200, { Version: 'fake', Volumes: volumeInfos(c, s) });
  if (url.pathname === '/healthz' || url.pathname === '/readyz') {
    res.writeHead(s.registered ? 200 : 503).end();
    return;
  }
  const f = parseFidPath(url.pathname);
  if (!f) {
    req.resume();
    res.writeHead(400).end();
    return;
  }
  const method = req.method ?? 'GET';
  const needsJwt = method === 'GET' || method === 'HEAD' ? c.options.readSigningKey : c.options.signingKey;
  if (needsJwt && url.searchParams.get('type') !== 'replicate') {
    const token = tokenOf(req, url);
    const claims = token ? verifyFidJwt(needsJwt, token) : undefined;
    if (!claims || claims.fid !== f.fid.replace(/_[0-9]+$/, '')) {
      req.resume();
      return json(res, 401, { error: 'wrong jwt' });
    }
  }
  const volume = c.volumes.get(f.vid);
  const holds = volume?.holders.includes(s.index) ?? false;
  if (method === 'PUT' || method === 'POST') {
    if (!holds) return forward(c, f.vid, req, res, url);
    return write(c, s, f, req, res, url);
  }
  if (method === 'GET' || method === 'HEAD') {
    if (!holds) return forward(c, f.vid, req, res, url);
    return read(s, f, req, res, url);
  }
  if (method === 'DELETE') {
    req.resume();
    const map = s.needles.get(f.vid);
    const n = map?.get(f.key);
    if (!holds || !n || n.deleted) return json(res, 404, { size: 0 });
    if (n.cookie !== f.cookie) return json(res, 400, { error: 'File Random Cookie does not match.' });
    if (volume?.readOnly) return json(res, 500, { error: `Deletion Failed: volume ${f.vid} is read only` });
    n.deleted = true;
    c.disk?.removeNeedle(s.index, f.vid, f.key);
    if (url.searchParams.get('type') !== 'replicate') {
      const err = await replicate(c, s, f.vid, 'DELETE', url, []);
      if (err) return json(res, 500, { error: `Deletion Failed: ${err}` });
    }
    return json(res, 202, { size: n.data.length });
  }
  req.resume();
  res.writeHead(405).end();
}

/**
 * `store.VolumeInfos()` as `/status` lists them: per volume this server holds, its needles
 * (`FileCount`, tombstones included until vacuum), tombstones and their bytes, as `garbageLevel` sees them.
 */
function volumeInfos(c: FakeSeaweed, s: VolumeServerState): object[] {
  return [...s.needles].map(([vid, m]) => {
    const { bytes, deletes, deletedBytes } = volumeUsage(m);
    const v = c.volumes.get(vid);
    return { Id: vid, Size: bytes, Collection: v?.collection ?? '', FileCount: m.size, DeleteCount: deletes, DeletedByteCount: deletedBytes, ReadOnly: v?.readOnly ?? false };
  });
}

async function write(
  c: FakeSeaweed,
  s: VolumeServerState,
  f: NonNullable<ReturnType<typeof parseFidPath>>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const b of req as AsyncIterable<Buffer>) {
    size += b.length;
    if (size <= c.options.fileSizeLimit) parts.push(b);
  }
  if (size > c.options.fileSizeLimit) return json(res, 400, { error: `file over the limited ${c.options.fileSizeLimit} bytes` });
  let data: Buffer = Buffer.concat(parts);
  let mime = req.headers['content-type'] ?? '';
  const multipart = req.method === 'POST' && (!mime || mime.includes('form-data'));
  if (multipart) {
    const p = firstPart(data, mime);
    if (!p) return json(res, 400, { error: 'parse multipart form: no parts' });
    data = p.data;
    mime = p.mime;
  }
  const md5 = req.headers['content-md5'];
  if (typeof md5 === 'string') {
    const got = createHash('md5').update(data).digest('base64');
    if (got !== md5) {
      return json(res, 400, { error: `Content-MD5 did not match md5 of file data expected [${md5}] received [${got}] size ${data.length}` });
    }
  }
  const volume = c.volumes.get(f.vid)!;
  if (volume.readOnly) return json(res, 500, { error: `failed to write to local disk: volume ${f.vid} is read only` });
  let map = s.needles.get(f.vid);
  if (!map) s.needles.set(f.vid, (map = new Map()));
  const old = map.get(f.key);
  if (old && !old.deleted && old.cookie !== f.cookie) {
    return json(res, 500, { error: `failed to write to local disk: mismatching cookie ${f.cookie.toString(16).padStart(8, '0')}` });
  }
  const etag = etagOf(data);
  if (old && !old.deleted && old.data.equals(data)) {
    res.writeHead(204).end();
    return;
  }
  const pairs: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('seaweed-') && typeof v === 'string') pairs[k.slice(8)] = v;
  const ttl = url.searchParams.get('ttl');
  const needle: Needle = { cookie: f.cookie, data, mime: mime === 'application/octet-stream' ? '' : mime, lastModified: Date.now(), deleted: false, pairs, etag };
  if (ttl) needle.expiresAt = Date.now() + ttlMs(ttl);
  map.set(f.key, needle); // local first: a replica failure below leaves this copy (as SeaweedFS does)
  c.disk?.saveNeedle(s.index, f.vid, f.key, needle);
  if (url.searchParams.get('type') !== 'replicate') volume.size += data.length; // the size of one copy
  if (url.searchParams.get('type') !== 'replicate') {
    const registered = volume.holders.filter((i) => c.servers[i].registered).length;
    const copies = copiesOf(volume.replication);
    if (registered < copies) {
      return json(res, 500, { error: `replicating operations [${registered}] is less than volume ${f.vid} replication copy count [${copies}]` });
    }
    const err = await replicate(c, s, f.vid, 'PUT', url, [data], mime || 'application/octet-stream');
    if (err) return json(res, 500, { error: `failed to write to replicas for volume ${f.vid}: ${err}` });
  }
  res.setHeader('ETag', `"${etag}"`);
  json(res, 201, { name: '', size: data.length, eTag: etag });
}

function read(s: VolumeServerState, f: NonNullable<ReturnType<typeof parseFidPath>>, req: IncomingMessage, res: ServerResponse, url: URL): void {
  req.resume();
  const n = s.needles.get(f.vid)?.get(f.key);
  const gone = !n || n.cookie !== f.cookie || (n.deleted && url.searchParams.get('readDeleted') !== 'true') || (n.expiresAt !== undefined && n.expiresAt <= Date.now());
  if (!n || gone) {
    res.writeHead(404).end();
    return;
  }
  const headers: Record<string, string> = {
    ETag: `"${n.etag}"`,
    'Last-Modified': new Date(n.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  if (n.mime) headers['Content-Type'] = n.mime;
  for (const [k, v] of Object.entries(n.pairs)) headers[k] = v;
  if (req.headers['if-none-match'] === `"${n.etag}"`) {
    res.writeHead(304, headers).end();
    return;
  }
  const total = n.data.length;
  const range = req.headers.range;
  if (range) {
    // One range only; multi-range (multipart/byteranges) is not faked and answers 416.
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    let start = m && m[1] !== '' ? Number(m[1]) : NaN;
    let end = m && m[2] !== '' ? Number(m[2]) : total - 1;
    if (m && m[1] === '' && m[2] !== '') {
      start = Math.max(0, total - Number(m[2]));
      end = total - 1;
    }
    if (!m || Number.isNaN(start) || start >= total || end < start) {
      res.writeHead(416, { 'content-type': 'text/plain; charset=utf-8', 'Content-Range': `bytes */${total}` }).end('invalid range\n');
      return;
    }
    end = Math.min(end, total - 1);
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${total}`, 'Content-Length': String(end - start + 1) });
    res.end(req.method === 'HEAD' ? undefined : n.data.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(total) });
  res.end(req.method === 'HEAD' ? undefined : n.data);
}

/** Sends `?type=replicate` to every other holder; returns the first error text, if any. */
async function replicate(c: FakeSeaweed, self: VolumeServerState, vid: number, method: 'PUT' | 'DELETE', url: URL, body: Buffer[], mime?: string): Promise<string | undefined> {
  const others = c.volumes.get(vid)!.holders.filter((i) => i !== self.index).map((i) => c.servers[i]);
  const errors = await Promise.all(
    others.map(async (o) => {
      // As SeaweedFS's ReplicatedWrite: the client's query (fsync=true among it) goes along.
      const q = new URLSearchParams(url.searchParams);
      q.set('type', 'replicate');
      const target = `http://${o.hostPort}${url.pathname}?${q.toString()}`;
      const r = await call(target, method, body, mime).catch((e: Error) => ({ status: 0, text: e.message }));
      return r.status >= 200 && r.status < 300 ? undefined : `[${o.hostPort}]: ${r.status ? `${r.status} ${r.text}` : r.text}`;
    }),
  );
  return errors.find((e) => e !== undefined);
}

function call(url: string, method: string, body: Buffer[], mime?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(url, { method, headers: mime ? { 'content-type': mime } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    r.setTimeout(5000, () => r.destroy(new Error('replication timed out')));
    r.on('error', reject);
    for (const b of body) r.write(b);
    r.end();
  });
}

/** A request for a volume this server does not hold: proxied to a live holder (readMode=proxy), else 404. */
function forward(c: FakeSeaweed, vid: number, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const holder = c.volumes.get(vid)?.holders.map((i) => c.servers[i]).find((h) => h.alive && h.registered);
  if (!holder) {
    req.resume();
    res.writeHead(404).end();
    return;
  }
  const headers = { ...req.headers };
  delete headers.host;
  const f = httpRequest(`http://${holder.hostPort}${url.pathname}${url.search}`, { method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  f.on('error', (e) => json(res, 500, { error: e.message }));
  req.pipe(f);
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const q = url.searchParams.get('jwt');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '');
  const cookie = /(?:^|;\s*)AT=([^;]+)/.exec(req.headers.cookie ?? '');
  return cookie?.[1];
}

function ttlMs(ttl: string): number {
  const m = /^(\d+)([mhdwMy])$/.exec(ttl);
  if (!m) return 0;
  const unit = { m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30 * 86400e3, y: 365 * 86400e3 }[m[2] as 'm'];
  return Number(m[1]) * unit;
}

/** The first part of a multipart/form-data body (the one with a filename, else the first). */
function firstPart(body: Buffer, contentType: string): { data: Buffer; mime: string } | undefined {
  const b = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!b) return undefined;
  const sep = Buffer.from(`--${b}`);
  const parts: { data: Buffer; mime: string; named: boolean }[] = [];
  let at = body.indexOf(sep);
  while (at >= 0) {
    const next = body.indexOf(sep, at + sep.length);
    if (next < 0) break;
    const chunk = body.subarray(at + sep.length + 2, next - 2);
    const headEnd = chunk.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const head = chunk.subarray(0, headEnd).toString();
      parts.push({
        data: chunk.subarray(headEnd + 4),
        mime: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? '',
        named: /filename=/i.test(head),
      });
    }
    at = next;
  }
  return parts.find((p) => p.named) ?? parts[0];
}
