import { ConfigError, parseSettings, usageOf, type Setting } from './settings';

const SETTINGS: readonly Setting[] = [
  { key: 'port', flag: 'port', env: 'X_PORT', kind: 'port', def: '7070', help: 'port' },
  { key: 'backend', flag: 'backend', env: 'X_BACKEND', kind: 'enum', values: ['a', 'b'], def: 'a', help: 'backend' },
  { key: 'peers', flag: 'peers', env: 'X_PEERS', kind: 'list', keepCase: true, def: '', help: 'peers' },
];

describe('parseSettings', () => {
  it('takes flags over environment over defaults', () => {
    expect(parseSettings(SETTINGS, [], {}, 'x')).toEqual({ port: 7070, backend: 'a', peers: [] });
    expect(parseSettings(SETTINGS, ['--backend=b'], { X_BACKEND: 'a', X_PEERS: 'Host-A:1, h2:2' }, 'x')).toEqual({ port: 7070, backend: 'b', peers: ['Host-A:1', 'h2:2'] });
  });
  it.each([
    [['--port', '70000'], {}, /port must be at most 65535/],
    [[], { X_BACKEND: 'c' }, /X_BACKEND: backend must be one of a, b/],
    [['--nope'], {}, /unknown flag --nope/],
  ])('rejects %j %j', (argv, env, msg) => {
    expect(() => parseSettings(SETTINGS, argv, env, 'x')).toThrow(ConfigError);
    expect(() => parseSettings(SETTINGS, argv, env, 'x')).toThrow(msg);
  });
  it('documents every setting', () => {
    expect(usageOf('x', SETTINGS)).toMatch(/--backend\s+X_BACKEND\s+backend \(default a\)/);
  });
});
