import { Registry } from 'prom-client';
import { createBlobDataClientMetrics, createBlobDataServerMetrics } from './data-metrics';

async function value(registry: Registry, name: string): Promise<number | undefined> {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await registry.metrics());
  return m ? Number(m[1]) : undefined;
}

describe('createBlobDataClientMetrics', () => {
  it('reports the receive buffers of every client on the registry at scrape time, summed', async () => {
    const registry = new Registry();
    const a = { idle: 2, reused: 5 };
    const b = { idle: 1, reused: 0 };
    createBlobDataClientMetrics(registry).watchReceiveBuffers(a);
    createBlobDataClientMetrics(registry).watchReceiveBuffers(b); // a second client: same metrics, no duplicate registration
    expect(await value(registry, 'blob_data_client_receive_buffers_idle')).toBe(3);
    expect(await value(registry, 'blob_data_client_receive_buffers_reused_total')).toBe(5);
    Object.assign(a, { idle: 0, reused: 9 });
    expect(await value(registry, 'blob_data_client_receive_buffers_idle')).toBe(1);
    expect(await value(registry, 'blob_data_client_receive_buffers_reused_total')).toBe(9);
    expect(await registry.metrics()).toMatch(/^# TYPE blob_data_client_receive_buffers_reused_total counter$/m);
  });

  it('without a watched pool both read 0', async () => {
    const registry = new Registry();
    createBlobDataClientMetrics(registry);
    expect(await value(registry, 'blob_data_client_receive_buffers_idle')).toBe(0);
    expect(await value(registry, 'blob_data_client_receive_buffers_reused_total')).toBe(0);
  });
});

describe('createBlobDataServerMetrics', () => {
  it("reports the server's write-body pool under its own names, apart from a client's on the same registry", async () => {
    const registry = new Registry();
    const server = { idle: 4, reused: 12 };
    createBlobDataServerMetrics(registry, server);
    createBlobDataClientMetrics(registry).watchReceiveBuffers({ idle: 1, reused: 2 });
    expect(await value(registry, 'blob_data_server_receive_buffers_idle')).toBe(4);
    expect(await value(registry, 'blob_data_server_receive_buffers_reused_total')).toBe(12);
    expect(await value(registry, 'blob_data_client_receive_buffers_idle')).toBe(1);
    createBlobDataServerMetrics(registry); // request metrics again (no pool): nothing registered twice
    expect(await value(registry, 'blob_data_server_receive_buffers_idle')).toBe(4);
  });
});
