import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AccessKeyRecord, AccessKeySummary, MetadataApi } from '@massive/contracts';
import { createLogger } from '@massive/observability';
import { KeyCache } from '../identity/key-cache';
import { SecretSealer } from '../identity/secret-seal';
import { createAdminApi } from './admin-api';

const ROOT = { accessKeyId: 'ROOTKEY', secretAccessKey: 'root-secret-0123456789' };
const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Keys in memory: what the admin API needs of metadata for these cases. */
function memoryKeys(): Pick<MetadataApi, 'createKey' | 'listKeys' | 'getKey'> {
  const keys = new Map<string, AccessKeyRecord>();
  return {
    createKey: async (k) => {
      keys.set(k.accessKeyId, { ...k, createdAt: 1 });
      return { accessKeyId: k.accessKeyId, name: k.name, createdAt: 1, canonicalId: k.canonicalId };
    },
    listKeys: async () => [...keys.values()].map(({ sealedSecret: _s, ...rest }): AccessKeySummary => rest),
    getKey: async (l) => ({ ...('accessKeyId' in l && keys.has(l.accessKeyId) && { key: keys.get(l.accessKeyId) }), grants: [] }),
  };
}

describe('admin API authentication', () => {
  let server: Server;
  let base: string;
  const metadata = memoryKeys();
  const sealer = new SecretSealer(randomBytes(32));

  beforeAll(async () => {
    const keys = new KeyCache({ root: { accessKey: ROOT.accessKeyId, secretKey: ROOT.secretAccessKey }, metadata, sealer });
    const admin = createAdminApi({ metadata: metadata as MetadataApi, keys, sealer, region: 'us-east-1', maxSkewMs: 900_000, logger: createLogger({ service: 'test', level: 'silent' }) });
    server = createServer((req, res) => admin(req, res, (req.url ?? '/').replace('/-/admin', '').split('?')[0]));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/-/admin`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function send(method: string, path: string, body: string, opts: { creds?: typeof ROOT; payloadHash?: string; sentBody?: string } = {}) {
    const url = new URL(base + path);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: opts.creds ?? ROOT, sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'x-amz-content-sha256': opts.payloadHash ?? sha256hex(body) },
      ...(body && { body }),
    });
    const sent = opts.sentBody ?? body;
    const res = await fetch(url, { method, headers: signed.headers as Record<string, string>, ...(sent && { body: sent }) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('serves the root key, with the body covered by the signature', async () => {
    const created = await send('POST', '/v1/keys', JSON.stringify({ name: 'app1' }));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'app1', accessKeyId: expect.stringMatching(/^MK[0-9A-F]{18}$/), secretAccessKey: expect.stringMatching(/^[A-Za-z0-9]{40}$/) });
    const listed = await send('GET', '/v1/keys', '');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).not.toContain(created.json['secretAccessKey'] as string);
  });

  it('refuses a body that differs from the signed one, an unsigned payload, and a bad secret', async () => {
    const body = JSON.stringify({ name: 'app2' });
    expect((await send('POST', '/v1/keys', body, { sentBody: JSON.stringify({ name: 'evil' }) })).status).toBe(403);
    expect((await send('POST', '/v1/keys', body, { payloadHash: 'UNSIGNED-PAYLOAD' })).json).toMatchObject({ error: 'AccessDenied' });
    expect((await send('GET', '/v1/keys', '', { creds: { ...ROOT, secretAccessKey: 'wrong-secret-000' } })).status).toBe(403);
  });

  it('refuses every other key, even a valid one', async () => {
    const created = await send('POST', '/v1/keys', JSON.stringify({ name: 'app3' }));
    const creds = { accessKeyId: created.json['accessKeyId'] as string, secretAccessKey: created.json['secretAccessKey'] as string };
    const r = await send('GET', '/v1/keys', '', { creds });
    expect(r.status).toBe(403);
    expect(r.json['message']).toMatch(/root key/);
  });

  it('answers bad input and unknown endpoints clearly', async () => {
    expect((await send('POST', '/v1/keys', JSON.stringify({ name: 'bad name!' }))).json).toMatchObject({ error: 'InvalidArgument' });
    expect((await send('POST', '/v1/keys', '{not json')).json).toMatchObject({ error: 'MalformedJSON' });
    expect((await send('GET', '/v1/nothing', '')).status).toBe(404);
    expect((await send('GET', '/v1/keys/NOSUCH', '')).json).toMatchObject({ error: 'NoSuchAccessKey' });
  });
});
