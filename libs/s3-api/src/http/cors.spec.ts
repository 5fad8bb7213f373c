import type { CorsRule } from '@massive/s3-protocol';
import { DEFAULT_S3_CONFIG, type S3ApiDeps } from '../types';
import { actualCorsHeaders, answerPreflight, lookupCors } from './cors';
import type { CorsRulesCache } from './cors-config';

const RULES: CorsRule[] = [
  { allowedOrigins: ['http://app.example'], allowedMethods: ['PUT'], allowedHeaders: ['content-type'], exposeHeaders: ['ETag'], maxAgeSeconds: 60 },
  { allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] },
];
const ctx = { requestId: 'r' };

function deps(rules: Record<string, readonly CorsRule[] | Error | undefined>): S3ApiDeps {
  const corsRules = {
    rules: async (bucket: string) => {
      const r = rules[bucket];
      if (r instanceof Error) throw r;
      return r;
    },
  } as unknown as CorsRulesCache;
  return { config: DEFAULT_S3_CONFIG, corsRules } as unknown as S3ApiDeps;
}

describe('answerPreflight', () => {
  const d = deps({ b: RULES, empty: undefined });

  it('answers the first matching rule (origin, method, every header)', async () => {
    const out = await answerPreflight(
      { host: 'localhost', origin: 'http://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type' },
      '/b/k',
      d,
      ctx,
    );
    expect(out.status).toBe(200);
    expect(out.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'http://app.example', 'Access-Control-Allow-Headers': 'content-type', 'Access-Control-Max-Age': '60' });
  });

  it.each([
    [{ 'access-control-request-method': 'GET' }, 'BadRequest'],
    [{ origin: 'http://a', 'access-control-request-method': 'TRACE' }, 'BadRequest'],
    [{ origin: 'http://a' }, 'BadRequest'],
    [{ origin: 'http://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-other' }, 'AccessForbidden'],
    [{ origin: 'http://other', 'access-control-request-method': 'PUT' }, 'AccessForbidden'],
  ])('%j → %s', async (h, code) => {
    await expect(answerPreflight({ host: 'localhost', ...h }, '/b/k', d, ctx)).rejects.toMatchObject({ code });
  });

  it('a bucket without rules is 403, the service path 405', async () => {
    const h = { host: 'localhost', origin: 'http://a', 'access-control-request-method': 'GET' };
    await expect(answerPreflight(h, '/empty', d, ctx)).rejects.toMatchObject({ code: 'AccessForbidden', message: 'CORSResponse: CORS is not enabled for this bucket.' });
    await expect(answerPreflight(h, '/', d, ctx)).rejects.toMatchObject({ code: 'MethodNotAllowed' });
  });
});

describe('actual responses', () => {
  it('carry the matching rule, Vary alone when none matches, nothing without rules', () => {
    expect(actualCorsHeaders(RULES, 'http://x', 'GET')['Access-Control-Allow-Origin']).toBe('*');
    expect(actualCorsHeaders(RULES, 'http://x', 'PUT')).toEqual({ Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method' });
    expect(actualCorsHeaders(undefined, 'http://x', 'GET')).toEqual({});
  });

  it('only requests with Origin look up rules; a failed lookup gives no headers, not a failure', async () => {
    const d = deps({ b: RULES, down: new Error('unavailable') });
    expect(lookupCors({}, 'b', 'GET', d, ctx)).toBeUndefined();
    expect(lookupCors({ origin: 'http://x' }, undefined, 'GET', d, ctx)).toBeUndefined();
    expect(await lookupCors({ origin: 'http://x' }, 'b', 'GET', d, ctx)).toMatchObject({ 'Access-Control-Allow-Origin': '*' });
    expect(await lookupCors({ origin: 'http://x' }, 'down', 'GET', d, ctx)).toEqual({});
  });
});
