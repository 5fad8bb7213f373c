#!/usr/bin/env node
// What one small call costs the two processes on this machine, by transport: a grpc-js bidi stream
// carrying one message per call each way (what Mux carries when calls arrive one at a time, as the
// metadata lookups of 8 clients' 1 MiB GETs do) against length-prefixed frames on a plain TCP socket
// (the floor any leaner transport could reach). Server and client run as two processes over loopback;
// `concurrency` loops each send a request (`--request` bytes) and wait for its reply (`--reply` bytes).
// Prints op/s and CPU per call for each side, so a transport change can be judged before it is built.
//
//   node tools/bench/rpc-ceiling.mjs [--concurrency 8] [--duration 8] [--request 120] [--reply 700] [--rounds 2]
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

async function serve(replySize) {
  const server = new grpc.Server();
  server.addService(ECHO, { Echo: (call) => call.on('data', (req) => call.write(replyTo(req, replySize))).on('end', () => call.end()) });
  const grpcPort = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  const tcp = net.createServer((socket) => {
    socket.setNoDelay(true);
    frames(socket, (req) => {
      const [head, body] = frame(replyTo(req, replySize));
      socket.cork();
      socket.write(head);
      socket.write(body);
      socket.uncork();
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

/** `concurrency` loops of request → reply over `send`; resolves with the calls made in `durationS`. */
async function loops(concurrency, durationS, requestSize, send) {
  const end = performance.now() + durationS * 1000;
  let calls = 0;
  let nextId = 0;
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

async function client({ transport, grpcPort, tcpPort, concurrency, durationS, requestSize }) {
  const waiting = new Map();
  const onReply = (b) => {
    const id = b.readUInt32BE(0);
    const done = waiting.get(id);
    waiting.delete(id);
    done?.();
  };
  let send;
  let close;
  if (transport === 'grpc') {
    const Client = grpc.makeGenericClientConstructor(ECHO, 'Ceiling');
    const c = new Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const stream = c.Echo();
    stream.on('data', onReply);
    send = (req) => new Promise((resolve) => { waiting.set(req.readUInt32BE(0), resolve); stream.write(Buffer.from(req)); });
    close = () => { stream.end(); c.close(); };
  } else {
    const socket = net.connect(tcpPort, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((resolve) => socket.once('connect', resolve));
    frames(socket, onReply);
    send = (req) => new Promise((resolve) => {
      waiting.set(req.readUInt32BE(0), resolve);
      const [head, body] = frame(Buffer.from(req));
      socket.cork();
      socket.write(head);
      socket.write(body);
      socket.uncork();
    });
    close = () => socket.destroy();
  }
  await loops(concurrency, 1, requestSize, send); // warm-up
  process.send('warm');
  await new Promise((resolve) => process.once('message', resolve)); // the server marked its CPU
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const calls = await loops(concurrency, durationS, requestSize, send);
  const seconds = (performance.now() - t0) / 1000;
  const d = process.cpuUsage(cpu0);
  process.send({ calls, seconds, cpuUs: d.user + d.system });
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
      request: { type: 'string', default: '120' },
      reply: { type: 'string', default: '700' },
      rounds: { type: 'string', default: '2' },
    },
  });
  const concurrency = Number(values.concurrency);
  const durationS = Number(values.duration);
  const requestSize = Math.max(4, Number(values.request));
  const server = fork(SELF, ['--role=server', `--reply-size=${Number(values.reply)}`]);
  const ports = await once(server);
  console.log(`rpc ceiling: ${concurrency} loops, ${requestSize} B requests, ${values.reply} B replies, ${durationS} s per run, server and client in two processes`);
  console.log('transport    op/s   server µs/call  client µs/call');
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const transport of round % 2 === 0 ? ['grpc', 'tcp'] : ['tcp', 'grpc']) {
      const c = fork(SELF, ['--role=client']);
      c.send({ transport, ...ports, concurrency, durationS, requestSize });
      await once(c, (m) => m === 'warm');
      server.send('mark');
      c.send('go');
      const res = await once(c, (m) => typeof m === 'object');
      server.send('read');
      const srv = await once(server, (m) => typeof m === 'object' && 'cpuUs' in m);
      c.kill();
      const label = transport === 'grpc' ? 'grpc-js bidi' : 'tcp frames';
      console.log(`${label.padEnd(12)} ${(res.calls / res.seconds).toFixed(0).padStart(6)}   ${(srv.cpuUs / res.calls).toFixed(1).padStart(14)}  ${(res.cpuUs / res.calls).toFixed(1).padStart(14)}`);
    }
  }
  server.send('exit');
}

const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7);
if (role === 'server') await serve(Number(process.argv.find((a) => a.startsWith('--reply-size='))?.slice(13) ?? 700));
else if (role === 'client') process.once('message', (opts) => client(opts));
else await main();
