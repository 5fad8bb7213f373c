import { Counter, Registry } from 'prom-client';
import { startAdminServer } from './admin-server';

describe('admin server', () => {
  it('serves /metrics (parseable text), /health/live and /health/ready', async () => {
    const registry = new Registry();
    new Counter({ name: 'things_total', help: 'things', registers: [registry] }).inc(3);
    let ready = true;
    const admin = await startAdminServer({ host: '127.0.0.1', port: 0, registry, ready: () => ready });
    try {
      const base = `http://127.0.0.1:${admin.port}`;
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const samples = (await metrics.text()).split('\n').filter((l) => l && !l.startsWith('#'));
      expect(samples).toContain('things_total 3');
      for (const l of samples) expect(l).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eE]+|NaN|[+-]Inf$/);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      ready = false;
      expect((await fetch(`${base}/health/ready`)).status).toBe(503);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await admin.close();
    }
  });

  it('hands paths under a route prefix (any method) to that route, with the rest of the path', async () => {
    const seen: string[] = [];
    const admin = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      registry: new Registry(),
      ready: () => true,
      routes: [{ prefix: '/admin/', handle: (req, res, path) => (seen.push(`${req.method} ${path}`), res.end('routed')) }],
    });
    try {
      const base = `http://127.0.0.1:${admin.port}`;
      expect(await (await fetch(`${base}/admin/v1/keys?x=1`, { method: 'POST', body: '{}' })).text()).toBe('routed');
      expect((await fetch(`${base}/adminx`)).status).toBe(404);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect(seen).toEqual(['POST /v1/keys']);
    } finally {
      await admin.close();
    }
  });
});
