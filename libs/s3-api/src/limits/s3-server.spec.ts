import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createLimitMetrics, createRegistry } from '@massive/observability';
import { AWAITING_CONTINUE, createS3Server, type ContinueAware, type ServerLimits } from './s3-server';

/** Sends raw bytes and collects the answer until the server closes or `waitMs` passes. */
function exchange(port: number, bytes: string, waitMs = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(bytes));
    let text = '';
    const done = (closed: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve({ text, closed });
    };
    const t = setTimeout(() => done(false), waitMs);
    s.on('data', (d) => (text += d));
    s.on('error', () => undefined);
    s.on('close', () => done(true));
  });
}

describe('createS3Server', () => {
  let server: Server;
  let port: number;
  const registry = createRegistry({ defaultMetrics: false });
  const metrics = createLimitMetrics(registry);
  const seen: { continue: boolean }[] = [];
  let hold: ((res: ServerResponse) => void) | undefined;
  const limits: ServerLimits = { headersTimeoutMs: 400, keepAliveTimeoutMs: 5000, maxConnections: 1, maxHeaderBytes: 2048 };

  beforeAll(async () => {
    server = createS3Server(
      (req: IncomingMessage, res: ServerResponse) => {
        seen.push({ continue: (req as ContinueAware)[AWAITING_CONTINUE] === true });
        if (hold) return hold(res);
        res.end('ok');
      },
      limits,
      metrics,
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers oversized headers with 400 RequestHeaderSectionTooLarge and closes', async () => {
    const r = await exchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.text).toContain('<Code>RequestHeaderSectionTooLarge</Code>');
    expect(r.closed).toBe(true);
  });

  it('answers headers cut short by the timeout with RequestTimeout; closes a silent connection without a word', async () => {
    const started = Date.now();
    const partial = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(partial.closed).toBe(true);
    expect(partial.text).toContain('<Code>RequestTimeout</Code>');
    expect(Date.now() - started).toBeLessThan(2000);
    const silent = await exchange(port, '');
    expect(silent).toEqual({ text: '', closed: true });
    expect(await registry.metrics()).toMatch(/s3_limit_rejections_total\{reason="headers_timeout"\} [2-9]/);
  });

  it('holds Expect: 100-continue for the dispatcher to release, and refuses a request past the connection cap while the other is busy', async () => {
    let release!: () => void;
    hold = (res) => (release = () => res.end('done'));
    const busy = connect(port, '127.0.0.1', () => busy.write('PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n'));
    let busyText = '';
    busy.on('data', (d) => (busyText += d));
    await new Promise((r) => setTimeout(r, 100));
    expect(busyText).toBe(''); // no automatic 100 Continue
    expect(seen.at(-1)).toEqual({ continue: true });
    const refused = await exchange(port, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(refused.text).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused.text).toContain('<Code>SlowDown</Code>');
    expect(refused.closed).toBe(true);
    release();
    hold = undefined;
    busy.destroy();
    expect(await registry.metrics()).toContain('s3_limit_rejections_total{reason="connections"} 1');
  });
});
