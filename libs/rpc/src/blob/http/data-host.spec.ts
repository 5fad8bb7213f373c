import { dataHostOf } from './data-host';

describe('dataHostOf (where a gRPC target\'s data port lives)', () => {
  it.each([
    ['127.0.0.1:7071', '127.0.0.1'],
    ['massive-blob-0.massive-blob:7071', 'massive-blob-0.massive-blob'],
    ['[::1]:7071', '::1'],
    ['dns:///blob.example:7071', 'blob.example'],
    ['dns://8.8.8.8/blob.example:7071', 'blob.example'],
    ['ipv4:10.0.0.5:7071', '10.0.0.5'],
    ['ipv6:[fe80::1]:7071', 'fe80::1'],
    [' localhost:1 ', 'localhost'],
  ])('%s → %s', (target, host) => {
    expect(dataHostOf(target)).toBe(host);
  });

  it.each([['ipv4:10.0.0.5:7071,10.0.0.6:7071'], ['unix:/tmp/blob.sock'], ['no-port'], ['host:port']])('%s has no single host (bodies stay on gRPC)', (target) => {
    expect(dataHostOf(target)).toBeUndefined();
  });
});
