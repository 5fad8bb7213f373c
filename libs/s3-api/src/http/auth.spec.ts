import { requestAccessKeyId } from './auth';

describe('requestAccessKeyId', () => {
  it('reads the key id of a header signature', () => {
    const h = 'AWS4-HMAC-SHA256 Credential=MK0123456789ABCDEF01/20261203/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
    expect(requestAccessKeyId(h, '')).toBe('MK0123456789ABCDEF01');
  });

  it('reads the key id of a presigned query (encoded or not)', () => {
    expect(requestAccessKeyId(undefined, 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=MKAAA%2F20261203%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=x')).toBe('MKAAA');
    expect(requestAccessKeyId(undefined, 'X-Amz-Credential=MKBBB/20261203/us-east-1/s3/aws4_request')).toBe('MKBBB');
  });

  it('names none for unsigned or malformed requests (SigV4 then answers)', () => {
    expect(requestAccessKeyId(undefined, '')).toBeUndefined();
    expect(requestAccessKeyId(undefined, 'list-type=2')).toBeUndefined();
    expect(requestAccessKeyId('AWS4-HMAC-SHA256 garbage', '')).toBeUndefined();
    expect(requestAccessKeyId(undefined, 'X-Amz-Credential=%E0%A4%A')).toBeUndefined();
  });
});
