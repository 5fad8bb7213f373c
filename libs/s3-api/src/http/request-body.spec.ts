import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Authenticated } from './auth';
import { openRequestBody } from './request-body';
import { HashPool } from './hashing/hash-pool';
import { InlineHashJob } from './hashing/hash-job';
import { DEFAULT_S3_CONFIG } from '../types';

/** A request whose body arrives in the given pieces; `truncated` closes it before the end. */
function request(pieces: string[], opts: { truncated?: boolean; headers?: Record<string, string> } = {}): IncomingMessage {
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const queue = [...pieces];
  const r = new Readable({
    read() {
      const next = queue.shift();
      if (next !== undefined) return void this.push(Buffer.from(next));
      if (opts.truncated) return void this.destroy();
      (r as unknown as { complete: boolean }).complete = true;
      this.push(null);
    },
  }) as unknown as IncomingMessage & { complete: boolean };
  r.complete = false;
  (r as { headers: Record<string, string> }).headers = { 'content-length': String(total), ...opts.headers };
  return r;
}

function auth(payloadMode: 'sha256' | 'unsigned', payloadSha256?: string): Authenticated {
  return { owner: { id: 'o', displayName: 'o' }, sigv4: { payloadMode, payloadSha256 } } as unknown as Authenticated;
}

const NO_HOOKS = { onBytes: () => undefined };

/** A request that sends `first` and then nothing more (a stalled client). */
function stalled(first: string, declared: number): IncomingMessage {
  let sent = false;
  const r = new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.from(first));
      }
    },
  }) as unknown as IncomingMessage & { complete: boolean };
  r.complete = false;
  (r as { headers: Record<string, string> }).headers = { 'content-length': String(declared) };
  return r;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('openRequestBody', () => {
  it.each([['collect'], ['stream']])('verifies a signed payload hash (%s)', async (how) => {
    const read = async (body: ReturnType<typeof openRequestBody>) => {
      if (how === 'collect') return (await body.collect(100)).toString();
      let s = '';
      for await (const b of body.stream()) s += b.toString();
      return s;
    };
    let seen = 0;
    const ok = openRequestBody(request(['hello ', 'world']), auth('sha256', sha('hello world')), DEFAULT_S3_CONFIG, { onBytes: (n) => (seen += n) });
    expect(ok.length).toBe(11);
    expect(await read(ok)).toBe('hello world');
    expect(seen).toBe(11);
    const bad = openRequestBody(request(['hello ', 'world']), auth('sha256', sha('other')), DEFAULT_S3_CONFIG, NO_HOOKS);
    await expect(read(bad)).rejects.toMatchObject({ code: 'XAmzContentSHA256Mismatch' });
  });

  describe('with a hash job (one pass for the payload SHA-256 and the caller\'s MD5)', () => {
    const pool = new HashPool({ threads: 1, minBytes: 0 });
    afterAll(() => pool.close());
    const drain = async (it: AsyncIterable<Buffer>) => {
      let s = '';
      for await (const b of it) s += b.toString();
      return s;
    };

    it.each([['a hashing thread', () => pool.open(['md5', 'sha256'], undefined)], ['the event loop', () => new InlineHashJob(['md5', 'sha256'])]])(
      'verifies a signed payload with the job on %s, which the caller then reads',
      async (_where, open) => {
        const body = openRequestBody(request(['hello ', 'world']), auth('sha256', sha('hello world')), DEFAULT_S3_CONFIG, NO_HOOKS);
        expect(body.selfHashes).toEqual(['sha256']);
        const job = open();
        expect(await drain(body.stream(job))).toBe('hello world');
        const d = await job.digests();
        expect(d.md5?.toString('hex')).toBe(createHash('md5').update('hello world').digest('hex'));
        expect(d.sha256?.toString('hex')).toBe(sha('hello world'));

        const bad = openRequestBody(request(['hello ', 'world']), auth('sha256', sha('hello there')), DEFAULT_S3_CONFIG, NO_HOOKS);
        await expect(drain(bad.stream(open()))).rejects.toMatchObject({ code: 'XAmzContentSHA256Mismatch' });
      },
    );

    it('refuses a job that does not compute what the body must check', async () => {
      const body = openRequestBody(request(['x']), auth('sha256', sha('x')), DEFAULT_S3_CONFIG, NO_HOOKS);
      await expect(drain(body.stream(new InlineHashJob(['md5'])))).rejects.toThrow('needs a hash job computing sha256');
    });

    it('feeds an unsigned payload to the job too', async () => {
      const body = openRequestBody(request(['abc', 'def']), auth('unsigned'), DEFAULT_S3_CONFIG, NO_HOOKS);
      expect(body.selfHashes).toEqual([]);
      const job = pool.open(['md5'], undefined);
      expect(await drain(body.stream(job))).toBe('abcdef');
      expect((await job.digests()).md5?.toString('hex')).toBe(createHash('md5').update('abcdef').digest('hex'));
    });
  });

  it('refuses more than the limit and truncated bodies', async () => {
    await expect(openRequestBody(request(['x'.repeat(50)]), auth('unsigned'), DEFAULT_S3_CONFIG, NO_HOOKS).collect(10)).rejects.toMatchObject({ code: 'EntityTooLarge' });
    await expect(openRequestBody(request(['abc'], { truncated: true }), auth('unsigned'), DEFAULT_S3_CONFIG, NO_HOOKS).collect(10)).rejects.toMatchObject({ code: 'IncompleteBody' });
  });

  it('reads a body only once', async () => {
    const body = openRequestBody(request(['a']), auth('unsigned'), DEFAULT_S3_CONFIG, NO_HOOKS);
    await body.collect(10);
    expect(() => body.stream()).toThrow(/twice/);
  });

  it('says whether the request is framed: Content-Length or Transfer-Encoding, else no body at all', () => {
    const open = (headers: Record<string, string>) => {
      const r = request([]);
      (r as { headers: Record<string, string> }).headers = headers;
      return openRequestBody(r, auth('unsigned'), DEFAULT_S3_CONFIG, NO_HOOKS);
    };
    expect(open({})).toMatchObject({ framed: false, length: 0 });
    expect(open({ 'content-length': '0' })).toMatchObject({ framed: true, length: 0 });
    expect(open({ 'transfer-encoding': 'chunked' })).toMatchObject({ framed: true, length: undefined });
  });

  it.each([['collect'], ['stream']])('fails a body whose client stops sending with RequestTimeout (%s)', async (how) => {
    const config = { ...DEFAULT_S3_CONFIG, bodyIdleTimeoutMs: 60 };
    const req = stalled('abc', 100);
    const body = openRequestBody(req, auth('unsigned'), config, NO_HOOKS);
    const started = Date.now();
    const read = async () => {
      if (how === 'collect') return body.collect(1000);
      for await (const b of body.stream()) void b;
    };
    await expect(read()).rejects.toMatchObject({ code: 'RequestTimeout', status: 400 });
    expect(Date.now() - started).toBeLessThan(1000);
    // The request is left open so the 400 can still be written.
    expect(req.destroyed).toBe(false);
  });

  it('calls onFirstRead once, when the body is first read (100 Continue goes out only for admitted bodies)', async () => {
    let calls = 0;
    const body = openRequestBody(request(['a']), auth('unsigned'), DEFAULT_S3_CONFIG, { onBytes: () => undefined, onFirstRead: () => calls++ });
    expect(calls).toBe(0);
    await body.collect(10);
    expect(calls).toBe(1);
  });
});
