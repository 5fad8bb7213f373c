import { ConfigError } from '@massive/observability';
import { rpcSecurityFromEnv, SECRET_PLACEHOLDER } from './from-env';

const TOKEN = 'a'.repeat(20) + 'B'.repeat(20);
const PEM = { ca: '-----BEGIN CERTIFICATE-----\nca\n', cert: '-----BEGIN CERTIFICATE-----\ncert\n', key: '-----BEGIN PRIVATE KEY-----\nkey\n', tok: `${TOKEN}\n`, junk: 'hello' };
const files = (path: string): Buffer => {
  const v = (PEM as Record<string, string>)[path];
  if (v === undefined) throw new Error('ENOENT: no such file');
  return Buffer.from(v);
};
const load = (env: Record<string, string>) => rpcSecurityFromEnv(env, files);

describe('rpcSecurityFromEnv', () => {
  it('refuses to start with neither token nor certificates, naming what to set', () => {
    expect(() => load({})).toThrow(ConfigError);
    expect(() => load({})).toThrow(/MASSIVE_SERVICE_TOKEN.*MASSIVE_TLS_CA.*MASSIVE_INSECURE_RPC=true/s);
  });

  it('accepts the explicit development opt-out, and says so', () => {
    expect(load({ MASSIVE_INSECURE_RPC: 'true' })).toEqual({ security: {}, describe: expect.stringMatching(/INSECURE/) });
    expect(() => load({ MASSIVE_INSECURE_RPC: 'yes' })).toThrow(/true or false/);
    expect(() => load({ MASSIVE_INSECURE_RPC: 'false' })).toThrow(/need a shared secret/);
    expect(() => load({ MASSIVE_INSECURE_RPC: 'true', MASSIVE_SERVICE_TOKEN: TOKEN })).toThrow(/contradicts/);
  });

  it('takes a token from the environment or a file', () => {
    expect(load({ MASSIVE_SERVICE_TOKEN: TOKEN })).toEqual({ security: { token: TOKEN }, describe: 'service token' });
    expect(load({ MASSIVE_SERVICE_TOKEN_FILE: 'tok' }).security).toEqual({ token: TOKEN });
    expect(() => load({ MASSIVE_SERVICE_TOKEN_FILE: 'missing' })).toThrow(/MASSIVE_SERVICE_TOKEN_FILE: cannot read missing/);
    expect(() => load({ MASSIVE_SERVICE_TOKEN: TOKEN, MASSIVE_SERVICE_TOKEN_FILE: 'tok' })).toThrow(/not both/);
  });

  it.each([
    ['a short token', 'x'.repeat(31), /at least 32/],
    ['the placeholder', `${SECRET_PLACEHOLDER}-service-token-0123456789abcdef`, /placeholder/],
    ['the placeholder in lower case', `change_me-${'x'.repeat(40)}`, /placeholder/],
    ['the base Secret\'s value', 'CHANGE-ME-service-token-placeholder', /placeholder CHANGE-ME/],
    ['another placeholder spelling', `REPLACE_ME-${'x'.repeat(40)}`, /placeholder/],
    ['a token with spaces', `${TOKEN} ${TOKEN}`, /printable ASCII/],
  ])('refuses %s', (_what, token, message) => {
    expect(() => load({ MASSIVE_SERVICE_TOKEN: token })).toThrow(message);
  });

  it('takes mutual TLS from three PEM files, with an optional server name', () => {
    const tls = load({ MASSIVE_TLS_CA: 'ca', MASSIVE_TLS_CERT: 'cert', MASSIVE_TLS_KEY: 'key', MASSIVE_TLS_SERVER_NAME: 'metadata.internal' });
    expect(tls.describe).toBe('mutual TLS');
    expect(tls.security.tls).toEqual({ ca: Buffer.from(PEM.ca), cert: Buffer.from(PEM.cert), key: Buffer.from(PEM.key), serverName: 'metadata.internal' });
    expect(load({ MASSIVE_TLS_CA: 'ca', MASSIVE_TLS_CERT: 'cert', MASSIVE_TLS_KEY: 'key', MASSIVE_SERVICE_TOKEN: TOKEN }).describe).toBe('mutual TLS + service token');
  });

  it('refuses incomplete or wrong TLS material', () => {
    expect(() => load({ MASSIVE_TLS_CA: 'ca', MASSIVE_TLS_CERT: 'cert' })).toThrow(/needs all of .*only MASSIVE_TLS_CA, MASSIVE_TLS_CERT set/);
    expect(() => load({ MASSIVE_TLS_CA: 'ca', MASSIVE_TLS_CERT: 'cert', MASSIVE_TLS_KEY: 'junk' })).toThrow(/MASSIVE_TLS_KEY: no PEM private key/);
    expect(() => load({ MASSIVE_TLS_CA: 'junk', MASSIVE_TLS_CERT: 'cert', MASSIVE_TLS_KEY: 'key' })).toThrow(/MASSIVE_TLS_CA: no PEM certificate/);
    expect(() => load({ MASSIVE_TLS_CA: 'nope', MASSIVE_TLS_CERT: 'cert', MASSIVE_TLS_KEY: 'key' })).toThrow(/MASSIVE_TLS_CA: cannot read nope/);
  });
});
