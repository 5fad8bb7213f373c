import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { SessionTokens } from '../identity/session-tokens';
import { DEFAULT_S3_CONFIG, type S3ApiDeps } from '../types';
import { authenticate, requestAccessKeyId, sessionTokenOf } from './auth';

describe('requestAccessKeyId', () => {
  it('reads the key id of a header signature', () => {
    const h = 'AWS4-HMAC-SHA256 Credential=MK0123456789ABCDEF01/20261203/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
    expect(requestAccessKeyId(h, '')).toBe('MK0123456789ABCDEF01');
  });

  it('reads the key id of a presigned query (encoded or not)', () => {
    expect(requestAccessKeyId(undefined, 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=MKAAA%2F20261203%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=x')).toBe('MKAAA');
    expect(requestAccessKeyId(undefined, 'X-Amz-Credential=MKBBB/20261203/us-east-1/s3/aws4_request')).toBe('MKBBB');
  });

  it('reads the key id of a SigV2 header or query-string signature (a non-root key is loaded for SigV2 too)', () => {
    expect(requestAccessKeyId('AWS MKCCC:bWq2s1WEIj+Ydj0vQ697zp+IXMU=', '')).toBe('MKCCC');
    expect(requestAccessKeyId(undefined, 'AWSAccessKeyId=MKDDD&Expires=1175139620&Signature=NpgC%2B')).toBe('MKDDD');
  });

  it('names none for unsigned or malformed requests (SigV4 then answers)', () => {
    expect(requestAccessKeyId(undefined, '')).toBeUndefined();
    expect(requestAccessKeyId(undefined, 'list-type=2')).toBeUndefined();
    expect(requestAccessKeyId('AWS4-HMAC-SHA256 garbage', '')).toBeUndefined();
    expect(requestAccessKeyId(undefined, 'X-Amz-Credential=%E0%A4%A')).toBeUndefined();
  });
});

describe('authenticate: SigV2 beside SigV4', () => {
  // AWS's documented SigV2 example (key pair, request and signature), at its own date.
  const AKID = 'AKIAIOSFODNN7EXAMPLE';
  const date = 'Tue, 27 Mar 2007 19:36:42 +0000';
  function deps(sigV2: boolean, vhostDomains: string[] = []): S3ApiDeps {
    const owner = { id: 'o', displayName: 'owner' };
    return {
      credentials: { lookup: (id: string) => (id === AKID ? { secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', owner } : undefined) },
      config: { ...DEFAULT_S3_CONFIG, sigV2, vhostDomains, maxSkewMs: 100 * 365 * 24 * 3600_000 },
    } as unknown as S3ApiDeps;
  }
  function request(host: string): IncomingMessage {
    const raw = ['Host', host, 'Date', date, 'Authorization', `AWS ${AKID}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=`];
    return { method: 'GET', rawHeaders: raw, headers: { host, date, authorization: raw[5] } } as unknown as IncomingMessage;
  }

  it('verifies a SigV2 request (virtual-hosted: the Host names the bucket) and marks it signatureVersion AWS', () => {
    const p = authenticate(request('johnsmith.s3.amazonaws.com'), '/photos/puppy.jpg', '', deps(true, ['s3.amazonaws.com']));
    expect(p).toMatchObject({ kind: 'signed', owner: { id: 'o' }, sigv4: { signatureVersion: 'AWS', accessKeyId: AKID } });
    expect(authenticate(request('s3.amazonaws.com'), '/johnsmith/photos/puppy.jpg', '', deps(true, ['s3.amazonaws.com']))).toMatchObject({ kind: 'signed' });
  });

  it('with MASSIVE_SIGV2=off answers InvalidRequest, as AWS does where SigV2 is gone', () => {
    expect(() => authenticate(request('johnsmith.s3.amazonaws.com'), '/photos/puppy.jpg', '', deps(false, ['s3.amazonaws.com']))).toThrow(
      expect.objectContaining({ code: 'InvalidRequest', message: expect.stringMatching(/Please use AWS4-HMAC-SHA256/) }),
    );
  });
});

describe('authenticate: temporary credentials (a session token)', () => {
  const PARENT = 'MKPARENT0000000000';
  const owner = { id: 'parent-owner', displayName: 'parent' };
  const tokens = new SessionTokens(randomBytes(32));
  const NOW = new Date();
  function deps(parentExists = true): S3ApiDeps {
    return {
      credentials: { lookup: (id: string) => (parentExists && id === PARENT ? { secretKey: 'parent-secret', owner } : undefined) },
      config: { ...DEFAULT_S3_CONFIG },
      sessions: tokens,
    } as unknown as S3ApiDeps;
  }
  async function signedWith(creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<IncomingMessage> {
    const signer = new SignatureV4({ service: 's3', region: DEFAULT_S3_CONFIG.region, credentials: creds, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const out = await signer.sign(
      { method: 'GET', protocol: 'http:', hostname: 'localhost', port: 9000, path: '/b/k', query: {}, headers: { host: 'localhost:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: NOW },
    );
    const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: 'GET', rawHeaders: Object.entries(out.headers).flat(), headers } as unknown as IncomingMessage;
  }

  it('finds the token in the header, in a SigV4 presigned query, and in a SigV2 (botocore) query', () => {
    expect(sessionTokenOf('tok', '')).toBe('tok');
    expect(sessionTokenOf(undefined, 'X-Amz-Algorithm=x&X-Amz-Security-Token=a%2Bb%3D')).toBe('a+b=');
    expect(sessionTokenOf(undefined, 'AWSAccessKeyId=ASIA&x-amz-security-token=c%2Fd&Expires=1')).toBe('c/d');
    expect(sessionTokenOf(undefined, 'list-type=2')).toBeUndefined();
    expect(sessionTokenOf(undefined, '')).toBeUndefined();
  });

  it('a request signed with the session acts as the parent key, and carries the session', async () => {
    const s = tokens.issue(PARENT, NOW.getTime() + 900_000);
    const p = authenticate(await signedWith(s), '/b/k', '', deps());
    expect(p).toMatchObject({ kind: 'signed', owner: { id: 'parent-owner' }, sigv4: { accessKeyId: s.accessKeyId }, session: { parentAccessKeyId: PARENT } });
  });

  it('refuses an expired session (ExpiredToken), a session whose key is gone (InvalidToken), and another session\'s key id (InvalidAccessKeyId)', async () => {
    const expired = tokens.issue(PARENT, NOW.getTime() - 1);
    const codeOf = (f: () => unknown) => {
      try {
        f();
        return 'accepted';
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    const reqExpired = await signedWith(expired);
    expect(codeOf(() => authenticate(reqExpired, '/b/k', '', deps()))).toBe('ExpiredToken');
    const live = tokens.issue(PARENT, NOW.getTime() + 900_000);
    const reqLive = await signedWith(live);
    expect(codeOf(() => authenticate(reqLive, '/b/k', '', deps(false)))).toBe('InvalidToken');
    const other = tokens.issue(PARENT, NOW.getTime() + 900_000);
    const mixed = await signedWith({ accessKeyId: live.accessKeyId, secretAccessKey: live.secretAccessKey, sessionToken: other.sessionToken });
    expect(codeOf(() => authenticate(mixed, '/b/k', '', deps()))).toBe('InvalidAccessKeyId');
  });
});
