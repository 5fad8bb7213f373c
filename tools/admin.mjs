#!/usr/bin/env node
// `npm run admin -- <command>`: manage access keys and their bucket grants through the gateway's admin
// API, signed (SigV4) with the root key.
//
//   key create --name app1 [--json]       a new key; its secret is printed this once (--json: {"accessKeyId", "secretAccessKey"})
//   key list [--json]                     every key (never a secret)
//   key info app1 [--json]                one key (by name or access key id) and its grants
//   key allow app1 bucket1 --read --write [--owner]
//   key deny app1 bucket1 --write         remove permissions (all three: the grant goes)
//   key delete app1
//   bucket info bucket1 [--json]          owner and every key's grant
//
// Server: MASSIVE_ADMIN_URL (default http://127.0.0.1:${MASSIVE_PORT:-8080}/-/admin, local mode on this
// machine; distributed mode: http://<gateway>:9100/admin). Root key: MASSIVE_ACCESS_KEY and
// MASSIVE_SECRET_KEY, else the development credentials of local mode (${MASSIVE_DATA_DIR:-./data}/dev-credentials.json).
// Region: MASSIVE_REGION (default us-east-1). Exits non-zero on any failure.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const USAGE = `usage: npm run admin -- <command>
  key create --name <name> [--json]
  key list [--json]
  key info <key> [--json]
  key allow <key> <bucket> [--read] [--write] [--owner]
  key deny <key> <bucket> [--read] [--write] [--owner]
  key delete <key>
  bucket info <bucket> [--json]
<key> is a key's name or access key id. Server: MASSIVE_ADMIN_URL; root key: MASSIVE_ACCESS_KEY / MASSIVE_SECRET_KEY.`;

class CliError extends Error {}

function rootCredentials(env) {
  if (env.MASSIVE_ACCESS_KEY && env.MASSIVE_SECRET_KEY) return { accessKey: env.MASSIVE_ACCESS_KEY, secretKey: env.MASSIVE_SECRET_KEY };
  const file = join(resolve(env.MASSIVE_DATA_DIR ?? './data'), 'dev-credentials.json');
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed.accessKey === 'string' && typeof parsed.secretKey === 'string') return parsed;
  } catch {
    // fall through
  }
  throw new CliError(`no root key: set MASSIVE_ACCESS_KEY and MASSIVE_SECRET_KEY (or run where ${file} exists)`);
}

const sha256hex = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
const encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** SigV4 (service s3) of a request with a JSON body; returns the headers to send. */
function sign({ method, url, body, creds, region, now = new Date() }) {
  const datetime = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = datetime.slice(0, 8);
  const payloadHash = sha256hex(body);
  const headers = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': datetime };
  if (body.length > 0) headers['content-type'] = 'application/json';
  const names = Object.keys(headers).sort();
  const query = [...url.searchParams].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort().join('&');
  const canonical = [method, url.pathname, query, names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', datetime, scope, sha256hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretKey}`, date), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

async function call(method, path, payload, ctx) {
  const url = new URL(ctx.base.replace(/\/+$/, '') + path);
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const headers = sign({ method, url, body, creds: ctx.creds, region: ctx.region });
  let res;
  try {
    res = await fetch(url, { method, headers, ...(body && { body }) });
  } catch (e) {
    throw new CliError(`cannot reach the admin API at ${ctx.base}: ${e.cause?.message ?? e.message} (set MASSIVE_ADMIN_URL)`);
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new CliError(`${method} ${url.pathname}: HTTP ${res.status} (not the admin API? check MASSIVE_ADMIN_URL)`);
  }
  if (!res.ok) throw new CliError(`${json.error ?? `HTTP ${res.status}`}: ${json.message ?? text}`);
  return json;
}

function parseArgs(argv) {
  const positional = [];
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) positional.push(a);
    else if (a.includes('=')) flags.set(a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else if (a === '--name') flags.set('name', argv[++i]);
    else flags.set(a.slice(2), true);
  }
  return { positional, flags };
}

function permissionsOf(flags) {
  const perms = ['read', 'write', 'owner'].filter((p) => flags.get(p) === true);
  if (perms.length === 0) throw new CliError('name at least one of --read, --write, --owner');
  return perms;
}

const perms = (g) => ['read', 'write', 'owner'].filter((p) => g[p]).join('+') || 'none';

function need(value, what) {
  if (value === undefined || value === true || value === '') throw new CliError(`missing ${what}\n${USAGE}`);
  return value;
}

async function run(argv, env, out) {
  const { positional, flags } = parseArgs(argv);
  const [group, action, a1, a2] = positional;
  if (flags.has('help') || !group) return out(USAGE);
  const ctx = { base: env.MASSIVE_ADMIN_URL ?? `http://127.0.0.1:${env.MASSIVE_PORT ?? '8080'}/-/admin`, creds: rootCredentials(env), region: env.MASSIVE_REGION ?? 'us-east-1' };
  const asJson = flags.get('json') === true;
  const seg = (s) => encodeURIComponent(s);
  if (group === 'key' && action === 'create') {
    const k = await call('POST', '/v1/keys', { name: need(flags.get('name'), '--name') }, ctx);
    if (asJson) return out(JSON.stringify({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey }));
    return out(
      `Created key ${k.name}\n  access key id: ${k.accessKeyId}\n  secret key:    ${k.secretAccessKey}\n  canonical id:  ${k.canonicalId}\n` +
        'The secret is shown this once: store it now. Grant buckets with `npm run admin -- key allow ...`.',
    );
  }
  if (group === 'key' && action === 'list') {
    const { keys } = await call('GET', '/v1/keys', undefined, ctx);
    if (asJson) return out(JSON.stringify(keys));
    if (keys.length === 0) return out('No keys (besides the root key).');
    return out(keys.map((k) => `${k.accessKeyId}  ${k.name}  created ${k.createdAt}`).join('\n'));
  }
  if (group === 'key' && action === 'info') {
    const k = await call('GET', `/v1/keys/${seg(need(a1, '<key>'))}`, undefined, ctx);
    if (asJson) return out(JSON.stringify(k));
    return out([`${k.accessKeyId}  ${k.name}  created ${k.createdAt}  canonical id ${k.canonicalId}`, ...k.grants.map((g) => `  ${g.bucket}: ${perms(g)}`)].join('\n'));
  }
  if (group === 'key' && (action === 'allow' || action === 'deny')) {
    const key = need(a1, '<key>');
    const bucket = need(a2, '<bucket>');
    const list = permissionsOf(flags);
    const g = await call('POST', `/v1/keys/${seg(key)}/grants`, { bucket, allow: action === 'allow' ? list : [], deny: action === 'deny' ? list : [] }, ctx);
    return out(asJson ? JSON.stringify(g) : `Key ${key} on bucket ${bucket}: ${perms(g)}`);
  }
  if (group === 'key' && action === 'delete') {
    const r = await call('DELETE', `/v1/keys/${seg(need(a1, '<key>'))}`, undefined, ctx);
    return out(asJson ? JSON.stringify(r) : `Deleted key ${r.deleted}`);
  }
  if (group === 'bucket' && action === 'info') {
    const b = await call('GET', `/v1/buckets/${seg(need(a1, '<bucket>'))}`, undefined, ctx);
    if (asJson) return out(JSON.stringify(b));
    return out(
      [
        `${b.name}  region ${b.region}  created ${b.createdAt}  versioning ${b.versioning}${b.objectLock ? '  object lock' : ''}`,
        `  owner: ${b.owner.displayName} (${b.owner.id})`,
        ...(b.grants.length === 0 ? ['  no key grants (the root key may do everything)'] : b.grants.map((g) => `  ${g.name ?? g.accessKeyId} (${g.accessKeyId}): ${perms(g)}`)),
      ].join('\n'),
    );
  }
  throw new CliError(`unknown command: ${positional.join(' ')}\n${USAGE}`);
}

run(process.argv.slice(2), process.env, (s) => process.stdout.write(s + '\n')).catch((e) => {
  process.stderr.write(`admin: ${e instanceof CliError ? e.message : (e.stack ?? e)}\n`);
  process.exit(1);
});
