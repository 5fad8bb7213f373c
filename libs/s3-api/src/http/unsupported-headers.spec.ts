import { refuseUnsupportedHeaders } from './unsupported-headers';

describe('refuseUnsupportedHeaders', () => {
  it.each([
    { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' },
    { 'x-amz-copy-source-server-side-encryption-customer-algorithm': 'AES256' },
    { 'x-amz-server-side-encryption': 'aws:kms' },
    { 'x-amz-server-side-encryption-aws-kms-key-id': 'k' },
    { 'x-amz-object-lock-mode': 'COMPLIANCE' },
    { 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z' },
    { 'x-amz-object-lock-legal-hold': 'ON' },
    { 'x-amz-bucket-object-lock-enabled': 'true' },
  ])('refuses %j with NotImplemented', (h) => {
    expect(() => refuseUnsupportedHeaders(h)).toThrow(expect.objectContaining({ code: 'NotImplemented', status: 501 }));
  });

  it('accepts SSE-S3 and ordinary requests', () => {
    expect(() => refuseUnsupportedHeaders({ 'x-amz-server-side-encryption': 'AES256', 'content-type': 'text/plain' })).not.toThrow();
    expect(() => refuseUnsupportedHeaders({ 'x-amz-bucket-object-lock-enabled': 'false' })).not.toThrow();
    expect(() => refuseUnsupportedHeaders({})).not.toThrow();
  });
});
