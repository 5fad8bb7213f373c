import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createMasterKeyMetrics, isWellKnownSecret, loadMasterKey, loadPreviousMasterKeys, refuseWellKnownRoot } from './identity';

describe('gateway identity setup', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'massive-identity-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('MASSIVE_PREVIOUS_MASTER_KEYS: base64 keys, newest first, separated by commas or spaces; none twice, none the current one', () => {
    const [cur, a, b] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    expect(loadPreviousMasterKeys({}, cur)).toEqual([]);
    expect(loadPreviousMasterKeys({ MASSIVE_PREVIOUS_MASTER_KEYS: '' }, cur)).toEqual([]);
    const keys = loadPreviousMasterKeys({ MASSIVE_PREVIOUS_MASTER_KEYS: ` ${a.toString('base64')},\n${b.toString('base64')} ` }, cur);
    expect(keys.map((k) => k.toString('hex'))).toEqual([a.toString('hex'), b.toString('hex')]);
    const env = (v: string) => ({ MASSIVE_PREVIOUS_MASTER_KEYS: v });
    expect(() => loadPreviousMasterKeys(env(`${a.toString('base64')},${cur.toString('base64')}`), cur)).toThrow(/key 2\) is the current master key/);
    expect(() => loadPreviousMasterKeys(env(`${a.toString('base64')} ${a.toString('base64')}`), cur)).toThrow(/key 2\) is listed twice/);
    expect(() => loadPreviousMasterKeys(env(randomBytes(16).toString('base64')), cur)).toThrow(/key 1\) must be base64 of exactly 32 bytes/);
    expect(() => loadPreviousMasterKeys(env('CHANGE-ME-old-key'), cur)).toThrow(/placeholder/);
  });

  it('master_key_previous_uses_total: both uses exported at 0 from the start, then counted', async () => {
    const registry = new Registry();
    const uses = createMasterKeyMetrics(registry);
    expect(await registry.metrics()).toMatch(/master_key_previous_uses_total\{use="access_key"\} 0[\s\S]*master_key_previous_uses_total\{use="sse"\} 0/);
    uses.sse();
    uses.sse();
    uses.accessKey();
    const text = await registry.metrics();
    expect(text).toContain('master_key_previous_uses_total{use="sse"} 2');
    expect(text).toContain('master_key_previous_uses_total{use="access_key"} 1');
    expect(text).toContain('master_key_reseals_total 0');
    uses.resealed(3);
    expect(await registry.metrics()).toContain('master_key_reseals_total 3');
  });

  it('refuses the placeholder values of the base Secret and well-known examples', () => {
    const secret = readFileSync(join(__dirname, '../../../deploy/k8s/base/gateway/secret.yaml'), 'utf8');
    const values = [...secret.matchAll(/^\s+[a-z-]+: (\S+)$/gm)].map((m) => m[1]).filter((v) => v.includes('CHANGE'));
    expect(values.length).toBeGreaterThanOrEqual(2);
    for (const v of values) expect(isWellKnownSecret(v)).toBe(true);
    expect(() => refuseWellKnownRoot({ accessKey: 'CHANGE-ME-access-key', secretKey: 'real-secret-value' })).toThrow(/well-known/);
    expect(() => refuseWellKnownRoot({ accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' })).toThrow(/well-known/);
    expect(() => refuseWellKnownRoot({ accessKey: 'minioadmin', secretKey: 'minioadmin' })).toThrow(/well-known/);
    expect(() => refuseWellKnownRoot({ accessKey: 'AKIDREAL', secretKey: 'a-secret-of-my-own' })).not.toThrow();
  });

  it('generates a master key once into the data dir (0600), says so once, and keeps it', async () => {
    const said: string[] = [];
    const first = await loadMasterKey({}, dir, (m) => said.push(m));
    expect(first).toHaveLength(32);
    expect(statSync(join(dir, 'master-key')).mode & 0o777).toBe(0o600);
    expect(said).toHaveLength(1);
    expect(said[0]).not.toContain(first.toString('base64'));
    const again = await loadMasterKey({}, dir, (m) => said.push(m));
    expect(again.equals(first)).toBe(true);
    expect(said).toHaveLength(1);
  });

  it('takes MASSIVE_MASTER_KEY over the file, and refuses a bad or placeholder one', async () => {
    const key = randomBytes(32);
    writeFileSync(join(dir, 'master-key'), randomBytes(32).toString('base64'));
    expect((await loadMasterKey({ MASSIVE_MASTER_KEY: key.toString('base64') }, dir, () => undefined)).equals(key)).toBe(true);
    await expect(loadMasterKey({ MASSIVE_MASTER_KEY: randomBytes(16).toString('base64') }, dir, () => undefined)).rejects.toThrow(/32 bytes/);
    await expect(loadMasterKey({ MASSIVE_MASTER_KEY: 'not base64 at all!' }, dir, () => undefined)).rejects.toThrow(/32 bytes/);
    await expect(loadMasterKey({ MASSIVE_MASTER_KEY: 'CHANGE-ME-master-key' }, dir, () => undefined)).rejects.toThrow(/placeholder/);
  });
});
