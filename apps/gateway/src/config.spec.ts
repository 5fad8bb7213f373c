import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults that run', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ port: 8080, dataDir: './data', region: 'us-east-1', logLevel: 'info', domains: [] });
    expect(c.accessKey).toBeUndefined();
  });
  it('reads the environment, and flags win over it', () => {
    const env = { MASSIVE_PORT: '9000', MASSIVE_DATA_DIR: '/srv/s3', MASSIVE_ACCESS_KEY: 'AKID1', MASSIVE_SECRET_KEY: 'secret123' };
    expect(loadConfig([], env)).toMatchObject({ port: 9000, dataDir: '/srv/s3', accessKey: 'AKID1', secretKey: 'secret123' });
    expect(loadConfig(['--port', '9001', '--data-dir=/tmp/x'], env)).toMatchObject({ port: 9001, dataDir: '/tmp/x' });
    expect(loadConfig(['--domain', 'S3.Example.com, s3.local'], {}).domains).toEqual(['s3.example.com', 's3.local']);
  });
  it.each([
    [['--port', 'abc'], {}, /port must be an integer/],
    [['--port', '70000'], {}, /at most 65535/],
    [['--bogus', '1'], {}, /unknown flag --bogus/],
    [['--port'], {}, /needs a value/],
    [[], { MASSIVE_ACCESS_KEY: 'AKID1' }, /set both/],
    [[], { MASSIVE_LOG_LEVEL: 'loud' }, /log level/],
    [[], { MASSIVE_ACCESS_KEY: 'AK', MASSIVE_SECRET_KEY: 'secret123' }, /access key must be/],
    [[], { MASSIVE_ACCESS_KEY: 'AKID1', MASSIVE_SECRET_KEY: 'short' }, /at least 8/],
  ])('rejects %j %j clearly', (argv, env, msg) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(msg);
  });
});
