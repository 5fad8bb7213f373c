#!/usr/bin/env node
// What one small call costs the two processes on this machine, by transport: a grpc-js bidi stream
// carrying one message per call each way (what Mux carries when calls arrive one at a time, as the
// metadata lookups of 8 clients' 1 MiB GETs do) against length-prefixed frames on a plain TCP socket
// (the floor any leaner transport could reach). With `--batched`, each transport also runs batched
// the way Mux batches: the calls made in one turn of the client's event loop leave as one message,
// and the replies ready in one turn of the server's come back as one. Server and client run as two
// processes over loopback; `concurrency` loops each send a request (`--request` bytes) and wait for its
// reply (`--reply` bytes). Prints op/s, CPU per call for each side and calls per message, so a
// transport change can be judged before it is built. With `--rate N`, one loop paces its calls at N a
// second instead (a call every 1/N s, each waiting for its reply): what a call costs a process that is
// idle between calls, as the metadata service is between the lookups of a few 1 MiB GETs.
//
//   node tools/bench/rpc-ceiling.mjs [--concurrency 8] [--duration 8] [--warmup 1] [--request 120] [--reply 700] [--rounds 2] [--batched] [--rate N]
import { fork } from 'node:child_process';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';

const SELF = fileURLToPath(import.meta.url);
const raw = (b) => b;
const ECHO = {
  Echo: {
    path: '/massive.bench.v1.Ceiling/Echo',
    requestStream: true,
    responseStream: true,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};

/** A reply of `size` bytes carrying the request's 4-byte id. */
function replyTo(req, size) {
  const out = Buffer.allocUnsafe(size);
  req.copy(out, 0, 0, 4);
  out.fill(7, 4);
  return out;
}

/** Length-prefixed frames (u32 BE) read off a socket, handed to `onFrame` one by one. */
function frames(socket, onFrame) {
  let pending = Buffer.alloc(0);
  socket.on('data', (d) => {
    pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
    let at = 0;
    while (pending.length - at >= 4) {
      const n = pending.readUInt32BE(at);
      if (pending.length - at - 4 < n) break;
      onFrame(pending.subarray(at + 4, at + 4 + n));
      at += 4 + n;
    }
    pending = pending.subarray(at);
  });
}

function frame(payload) {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(payload.length, 0);
  return [head, payload];
}

/** Frames (u32 BE length, then the bytes) packed into one buffer: a batch, as one message. */
function pack(parts) {
  let n = 0;
  for (const p of parts) n += 4 + p.length;
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  for (const p of parts) {
    out.writeUInt32BE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}

function unpack(batch, onPart) {
  for (let at = 0; at < batch.length; ) {
    const n = batch.readUInt32BE(at);
    onPart(batch.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
}

/** Collects what `send` is given in one turn of the event loop and passes it on packed, once per turn. */
function perTurn(sendPacked) {
  let queued = [];
  return (part) => {
    queued.push(part);
    if (queued.length > 1) return;
    setImmediate(() => {
      const parts = queued;
      queued = [];
      sendPacked(pack(parts), parts.length);
    });
  };
}

async function serve(replySize) {
  const server = new grpc.Server();
  server.addService(ECHO, {
    Echo: (call) => {
      // The stream's `x-batched` metadata says whether its messages are batches (see client).
      const batched = call.metadata.get('x-batched')[0] === '1';
      const reply = batched ? perTurn((b) => call.write(b)) : (r) => call.write(r);
      call.on('data', (m) => (batched ? unpack(m, (req) => reply(replyTo(req, replySize))) : reply(replyTo(m, replySize)))).on('end', () => call.end());
    },
  });
  const grpcPort = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  const tcp = net.createServer((socket) => {
    socket.setNoDelay(true);
    const write = (b) => {
      const [head, body] = frame(b);
      socket.cork();
      socket.write(head);
      socket.write(body);
      socket.uncork();
    };
    // A batched client says so in its first frame (one byte, 1), an unbatched one sends 0.
    let batched;
    let reply;
    frames(socket, (m) => {
      if (batched === undefined) {
        batched = m[0] === 1;
        reply = batched ? perTurn(write) : write;
        return;
      }
      if (batched) unpack(m, (req) => reply(replyTo(req, replySize)));
      else reply(replyTo(m, replySize));
    });
  });
  await new Promise((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  process.send({ grpcPort, tcpPort: tcp.address().port });
  let mark = process.cpuUsage();
  process.on('message', (m) => {
    if (m === 'mark') mark = process.cpuUsage();
    else if (m === 'read') {
      const d = process.cpuUsage(mark);
      process.send({ cpuUs: d.user + d.system });
    } else if (m === 'exit') process.exit(0);
  });
}

/**
 * `concurrency` loops of request → reply over `send`; resolves with the calls made in `durationS`. With
 * `rate`, one loop instead, starting a call every 1/rate s (or as soon as the last reply came, when it
 * came late).
 */
async function loops(concurrency, durationS, requestSize, send, rate) {
  const end = performance.now() + durationS * 1000;
  let calls = 0;
  let nextId = 0;
  if (rate) {
    const req = Buffer.alloc(requestSize, 1);
    const start = performance.now();
    while (performance.now() < end) {
      req.writeUInt32BE(nextId++ >>> 0, 0);
      await send(req);
      calls++;
      const wait = start + (calls * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return calls;
  }
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const req = Buffer.alloc(requestSize, 1);
      while (performance.now() < end) {
        req.writeUInt32BE(nextId++ >>> 0, 0);
        await send(req);
        calls++;
      }
    }),
  );
  return calls;
}

async function client({ transport, grpcPort, tcpPort, concurrency, durationS, warmupS, requestSize, rate }) {
  const waiting = new Map();
  const batched = transport.endsWith('-batched');
  let messages = 0;
  const onReply = (b) => {
    const id = b.readUInt32BE(0);
    const done = waiting.get(id);
    waiting.delete(id);
    done?.();
  };
  const onMessage = batched ? (m) => unpack(m, onReply) : onReply;
  let write;
  let close;
  if (transport.startsWith('grpc')) {
    const Client = grpc.makeGenericClientConstructor(ECHO, 'Ceiling');
    const c = new Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('x-batched', batched ? '1' : '0');
    const stream = c.Echo(md);
    stream.on('data', onMessage);
    write = (b) => stream.write(b);
    close = () => { stream.end(); c.close(); };
  } else {
    const socket = net.connect(tcpPort, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((resolve) => socket.once('connect', resolve));
    frames(socket, onMessage);
    write = (b) => {
      const [head, body] = frame(b);
      socket.cork();
      socket.write(head);
      socket.write(body);
      socket.uncork();
    };
    write(Buffer.from([batched ? 1 : 0]));
    close = () => socket.destroy();
  }
  const out = batched ? perTurn((b) => { messages++; write(b); }) : (b) => { messages++; write(b); };
  const send = (req) => new Promise((resolve) => { waiting.set(req.readUInt32BE(0), resolve); out(Buffer.from(req)); });
  await loops(concurrency, warmupS, requestSize, send, rate); // warm-up
  process.send('warm');
  await new Promise((resolve) => process.once('message', resolve)); // the server marked its CPU
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  messages = 0;
  const calls = await loops(concurrency, durationS, requestSize, send, rate);
  const seconds = (performance.now() - t0) / 1000;
  const d = process.cpuUsage(cpu0);
  process.send({ calls, seconds, cpuUs: d.user + d.system, messages });
  close();
}

function once(child, test = () => true) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (!test(m)) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '8' },
      duration: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '1' },
      request: { type: 'string', default: '120' },
      reply: { type: 'string', default: '700' },
      rounds: { type: 'string', default: '2' },
      batched: { type: 'boolean', default: false },
      rate: { type: 'string' },
    },
  });
  const concurrency = Number(values.concurrency);
  const durationS = Number(values.duration);
  const warmupS = Number(values.warmup);
  const requestSize = Math.max(4, Number(values.request));
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new Error(`--rate must be a positive number of calls a second, got ${values.rate}`);
  const server = fork(SELF, ['--role=server', `--reply-size=${Number(values.reply)}`]);
  const ports = await once(server);
  const load = rate === undefined ? `${concurrency} loops` : `one loop paced at ${rate} calls/s`;
  console.log(`rpc ceiling: ${load}, ${requestSize} B requests, ${values.reply} B replies, ${durationS} s per run, server and client in two processes`);
  console.log('transport             op/s   server µs/call  client µs/call  calls/message');
  const transports = values.batched ? ['grpc', 'tcp', 'grpc-batched', 'tcp-batched'] : ['grpc', 'tcp'];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const transport of round % 2 === 0 ? transports : [...transports].reverse()) {
      const c = fork(SELF, ['--role=client']);
      c.send({ transport, ...ports, concurrency, durationS, warmupS, requestSize, rate });
      await once(c, (m) => m === 'warm');
      server.send('mark');
      c.send('go');
      const res = await once(c, (m) => typeof m === 'object');
      server.send('read');
      const srv = await once(server, (m) => typeof m === 'object' && 'cpuUs' in m);
      c.kill();
      const label = `${transport.startsWith('grpc') ? 'grpc-js bidi' : 'tcp frames'}${transport.endsWith('-batched') ? ', batched' : ''}`;
      const perMessage = res.messages > 0 ? (res.calls / res.messages).toFixed(1) : '-';
      console.log(`${label.padEnd(21)} ${(res.calls / res.seconds).toFixed(0).padStart(6)}   ${(srv.cpuUs / res.calls).toFixed(1).padStart(14)}  ${(res.cpuUs / res.calls).toFixed(1).padStart(14)}  ${perMessage.padStart(13)}`);
    }
  }
  server.send('exit');
}

const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7);
if (role === 'server') await serve(Number(process.argv.find((a) => a.startsWith('--reply-size='))?.slice(13) ?? 700));
else if (role === 'client') process.once('message', (opts) => client(opts));
else await main();
