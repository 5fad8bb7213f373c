import type { Endpoint } from '@massive/s3-protocol';
import { requestContext, type PolicySubject, type RequestFacts } from './policy-context';

const OWNER = { id: 'c'.repeat(64), displayName: 'AKIDOWNER' };
const facts = (query: string, headers: Record<string, string>, socket: object = { remoteAddress: '::ffff:192.0.2.7' }): RequestFacts => ({
  req: { headers, socket } as unknown as RequestFacts['req'],
  query: new URLSearchParams(query),
});
const ctxOf = (who: PolicySubject, ep: Endpoint, f: RequestFacts): Record<string, string[]> =>
  Object.fromEntries(requestContext(who, ep, f, new Date('2026-12-03T09:30:00.123Z')));

describe('requestContext', () => {
  it('global keys for a signed request', () => {
    const c = ctxOf({ kind: 'signed', owner: OWNER }, { name: 'GetObject', bucket: 'b', key: 'k' }, facts('versionId=v1', { 'user-agent': 'aws-cli/2', referer: 'https://x/' }));
    expect(c).toMatchObject({
      'aws:sourceip': ['192.0.2.7'],
      'aws:securetransport': ['false'],
      'aws:useragent': ['aws-cli/2'],
      'aws:referer': ['https://x/'],
      'aws:currenttime': ['2026-12-03T09:30:00Z'],
      'aws:epochtime': ['1796290200'],
      'aws:principaltype': ['Account'],
      'aws:userid': [OWNER.id],
      'aws:username': ['AKIDOWNER'],
      's3:authtype': ['REST-HEADER'],
      's3:versionid': ['v1'],
    });
    expect(c['s3:prefix']).toBeUndefined();
  });

  it('how the request was signed: s3:signatureversion and s3:authtype (SigV2 header and query, SigV4 presigned)', () => {
    const ep = { name: 'GetObject', bucket: 'b', key: 'k' } as const;
    const keys = (who: PolicySubject, q = '') => {
      const c = ctxOf(who, ep, facts(q, {}));
      return [c['s3:signatureversion']?.[0], c['s3:authtype']?.[0]];
    };
    expect(keys({ kind: 'signed', owner: OWNER })).toEqual(['AWS4-HMAC-SHA256', 'REST-HEADER']);
    expect(keys({ kind: 'signed', owner: OWNER, sigv4: { kind: 'presigned' } }, 'X-Amz-Signature=00')).toEqual(['AWS4-HMAC-SHA256', 'REST-QUERY-STRING']);
    expect(keys({ kind: 'signed', owner: OWNER, sigv4: { kind: 'header', signatureVersion: 'AWS' } })).toEqual(['AWS', 'REST-HEADER']);
    expect(keys({ kind: 'signed', owner: OWNER, sigv4: { kind: 'presigned', signatureVersion: 'AWS' } }, 'AWSAccessKeyId=A&Expires=1&Signature=s')).toEqual(['AWS', 'REST-QUERY-STRING']);
    expect(keys({ kind: 'signed', owner: OWNER, sigv4: { kind: 'post', signatureVersion: 'AWS' } })).toEqual(['AWS', 'POST']);
    expect(keys({ kind: 'signed', owner: OWNER, sigv4: { kind: 'post' } })).toEqual(['AWS4-HMAC-SHA256', 'POST']);
    // A header-signed request whose own query happens to carry a `Signature` parameter is still REST-HEADER.
    expect(keys({ kind: 'signed', owner: OWNER, sigv4: { kind: 'header' } }, 'Signature=mine')).toEqual(['AWS4-HMAC-SHA256', 'REST-HEADER']);
  });

  it('an anonymous request over TLS, presigned-looking query aside', () => {
    const c = ctxOf({ kind: 'anonymous' }, { name: 'GetObject', bucket: 'b', key: 'k' }, facts('', {}, { remoteAddress: '2001:db8::1', encrypted: true }));
    expect(c).toMatchObject({ 'aws:sourceip': ['2001:db8::1'], 'aws:securetransport': ['true'], 'aws:principaltype': ['Anonymous'], 'aws:userid': ['anonymous'] });
    expect(c['aws:username']).toBeUndefined();
  });

  it('listing keys only on listings', () => {
    const q = 'list-type=2&prefix=home%2F&delimiter=%2F&max-keys=10';
    expect(ctxOf({ kind: 'anonymous' }, { name: 'ListObjectsV2', bucket: 'b' }, facts(q, {}))).toMatchObject({ 's3:prefix': ['home/'], 's3:delimiter': ['/'], 's3:max-keys': ['10'] });
    expect(ctxOf({ kind: 'anonymous' }, { name: 'GetObject', bucket: 'b', key: 'k' }, facts(q, {}))['s3:prefix']).toBeUndefined();
  });

  it('header keys and the request tags of a PUT', () => {
    const c = ctxOf({ kind: 'signed', owner: OWNER }, { name: 'PutObject', bucket: 'b', key: 'k' }, facts('', { 'x-amz-acl': 'bucket-owner-full-control', 'x-amz-tagging': 'Team=a&Env=prod' }));
    expect(c).toMatchObject({
      's3:x-amz-acl': ['bucket-owner-full-control'],
      's3:requestobjecttag/Team': ['a'],
      's3:requestobjecttag/Env': ['prod'],
      's3:requestobjecttagkeys': ['Team', 'Env'],
    });
  });
});
