import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { LocalServer, waitFor } from './local-server';
import { metric, rawExchange, requestHead, rssNowMiB, rssPeakMiB, signedHeaders, signedRequest } from './raw-http';

/**
 * Issue 7, "Bounded resources, clear errors": a real gateway process with lowered limits, driven over raw
 * sockets. Each case fails without its limit: before it, trickled headers held a socket for 66 s, a
 * stalled upload held its intent forever, 200 concurrent uploads were all buffered at once, and a PUT
 * without a length stored an empty object.
 */
const MiB = 1024 * 1024;
const HEADERS_TIMEOUT_MS = 1000;
const BODY_IDLE_MS = 1000;
const MAX_CONNECTIONS = 600;
const INFLIGHT_CAP = 64 * MiB;
const KEEP_ALIVE_MS = 2000;
const BUCKET = 'limits';
const rejections = (reason: string) => `s3_limit_rejections_total{reason="${reason}"}`;

const server = new LocalServer({
  MASSIVE_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  MASSIVE_BODY_IDLE_TIMEOUT_MS: String(BODY_IDLE_MS),
  MASSIVE_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
  MASSIVE_MAX_INFLIGHT_BODY_BYTES: String(INFLIGHT_CAP),
  MASSIVE_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
  MASSIVE_GC_GRACE_MS: '0',
  MASSIVE_GC_INTERVAL_MS: '200',
});
let port = 0;

beforeAll(async () => {
  await server.start();
  port = Number(new URL(server.endpoint).port);
  await server.client().send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 30_000);
afterAll(() => server.dispose());

async function headBucketOk(): Promise<boolean> {
  const r = await signedRequest(server.endpoint, 'HEAD', `/${BUCKET}`);
  return r.status === 200;
}

describe('timeouts', () => {
  it('closes a slowloris connection (headers trickled a line at a time) after the headers timeout, with RequestTimeout', async () => {
    const before = await metric(server.endpoint, rejections('headers_timeout'));
    const reply = await rawExchange(
      port,
      (s) => {
        s.write(`GET /${BUCKET}/k HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
        const t = setInterval(() => s.writable && s.write(`X-Trickle-${Date.now()}: 1\r\n`), 100);
        s.once('close', () => clearInterval(t));
      },
      10_000,
      { untilClose: true },
    );
    expect(reply.closed).toBe(true);
    expect(reply.ms).toBeLessThan(HEADERS_TIMEOUT_MS + 1500);
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('<Code>RequestTimeout</Code>');
    expect(await metric(server.endpoint, rejections('headers_timeout'))).toBeGreaterThan(before);
  });

  it('times out a stalled upload: 400 RequestTimeout, connection closed, its intent abandoned and its chunks collected', async () => {
    const chunksBefore = new Set(server.chunkFiles());
    const url = new URL(`${server.endpoint}/${BUCKET}/stalled`);
    const headers = await signedHeaders('PUT', url, { 'content-length': String(16 * MiB) });
    let maxNewChunks = 0;
    const watch = setInterval(() => (maxNewChunks = Math.max(maxNewChunks, server.chunkFiles().filter((f) => !chunksBefore.has(f)).length)), 50);
    const reply = await rawExchange(
      port,
      (s) => {
        s.write(requestHead('PUT', url.pathname, headers));
        s.write(Buffer.alloc(9 * MiB, 7)); // one 8 MiB chunk's worth and a bit, then nothing
      },
      15_000,
      { untilClose: true },
    );
    clearInterval(watch);
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('<Code>RequestTimeout</Code>');
    expect(reply.text).toContain('Your socket connection to the server was not read from or written to within the timeout period.');
    expect(reply.text.toLowerCase()).toContain('connection: close');
    expect(reply.closed).toBe(true);
    // The first chunk reached the disk under the intent; abandoning it lets GC delete it.
    expect(maxNewChunks).toBeGreaterThan(0);
    await waitFor(() => server.chunkFiles().filter((f) => !chunksBefore.has(f)).length === 0, 10_000, 'the stalled upload’s chunks to be collected');
    await expect(server.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stalled' }))).rejects.toMatchObject({ name: 'NotFound' });
    expect(await metric(server.endpoint, rejections('body_idle_timeout'))).toBeGreaterThan(0);
  }, 30_000);
  it('disconnects a reader that stops taking a streamed GET, and the connection it leaves is not held', async () => {
    const key = 'read-slowly';
    await server.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(16 * MiB, 9) }));
    const before = await metric(server.endpoint, rejections('send_idle_timeout'));
    const url = new URL(`${server.endpoint}/${BUCKET}/${key}`);
    const headers = await signedHeaders('GET', url);
    let received = 0;
    let stalled = true;
    const started = Date.now();
    const s = connect(port, '127.0.0.1', () => s.write(requestHead('GET', url.pathname, headers)));
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (stalled) s.pause(); // takes nothing more: the server's writes back up
    });
    s.on('error', () => undefined);
    const closed = new Promise((r) => s.once('close', r));
    // A paused socket cannot see the server's FIN: watch the server's side.
    await waitFor(async () => (await metric(server.endpoint, rejections('send_idle_timeout'))) > before, BODY_IDLE_MS + 10_000, 'the stalled reader to be cut');
    expect(Date.now() - started).toBeLessThan(BODY_IDLE_MS + 10_000);
    stalled = false;
    s.resume();
    await closed;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(16 * MiB);
    expect(await headBucketOk()).toBe(true);
  }, 30_000);

  it('still closes an idle keep-alive connection after a streamed GET (the send timeout does not outlive its response)', async () => {
    const size = 1 * MiB; // above the inline threshold: streamed from chunks
    await server.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep-alive', Body: Buffer.alloc(size, 1) }));
    const url = new URL(`${server.endpoint}/${BUCKET}/keep-alive`);
    const headers = await signedHeaders('GET', url);
    let responseDoneAt = 0;
    const reply = await rawExchange(
      port,
      (s) => {
        s.write(requestHead('GET', url.pathname, headers));
        let n = 0;
        s.on('data', (d: Buffer) => {
          n += d.length;
          if (!responseDoneAt && n >= size) responseDoneAt = Date.now();
        });
      },
      KEEP_ALIVE_MS + 8000,
      { untilClose: true },
    );
    expect(reply.status).toBe(200);
    expect(reply.closed).toBe(true);
    expect(Date.now() - responseDoneAt).toBeLessThan(KEEP_ALIVE_MS + 3000);
  }, 20_000);
});

describe('connections and in-flight bytes', () => {
  it('keeps answering with 1,000 idle connections open, half of them mid-headers (idle ones past the cap are closed to make room)', async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 1000; i++) {
        const s = connect(port, '127.0.0.1', () => i % 2 === 1 && s.write(`GET /${BUCKET} HTTP/1.1\r\nHost: 127.0.0.1\r\n`));
        s.on('error', () => undefined);
        sockets.push(s);
      }
      await Promise.all(sockets.map((s) => new Promise((r) => (s.connecting ? s.once('connect', r).once('close', r) : r(undefined)))));
      expect(await headBucketOk()).toBe(true);
      const r = await signedRequest(server.endpoint, 'GET', `/${BUCKET}?list-type=2`);
      expect(r.status).toBe(200);
      // Past the cap, idle connections went: evicted to make room, or (on a slow box) closed by the
      // headers timeout first.
      const evicted = await metric(server.endpoint, rejections('idle_connection_evicted'));
      const timedOut = await metric(server.endpoint, rejections('headers_timeout'));
      expect(evicted + timedOut).toBeGreaterThanOrEqual(1000 - MAX_CONNECTIONS);
      expect(await metric(server.endpoint, 's3_open_connections')).toBeLessThanOrEqual(MAX_CONNECTIONS);
      expect(rssPeakMiB(server.pid())).toBeLessThan(400);
    } finally {
      for (const s of sockets) s.destroy();
    }
  }, 30_000);

  it('admits 200 concurrent 16 MiB uploads up to the in-flight cap, answers the rest 503 SlowDown, stays responsive with RSS bounded', async () => {
    const body = Buffer.alloc(16 * MiB, 3);
    const md5 = createHash('md5').update(body).digest('hex');
    const rssBefore = rssNowMiB(server.pid());
    const upload = async (i: number): Promise<{ status: number; code?: string }> => {
      const url = new URL(`${server.endpoint}/${BUCKET}/big-${i}`);
      const headers = await signedHeaders('PUT', url, { 'content-length': String(body.length), expect: '100-continue' });
      return new Promise((resolve, reject) => {
        const req = request(url, { method: 'PUT', headers, agent: false }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, code: /<Code>(\w+)<\/Code>/.exec(text)?.[1] }));
        });
        req.on('continue', () => req.end(body));
        req.on('error', reject);
        req.flushHeaders();
      });
    };
    const uploads = Array.from({ length: 200 }, (_, i) => upload(i));
    // While they run, the server still answers.
    expect(await headBucketOk()).toBe(true);
    const results = await Promise.all(uploads);
    const ok = results.filter((r) => r.status === 200).length;
    const slow = results.filter((r) => r.status === 503 && r.code === 'SlowDown').length;
    expect(ok + slow).toBe(200);
    expect(ok).toBeGreaterThanOrEqual(INFLIGHT_CAP / body.length);
    expect(slow).toBeGreaterThan(0);
    const peak = rssPeakMiB(server.pid());
    console.log(`200 x 16 MiB uploads: ${ok} admitted, ${slow} SlowDown; server RSS ${rssBefore.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB (in-flight cap ${INFLIGHT_CAP / MiB} MiB)`);
    expect(peak).toBeLessThan(400);
    expect(await metric(server.endpoint, rejections('inflight_body_bytes'))).toBeGreaterThanOrEqual(slow);
    expect(await metric(server.endpoint, 's3_inflight_body_bytes')).toBe(0);
    // An admitted upload is whole.
    const first = results.findIndex((r) => r.status === 200);
    const head = await server.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: `big-${first}` }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toBe(`"${md5}"`);
    expect(await headBucketOk()).toBe(true);
  }, 60_000);

  it('answers uploads refused while their bodies are already coming (no Expect: 100-continue) with 503, not a reset', async () => {
    const body = Buffer.alloc(16 * MiB, 5);
    const upload = async (i: number): Promise<string> => {
      const url = new URL(`${server.endpoint}/${BUCKET}/eager-${i}`);
      // agent: false sends `Connection: close`, the case where closing at once would reset the client.
      const headers = await signedHeaders('PUT', url, { 'content-length': String(body.length) });
      return new Promise((resolve) => {
        const req = request(url, { method: 'PUT', headers, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
        req.end(body);
      });
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => upload(i)));
    expect(results.filter((r) => r !== '200' && r !== '503')).toEqual([]);
    expect(results).toContain('503');
    expect(await headBucketOk()).toBe(true);
  }, 60_000);
});

describe('request limits with the AWS error for each', () => {
  it('a PUT with neither Content-Length nor Transfer-Encoding → 411 MissingContentLength, and nothing is created', async () => {
    const url = new URL(`${server.endpoint}/${BUCKET}/no-length`);
    const headers = await signedHeaders('PUT', url);
    const reply = await rawExchange(port, (s) => s.write(requestHead('PUT', url.pathname, headers)), 5_000);
    expect(reply.status).toBe(411);
    expect(reply.text).toContain('<Code>MissingContentLength</Code>');
    await expect(server.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'no-length' }))).rejects.toMatchObject({ name: 'NotFound' });
    // The same for a part of a real upload.
    const create = await signedRequest(server.endpoint, 'POST', `/${BUCKET}/no-length-mpu?uploads`);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(create.text)![1];
    const part = new URL(`${server.endpoint}/${BUCKET}/no-length-mpu?partNumber=1&uploadId=${encodeURIComponent(uploadId)}`);
    const partHeaders = await signedHeaders('PUT', part);
    const partReply = await rawExchange(port, (s) => s.write(requestHead('PUT', part.pathname + part.search, partHeaders)), 5_000);
    expect(partReply.status).toBe(411);
    expect(partReply.text).toContain('<Code>MissingContentLength</Code>');
    const parts = await signedRequest(server.endpoint, 'GET', `/${BUCKET}/no-length-mpu?uploadId=${encodeURIComponent(uploadId)}`);
    expect(parts.text).not.toContain('<Part>');
  });

  it('a key over 1024 UTF-8 bytes → 400 KeyTooLongError; user metadata over 2 KiB → 400 MetadataTooLarge', async () => {
    const s3 = server.client();
    const tooLong = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'é'.repeat(512) + 'x', Body: 'x' })).catch((e: S3ServiceException) => e);
    expect(tooLong).toMatchObject({ name: 'KeyTooLongError', $metadata: { httpStatusCode: 400 } });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'é'.repeat(512), Body: 'x' }));
    const big = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta', Body: 'x', Metadata: { a: 'x'.repeat(2048) } })).catch((e: S3ServiceException) => e);
    expect(big).toMatchObject({ name: 'MetadataTooLarge', $metadata: { httpStatusCode: 400 } });
    expect(await metric(server.endpoint, rejections('key_length'))).toBeGreaterThan(0);
    expect(await metric(server.endpoint, rejections('metadata_size'))).toBeGreaterThan(0);
  });

  it('oversized XML: DeleteObjects past its byte cap → MaxMessageLengthExceeded, 1001 keys → MalformedXML; 10,001 parts → MalformedXML', async () => {
    const post = (path: string, xml: string) => signedRequest(server.endpoint, 'POST', path, { body: Buffer.from(xml) });
    const huge = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(80_000)}</Delete>`; // ~2.3 MiB
    const r1 = await post(`/${BUCKET}?delete`, huge);
    expect(r1.status).toBe(400);
    expect(r1.text).toContain('<Code>MaxMessageLengthExceeded</Code>');
    const r2 = await post(`/${BUCKET}?delete`, `<Delete>${Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('')}</Delete>`);
    expect(r2.status).toBe(400);
    expect(r2.text).toContain('<Code>MalformedXML</Code>');
    const create = await signedRequest(server.endpoint, 'POST', `/${BUCKET}/mpu?uploads`);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(create.text)![1];
    const parts = Array.from({ length: 10_001 }, (_, i) => `<Part><PartNumber>${(i % 10_000) + 1}</PartNumber><ETag>"e"</ETag></Part>`).join('');
    const r3 = await post(`/${BUCKET}/mpu?uploadId=${encodeURIComponent(uploadId)}`, `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`);
    expect(r3.status).toBe(400);
    expect(r3.text).toContain('<Code>MalformedXML</Code>');
    expect(await metric(server.endpoint, rejections('xml_size'))).toBeGreaterThan(0);
  });

  it('headers past the size cap → 400 RequestHeaderSectionTooLarge, and the server keeps answering', async () => {
    const reply = await rawExchange(port, (s) => s.write(`GET /${BUCKET} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 5_000);
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('<Code>RequestHeaderSectionTooLarge</Code>');
    expect(await metric(server.endpoint, rejections('header_size'))).toBeGreaterThan(0);
    expect(await headBucketOk()).toBe(true);
  });
});
