import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { drain, drainable, MAX_DRAIN_BYTES } from './drain';

function fakeRequest(headers: Record<string, string>): IncomingMessage & { socketDestroyed: () => boolean } {
  const r = new PassThrough() as unknown as IncomingMessage & { socketDestroyed: () => boolean };
  let destroyed = false;
  Object.assign(r, { headers, socket: { destroy: () => (destroyed = true) }, socketDestroyed: () => destroyed });
  return r;
}

describe('drain', () => {
  it('drains a declared remainder up to the cap, never an unknown or larger one', () => {
    expect(drainable(fakeRequest({ 'content-length': String(MAX_DRAIN_BYTES + 10) }), 10)).toBe(true);
    expect(drainable(fakeRequest({ 'content-length': String(MAX_DRAIN_BYTES + 11) }), 10)).toBe(false);
    expect(drainable(fakeRequest({ 'transfer-encoding': 'chunked' }), 0)).toBe(false);
    expect(drainable(fakeRequest({ 'content-length': 'x' }), 0)).toBe(false);
  });

  it('discards what arrives and closes the connection when the client goes quiet', async () => {
    const req = fakeRequest({ 'content-length': '100' });
    drain(req, 50);
    (req as unknown as PassThrough).write(Buffer.alloc(10));
    await new Promise((r) => setTimeout(r, 30));
    (req as unknown as PassThrough).write(Buffer.alloc(10)); // progress resets the clock
    await new Promise((r) => setTimeout(r, 30));
    expect(req.socketDestroyed()).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(req.socketDestroyed()).toBe(true);
  });

  it('stops watching once the body ends', async () => {
    const req = fakeRequest({ 'content-length': '1' });
    drain(req, 30);
    (req as unknown as PassThrough).end(Buffer.alloc(1));
    await new Promise((r) => setTimeout(r, 60));
    expect(req.socketDestroyed()).toBe(false);
  });
});
