// The `ref4k` row's reference: a bare node:http server keeping objects in a Map, no auth, no disk, no
// metadata store. It answers the bench's PUT and GET of 4 KiB objects with the headers an S3 GET carries
// (ETag, Last-Modified, Content-Type, Content-Length, x-amz-request-id), so the same load generator
// drives it exactly as it drives the gateway. Issue 11 judges the 4 KiB GET against "an in-memory Node
// S3 server, no auth" and asks for ratios, because this box's speed swings by up to 2x within minutes:
// measured in the same run, our server CPU per GET over this one's holds where absolute figures do not.
//
// Run as a script it listens on 127.0.0.1 (port 0) and prints `listening on http://...`; RefServer
// starts and stops it as a child process, so its CPU is measured apart from the load generator's.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

export class RefServer {
  constructor() {
    this.proc = undefined;
    this.stderr = '';
  }

  /** Starts the server; resolves to its endpoint. */
  async start(timeoutMs = 10_000) {
    const proc = spawn(process.execPath, [SELF], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-8192)));
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`reference server not listening after ${timeoutMs} ms: ${this.stderr}`)), timeoutMs);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      proc.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`reference server exited (${code ?? sig}) before listening: ${this.stderr}`));
      });
    });
  }

  get pid() {
    return this.proc?.pid;
  }

  async stop() {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}

function serve() {
  const objects = new Map();
  let requests = 0;
  const server = createServer((req, res) => {
    const id = (++requests).toString(16).toUpperCase().padStart(16, '0');
    const key = req.url ?? '/';
    if (req.method === 'PUT') {
      const parts = [];
      req.on('data', (d) => parts.push(d));
      req.on('end', () => {
        const data = Buffer.concat(parts);
        // A bucket (one path segment) is created by accepting it; an object is kept.
        const etag = `"${createHash('md5').update(data).digest('hex')}"`;
        if (key.indexOf('/', 1) > 0) objects.set(key, { data, etag, lastModified: new Date().toUTCString() });
        res.writeHead(200, { etag, 'x-amz-request-id': id, 'content-length': '0' });
        res.end();
      });
      return;
    }
    const o = req.method === 'GET' || req.method === 'HEAD' ? objects.get(key) : undefined;
    if (!o) {
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>${id}</RequestId></Error>`;
      res.writeHead(404, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), 'x-amz-request-id': id });
      res.end(body);
      return;
    }
    res.writeHead(200, {
      etag: o.etag,
      'last-modified': o.lastModified,
      'content-type': 'application/octet-stream',
      'content-length': String(o.data.length),
      'accept-ranges': 'bytes',
      'x-amz-request-id': id,
    });
    res.end(req.method === 'HEAD' ? undefined : o.data);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
}

if (process.argv[1] === SELF) serve();
