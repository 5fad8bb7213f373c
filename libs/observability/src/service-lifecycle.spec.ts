import { onShutdownSignals, runService } from './service-lifecycle';
import { ConfigError } from './settings';

describe('runService', () => {
  let exit: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());
  const settle = () => new Promise((r) => setImmediate(r));

  it('prints usage for --help without starting', async () => {
    const main = jest.fn(async () => undefined);
    runService('svc', () => 'usage text\n', main, ['node', 'main', '--help']);
    await settle();
    expect(main).not.toHaveBeenCalled();
    expect(stdout).toHaveBeenCalledWith('usage text\n');
  });

  it('exits 2 with the message on a configuration error', async () => {
    runService('svc', () => '', async () => Promise.reject(new ConfigError('--port must be a number')), ['node', 'main']);
    await settle();
    expect(stderr).toHaveBeenCalledWith('svc: --port must be a number\n');
    expect(exit).toHaveBeenCalledWith(2);
  });

  it('exits 1 on any other startup failure', async () => {
    runService('svc', () => '', async () => Promise.reject(new Error('EADDRINUSE')), ['node', 'main']);
    await settle();
    expect(String(stderr.mock.calls[0][0])).toMatch(/^svc: failed to start: .*EADDRINUSE/);
    expect(exit).toHaveBeenCalledWith(1);
  });
});

describe('onShutdownSignals', () => {
  afterEach(() => {
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
  });
  it('turns SIGTERM and SIGINT into a shutdown with the reason', () => {
    const reasons: string[] = [];
    onShutdownSignals((r) => reasons.push(r), {});
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    expect(reasons).toEqual(['SIGTERM', 'SIGINT']);
  });
});
