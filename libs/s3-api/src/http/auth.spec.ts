import type { IncomingMessage } from 'node:http';
import { DEFAULT_S3_CONFIG, type S3ApiDeps } from '../types';
import { authenticate, requestAccessKeyId } from './auth';

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
