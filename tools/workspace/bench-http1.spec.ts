// tools/bench/lib/http1.mjs is the load generator's HTTP/1.1 transport: every row of `npm run bench`
// reads its responses through it. A framing mistake would either fail rows (a body cut or run into the
// next response) or, worse, verify the wrong bytes; a connection reused after a bad response would
// poison the next request. These feed the parser byte by byte (every split a socket read can make) and
// drive the pool against a raw TCP server that answers with scripted bytes.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const LIB = resolve(__dirname, '../bench/lib/http1.mjs');

/** Runs `body` (an ES module body with `Http1Pool`, `ResponseParser`, `net` in scope) and returns what it printed as JSON. */
function run(body: string): unknown {
  const script = `import net from 'node:net';\nimport { Http1Pool, ResponseParser } from ${JSON.stringify(LIB)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}


/** Requests in the scripts: a GET, and a request's outcome as plain data. */
const HELPERS = `
const get = (pool, path, extra = {}) => pool.request({ method: 'GET', head: 'GET ' + path + ' HTTP/1.1\\r\\nhost: x\\r\\n\\r\\n', ...extra });
const settle = (p) => p.then((r) => ({ ok: true, status: r.status, body: r.body?.toString('latin1') }), (e) => ({ ok: false, error: String(e.message) }));
`;

/** A server answering each request (a head ending in CRLFCRLF, plus `content-length` bytes) with the next scripted reply. */
const SERVER = `${HELPERS}
async function serve(replies, fn) {
  let connections = 0;
  const received = [];
  const server = net.createServer((s) => {
    connections++;
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\\r\\n\\r\\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number(/content-length: (\\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        received.push({ head: head.split('\\r\\n')[0], body: buf.toString('latin1', end + 4, end + 4 + len) });
        buf = buf.subarray(end + 4 + len);
        const reply = replies.shift();
        if (typeof reply === 'function') reply(s);
        else s.write(reply);
      }
    });
    s.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const pool = new Http1Pool({ host: '127.0.0.1', port: server.address().port, maxSockets: 1 });
  try {
    return { ...(await fn(pool)), connections, received };
  } finally {
    pool.destroy();
    server.close();
  }
}
`;

describe('tools/bench/lib/http1.mjs, the response parser fed one byte at a time', () => {
  function parseBytewise(method: string, wire: string, collect = true): { status: number; headers: Record<string, string>; body: string; bytes: number; used: number; state: string } {
    return run(`
      const wire = Buffer.from(${JSON.stringify(wire)}, 'latin1');
      const seen = [];
      const p = new ResponseParser(${JSON.stringify(method)}, ${collect ? 'undefined' : '(v) => seen.push(Buffer.from(v))'});
      let used = 0;
      // Each read lands in a reused buffer, as the socket's do: scribble over it after every feed.
      const scratch = Buffer.alloc(1);
      for (let i = 0; i < wire.length && p.state !== 'done'; i++) {
        wire.copy(scratch, 0, i, i + 1);
        used += p.feed(scratch, 0, 1);
        scratch.fill(0x2a);
      }
      const r = p.response();
      process.stdout.write(JSON.stringify({ status: r.status, headers: r.headers, body: (r.body ?? Buffer.concat(seen)).toString('latin1'), bytes: r.bytes, used, state: p.state }));
    `) as never;
  }

  it('reads a Content-Length body and stops at its end, leaving what follows', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "a"\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nhelloHTTP/1.1 200 OK\r\n';
    const r = parseBytewise('GET', wire);
    expect(r).toEqual({ status: 200, headers: { 'content-length': '5', etag: '"a"', 'x-dup': '1, 2' }, body: 'hello', bytes: 5, used: wire.indexOf('hello') + 5, state: 'done' });
  });

  it('decodes chunked transfer coding (extensions, trailers) and hands views to onData', () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\n';
    expect(parseBytewise('GET', wire, false)).toMatchObject({ status: 200, body: 'hello, chunked!', bytes: 15, used: wire.length, state: 'done' });
    expect(parseBytewise('GET', wire, true)).toMatchObject({ body: 'hello, chunked!', state: 'done' });
  });

  it('reads no body for HEAD, 204 and 304, and skips a 100 Continue head', () => {
    expect(parseBytewise('HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n')).toMatchObject({ status: 200, body: '', bytes: 0, state: 'done' });
    expect(parseBytewise('DELETE', 'HTTP/1.1 204 No Content\r\n\r\n')).toMatchObject({ status: 204, body: '', state: 'done' });
    expect(parseBytewise('GET', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n')).toMatchObject({ status: 304, body: '', state: 'done' });
    expect(parseBytewise('PUT', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')).toMatchObject({ status: 200, body: 'ok', state: 'done' });
  });

  it('refuses what is not HTTP/1.1 framing', () => {
    const fails = run(`
      const out = {};
      for (const [name, wire] of Object.entries({
        statusLine: 'HTTP/2 200\\r\\n\\r\\n',
        headerLine: 'HTTP/1.1 200 OK\\r\\nno colon here\\r\\n\\r\\n',
        length: 'HTTP/1.1 200 OK\\r\\ncontent-length: 5x\\r\\n\\r\\n',
        chunkSize: 'HTTP/1.1 200 OK\\r\\ntransfer-encoding: chunked\\r\\n\\r\\nzz\\r\\n',
        chunkEnd: 'HTTP/1.1 200 OK\\r\\ntransfer-encoding: chunked\\r\\n\\r\\n1\\r\\nab\\r\\n',
        coding: 'HTTP/1.1 200 OK\\r\\ntransfer-encoding: gzip\\r\\n\\r\\n',
        hugeHead: 'HTTP/1.1 200 OK\\r\\nx: ' + 'a'.repeat(70000),
      })) {
        try { const b = Buffer.from(wire, 'latin1'); new ResponseParser('GET').feed(b, 0, b.length); out[name] = 'parsed'; } catch (e) { out[name] = 'refused'; }
      }
      process.stdout.write(JSON.stringify(out));
    `);
    expect(fails).toEqual({ statusLine: 'refused', headerLine: 'refused', length: 'refused', chunkSize: 'refused', chunkEnd: 'refused', coding: 'refused', hugeHead: 'refused' });
  });
});

describe('tools/bench/lib/http1.mjs, the connection pool against a scripted server', () => {
  it('reuses one keep-alive connection for requests in turn, and queues those past maxSockets', () => {
    const r = run(`${SERVER}
      const out = await serve(['HTTP/1.1 200 OK\\r\\ncontent-length: 1\\r\\n\\r\\na', 'HTTP/1.1 200 OK\\r\\ncontent-length: 1\\r\\n\\r\\nb', 'HTTP/1.1 200 OK\\r\\ncontent-length: 1\\r\\n\\r\\nc'],
        async (pool) => ({ results: await Promise.all([settle(get(pool, '/1')), settle(get(pool, '/2')), settle(get(pool, '/3'))]) }));
      process.stdout.write(JSON.stringify(out));
    `);
    expect(r).toMatchObject({
      results: [{ ok: true, body: 'a' }, { ok: true, body: 'b' }, { ok: true, body: 'c' }],
      connections: 1,
      received: [{ head: 'GET /1 HTTP/1.1' }, { head: 'GET /2 HTTP/1.1' }, { head: 'GET /3 HTTP/1.1' }],
    });
  });

  it('takes a new connection after `connection: close`, after bytes past a response, and after a body read to the close', () => {
    const r = run(`${SERVER}
      const out = await serve([
        'HTTP/1.1 200 OK\\r\\nconnection: close\\r\\ncontent-length: 1\\r\\n\\r\\na',
        'HTTP/1.1 200 OK\\r\\ncontent-length: 1\\r\\n\\r\\nbSTRAY',
        (s) => s.end('HTTP/1.1 200 OK\\r\\n\\r\\nuntil the end'),
        'HTTP/1.1 200 OK\\r\\ncontent-length: 1\\r\\n\\r\\nd',
      ], async (pool) => {
        const results = [];
        for (const p of ['/1', '/2', '/3', '/4']) results.push(await settle(get(pool, p)));
        return { results };
      });
      process.stdout.write(JSON.stringify(out));
    `);
    expect(r).toMatchObject({
      results: [{ ok: true, body: 'a' }, { ok: true, body: 'b' }, { ok: true, body: 'until the end' }, { ok: true, body: 'd' }],
      connections: 4,
    });
  });

  it('fails a request whose body is cut short, and the next request gets a fresh connection', () => {
    const r = run(`${SERVER}
      const out = await serve([(s) => s.end('HTTP/1.1 200 OK\\r\\ncontent-length: 10\\r\\n\\r\\nshort'), 'HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok'],
        async (pool) => ({ first: await settle(get(pool, '/cut')), second: await settle(get(pool, '/next')) }));
      process.stdout.write(JSON.stringify(out));
    `);
    expect(r).toMatchObject({ first: { ok: false }, second: { ok: true, body: 'ok' }, connections: 2 });
  });

  it('streams a request body written through the socket, minding drain', () => {
    const r = run(`${SERVER}
      const { once } = await import('node:events');
      const piece = Buffer.alloc(256 * 1024, 'z');
      const n = 16;
      const out = await serve(['HTTP/1.1 200 OK\\r\\ncontent-length: 0\\r\\n\\r\\n'], async (pool) => ({
        result: await settle(pool.request({
          method: 'PUT',
          head: 'PUT /up HTTP/1.1\\r\\nhost: x\\r\\ncontent-length: ' + piece.length * n + '\\r\\n\\r\\n',
          body: async (sock) => { for (let i = 0; i < n; i++) if (!sock.write(piece)) await once(sock, 'drain'); },
        })),
      }));
      process.stdout.write(JSON.stringify({ result: out.result, length: out.received[0].body.length, allZ: /^z+$/.test(out.received[0].body) }));
    `);
    expect(r).toEqual({ result: { ok: true, status: 200, body: '' }, length: 16 * 256 * 1024, allZ: true });
  });

  it('a refusal sent before the body was all written is the answer, and that connection is not reused', () => {
    const r = run(`${HELPERS}
      const { once } = await import('node:events');
      let connections = 0;
      // Answers 403 as soon as a PUT's head arrives, without reading its body; GETs get 200.
      const server = net.createServer((s) => {
        connections++;
        let head = '';
        s.on('data', (d) => {
          if (head.includes('\\r\\n\\r\\n')) return;
          head += d.toString('latin1');
          if (!head.includes('\\r\\n\\r\\n')) return;
          s.write(head.startsWith('PUT') ? 'HTTP/1.1 403 Forbidden\\r\\ncontent-length: 6\\r\\n\\r\\ndenied' : 'HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok');
        });
        s.on('error', () => {});
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const pool = new Http1Pool({ host: '127.0.0.1', port: server.address().port, maxSockets: 1 });
      const piece = Buffer.alloc(1024 * 1024, 'z');
      const put = await settle(pool.request({
        method: 'PUT',
        head: 'PUT /up HTTP/1.1\\r\\nhost: x\\r\\ncontent-length: ' + 64 * piece.length + '\\r\\n\\r\\n',
        body: async (sock) => { for (let i = 0; i < 64; i++) if (!sock.write(piece)) await once(sock, 'drain'); },
      }));
      const next = await settle(get(pool, '/after'));
      pool.destroy();
      server.close();
      process.stdout.write(JSON.stringify({ put, next, connections }));
    `);
    expect(r).toEqual({ put: { ok: true, status: 403, body: 'denied' }, next: { ok: true, status: 200, body: 'ok' }, connections: 2 });
  });
});

