import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWellKnownSecret, loadMasterKey, refuseWellKnownRoot } from './identity';

describe('gateway identity setup', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'massive-identity-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
